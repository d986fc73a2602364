import { dateTime, type DataQueryRequest, type MetricFindValue } from '@grafana/data';
import { lastValueFrom } from 'rxjs';

import { HarnessTemplateSrv } from '../../tests/harness/host/services';
import { harnessDatasource, startHarness, type HarnessProcess } from '../../tests/support/grafanaHarness';
import type { DataSource } from './datasource';
import type { SimVizVariableQuery } from './types';
import type { SimVizVariableSupport } from './variables';

let harness: HarnessProcess;
let ds: DataSource;
const templateSrv = new HarnessTemplateSrv();

beforeAll(async () => {
  harness = await startHarness();
  ds = harnessDatasource(harness, 'simviz', harness.proxyUrl, templateSrv);
}, 60_000);

afterAll(() => harness?.stop());

async function values(target: Omit<SimVizVariableQuery, 'refId'>): Promise<string[]> {
  const range = { from: dateTime(0), to: dateTime(1), raw: { from: dateTime(0), to: dateTime(1) } };
  const request: DataQueryRequest<SimVizVariableQuery> = {
    app: 'dashboard',
    requestId: 'V',
    interval: '1s',
    intervalMs: 1000,
    range,
    scopedVars: {},
    targets: [{ refId: 'v', ...target }],
    timezone: 'utc',
    startTime: 0,
  };
  const response = await lastValueFrom((ds.variables as SimVizVariableSupport).query(request));
  return (response.data as MetricFindValue[]).map((v) => String(v.value));
}

describe('variables of a kind', () => {
  it('lists only the parameters, or only the trajectories, of the chosen runs', async () => {
    const runs = (await ds.client.listSimulations({ search: 'SpringDamper_sweep' })).items.map((s) => s.id);
    templateSrv.variables = [{ name: 'runs', current: runs }];
    const byKind = async (kind: 'parameter' | 'trajectory') =>
      (await ds.client.listSharedVariables(runs, { kind, limit: 1000 })).items.map((v) => v.name);

    const parameters = await values({ kind: 'variables', simulations: ['$runs'], variableKind: 'parameter' });
    expect(parameters).toEqual(await byKind('parameter'));
    expect(parameters).toContain('damper.d');
    const trajectories = await values({ kind: 'variables', simulations: ['$runs'], variableKind: 'trajectory' });
    expect(trajectories).toEqual(await byKind('trajectory'));
    expect(trajectories).toContain('mass.s');
    expect(trajectories).not.toContain('damper.d');
    const any = await values({ kind: 'variables', simulations: ['$runs'] });
    expect(any.length).toBe(parameters.length + trajectories.length);
  });
});
