/**
 * @jest-environment-options {"customExportConditions": ["node", "require"]}
 *
 * (Node's build of the `yaml` package: its browser build is an ES module jest cannot load.)
 *
 * The dashboards the app ships (and provisioning loads), checked as Grafana and the datasource will
 * read them: every query and variable query must be one the datasource itself accepts, every
 * datasource reference must go through the `datasource` variable (so an imported dashboard binds to
 * the user's own SimViz datasource), and the files, plugin.json and provisioning must agree.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { parse as parseYaml } from 'yaml';

import * as constants from '../constants';
import { isComplete, isCompleteVariableQuery, queryProblems, variableQueryProblems } from '../datasource/query/validate';
import { queryTypeOf, type SimVizQuery, type SimVizVariableQuery } from '../datasource/types';
import pluginJson from '../plugin.json';

const REPO = path.resolve(__dirname, '../..');
const DATASOURCE_TYPE = 'simviz-simulation-datasource';
const DATASOURCE_REF = { type: DATASOURCE_TYPE, uid: '${datasource}' };
const MAX_PANELS = 20;

interface Panel {
  id: number;
  type: string;
  title: string;
  repeat?: string;
  targets?: Array<SimVizQuery & { datasource?: unknown }>;
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  query?: unknown;
  multi?: boolean;
  datasource?: unknown;
}
interface Dashboard {
  uid: string;
  title: string;
  timezone?: string;
  panels: Panel[];
  templating: { list: Variable[] };
  annotations: { list: Array<{ name: string; datasource?: unknown; target?: SimVizQuery }> };
}

const files = readdirSync(__dirname).filter((name) => name.endsWith('.json'));
const dashboards: Array<[string, Dashboard]> = files.map((name) => [name, JSON.parse(readFileSync(path.join(__dirname, name), 'utf8')) as Dashboard]);

/** Panels including those inside rows. */
function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** Every value stored under a `datasource` key anywhere in the JSON, with where it was. */
function datasourceRefs(node: unknown, at = ''): Array<[string, unknown]> {
  if (Array.isArray(node)) {
    return node.flatMap((item, i) => datasourceRefs(item, `${at}[${i}]`));
  }
  if (node === null || typeof node !== 'object') {
    return [];
  }
  return Object.entries(node).flatMap(([key, value]) => [
    ...(key === 'datasource' ? ([[`${at}.${key}`, value]] as Array<[string, unknown]>) : []),
    ...datasourceRefs(value, `${at}.${key}`),
  ]);
}

/** Names of the template variables a JSON value refers to (`$x`, `${x}`, `${x:format}`, `[[x]]`), Grafana's own `__` ones aside. */
function referencedVariables(node: unknown): string[] {
  const text = JSON.stringify(node ?? null);
  const names = [...text.matchAll(/\$(\w+)|\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]/g)].map((m) => m[1] ?? m[2] ?? m[3]);
  return [...new Set(names)].filter((name) => !name.startsWith('__'));
}

/** A query as the datasource gets it once `$variables` are replaced: lists of one placeholder value stand for the chosen values. */
function withVariablesChosen(query: SimVizQuery): SimVizQuery {
  return JSON.parse(JSON.stringify(query).replace(/\$\{?(\w+)\}?/g, 'chosen-$1')) as SimVizQuery;
}

describe.each(dashboards)('%s', (_file, dashboard) => {
  const variables = dashboard.templating.list;
  const names = variables.map((v) => v.name);

  it('has a datasource variable of the SimViz type', () => {
    expect(variables[0]).toMatchObject({ name: 'datasource', type: 'datasource', query: DATASOURCE_TYPE });
  });

  it('refers to its datasource only through the variable', () => {
    const refs = datasourceRefs(dashboard);
    expect(refs.length).toBeGreaterThan(0);
    refs.forEach(([where, ref]) => expect({ where, ref }).toEqual({ where, ref: DATASOURCE_REF }));
  });

  it(`stays under ${MAX_PANELS} panels, with unique ids`, () => {
    const panels = allPanels(dashboard);
    expect(panels.length).toBeGreaterThan(0);
    expect(panels.length).toBeLessThan(MAX_PANELS);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
  });

  it('has panels whose queries the datasource accepts and would run', () => {
    for (const panel of allPanels(dashboard).filter((p) => p.type !== 'row')) {
      expect({ panel: panel.title, targets: panel.targets?.length ?? 0 }).toEqual({ panel: panel.title, targets: expect.any(Number) });
      expect(panel.targets!.length).toBeGreaterThan(0);
      for (const target of panel.targets!) {
        expect({ panel: panel.title, problems: queryProblems(target) }).toEqual({ panel: panel.title, problems: [] });
        // Incomplete queries are dropped by filterQuery: the panel would stay empty.
        expect({ panel: panel.title, complete: isComplete(withVariablesChosen(target)) }).toEqual({ panel: panel.title, complete: true });
      }
    }
  });

  it('has annotation queries of the events type that the datasource accepts', () => {
    for (const annotation of dashboard.annotations.list) {
      expect(annotation.target).toBeDefined();
      expect(queryProblems(annotation.target!)).toEqual([]);
      expect(queryTypeOf(annotation.target!)).toBe('events');
      expect(isComplete(withVariablesChosen(annotation.target!))).toBe(true);
    }
  });

  it('has variable queries the datasource accepts, each using only variables defined before it', () => {
    variables.forEach((variable, index) => {
      expect(['datasource', 'query', 'textbox', 'custom', 'constant']).toContain(variable.type);
      expect(referencedVariables(variable.query).filter((name) => !names.slice(0, index).includes(name))).toEqual([]);
      if (variable.type === 'query') {
        const query = variable.query as SimVizVariableQuery;
        expect({ variable: variable.name, problems: variableQueryProblems(query) }).toEqual({ variable: variable.name, problems: [] });
        expect(isCompleteVariableQuery(query)).toBe(true);
      }
    });
    expect(new Set(names).size).toBe(names.length);
  });

  it('uses only variables it defines, and repeats panels by multi-value variables', () => {
    const used = referencedVariables([dashboard.panels, dashboard.annotations]);
    expect(used.filter((name) => !names.includes(name))).toEqual([]);
    for (const panel of allPanels(dashboard).filter((p) => p.repeat)) {
      expect(variables.find((v) => v.name === panel.repeat)).toMatchObject({ multi: true });
    }
  });

  it('shows simulation time in UTC when it plots on the simulation axis (t = 0 at the epoch)', () => {
    const targets = allPanels(dashboard).flatMap((p) => p.targets ?? []);
    const onSimulationAxis = targets.some((t) => ['timeseries', 'table', 'events'].includes(queryTypeOf(t)) && (t.timeAxis ?? 'simulation') === 'simulation');
    if (onSimulationAxis) {
      expect(dashboard.timezone).toBe('utc');
    }
  });
});

describe('the dashboards together', () => {
  const includes = pluginJson.includes.filter((include) => include.type === 'dashboard').map((include) => include.path);

  it('have unique uids, and one for every dashboard the app links to', () => {
    const uids = dashboards.map(([, d]) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
    const linked = Object.entries(constants)
      .filter(([name]) => name.endsWith('_DASHBOARD_UID'))
      .map(([, uid]) => uid);
    expect(linked.length).toBeGreaterThan(0);
    expect(uids).toEqual(expect.arrayContaining(linked));
    expect(uids).toEqual(
      expect.arrayContaining(['simviz-simulation-overview', 'simviz-compare-runs', 'simviz-parameter-sweep', 'simviz-proxy-operations', 'simviz-regression'])
    );
  });

  it('are each included in plugin.json, and every included dashboard exists', () => {
    expect([...includes].sort()).toEqual(files.map((name) => `dashboards/${name}`).sort());
  });

  it('are all provisioned: the provider reads the folder the built plugin’s dashboards are mounted at', () => {
    const provider = parseYaml(readFileSync(path.join(REPO, 'provisioning/dashboards/simviz.yml'), 'utf8')) as { providers: Array<{ type: string; options: { path: string } }> };
    const compose = parseYaml(readFileSync(path.join(REPO, '.config/docker-compose-base.yaml'), 'utf8')) as { services: { grafana: { volumes: string[] } } };
    const mount = compose.services.grafana.volumes.map((v) => v.split(':')).find(([from]) => from === '../dist');
    expect(mount?.[1]).toBe(`/var/lib/grafana/plugins/${pluginJson.id}`);
    expect(provider.providers).toEqual([expect.objectContaining({ type: 'file', options: { path: `${mount![1]}/dashboards` } })]);
  });
});
