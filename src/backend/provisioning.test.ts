/**
 * The provisioned datasources, alert rule and compose file, checked as Grafana and the backend
 * will read them: the folder-mode settings parse, the folder is mounted where they say, the image
 * can run the executable, and the alert rule's query is one the backend accepts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { parse as parseYaml } from 'yaml';

import { isComplete, queryProblems } from '../datasource/query/validate';
import type { SimVizQuery } from '../datasource/types';
import { parseSettings } from './settings';

const REPO = path.resolve(__dirname, '../..');

function yaml<T>(file: string): T {
  return parseYaml(readFileSync(path.join(REPO, file), 'utf8')) as T;
}

interface ProvisionedDatasource {
  uid: string;
  type: string;
  jsonData: Record<string, unknown>;
}

interface AlertQuery {
  refId: string;
  datasourceUid: string;
  model: Record<string, unknown>;
}

const datasources = yaml<{ datasources: ProvisionedDatasource[] }>('provisioning/datasources/datasources.yml').datasources;
const compose = yaml<{ services: { grafana: { volumes: string[]; build: { args: Record<string, string> } } } }>('docker-compose.yaml');
const alerting = yaml<{ groups: Array<{ rules: Array<{ uid: string; condition: string; data: AlertQuery[] }> }> }>('provisioning/alerting/simviz-alerts.yaml');

function settingsOf(datasource: ProvisionedDatasource) {
  return parseSettings({ id: 1, name: datasource.uid, url: '', uid: datasource.uid, jsonData: Buffer.from(JSON.stringify(datasource.jsonData)), decryptedSecureJsonData: { apiKey: 'k' }, lastUpdatedMS: 1 });
}

describe('provisioning for the backend datasource', () => {
  it('provisions a folder-mode datasource "simviz" whose folder docker-compose mounts into Grafana', () => {
    const folderMode = datasources.find((d) => d.uid === 'simviz')!;
    const connection = settingsOf(folderMode).connection;
    expect(connection.mode).toBe('folder');
    const folder = connection.mode === 'folder' ? connection.folder.replace(/^[^=/]+=/, '') : '';
    expect(compose.services.grafana.volumes.map((v) => v.split(':')[1])).toContain(folder);
  });

  it('provisions a proxy-mode datasource with the key as a secret', () => {
    const proxyMode = datasources.find((d) => d.uid === 'simviz-proxy')!;
    expect(settingsOf({ ...proxyMode, jsonData: { ...proxyMode.jsonData, proxyUrl: 'http://proxy:9800' } }).connection.mode).toBe('proxy');
    expect(JSON.stringify(proxyMode.jsonData)).not.toContain('apiKey');
  });

  it('runs Grafana from a glibc image: the executable cannot start on the default Alpine one', () => {
    expect(compose.services.grafana.build.args.grafana_version).toMatch(/-ubuntu$/);
  });

  it('provisions alert rules the backend accepts: the newest run read as a whole, and the nightly runs against their references', () => {
    const rules = alerting.groups.flatMap((group) => group.rules);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      const simviz = rule.data.filter((query) => query.datasourceUid === 'simviz');
      expect(simviz.length).toBeGreaterThan(0);
      for (const { model } of simviz) {
        const query = model as unknown as SimVizQuery;
        expect(queryProblems(query)).toEqual([]);
        expect(isComplete(query)).toBe(true);
        if (query.queryType === 'regression') {
          // Every run of the selection, each against its own reference: no dashboard time involved.
          expect(query.regressionView).toBe('runStatus');
          expect(query.regressionRuns).toBeDefined();
        } else {
          expect(query.timeMode === 'wholeRun' || query.timeMode === 'lastSeconds').toBe(true);
          expect(query.newest).toBeDefined();
        }
      }
      expect(rule.data.map((query) => query.refId)).toContain(rule.condition);
    }
  });
});
