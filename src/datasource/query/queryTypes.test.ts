import { dateTime, FieldType, type DataFrame, type DataQueryRequest } from '@grafana/data';

import { HarnessTemplateSrv } from '../../../tests/harness/host/services';
import { harnessDatasource, runQueries, startHarness, type HarnessProcess } from '../../../tests/support/grafanaHarness';
import type { DataSource } from '../datasource';
import type { SimVizQuery } from '../types';

let harness: HarnessProcess;
let ds: DataSource;

beforeAll(async () => {
  harness = await startHarness();
  ds = harnessDatasource(harness, 'simviz', harness.proxyUrl, new HarnessTemplateSrv());
}, 60_000);

afterAll(() => harness?.stop());

function request(targets: SimVizQuery[], fromMs: number, toMs: number, maxDataPoints = 1000): DataQueryRequest<SimVizQuery> {
  const range = { from: dateTime(fromMs), to: dateTime(toMs), raw: { from: dateTime(fromMs), to: dateTime(toMs) } };
  return { app: 'dashboard', requestId: 'T1', interval: '1s', intervalMs: 1000, maxDataPoints, range, scopedVars: {}, targets, timezone: 'utc', startTime: 0 };
}

async function run(query: Omit<SimVizQuery, 'refId'>, fromMs = 0, toMs = 10_000, maxDataPoints = 1000): Promise<{ data: DataFrame[] }> {
  const response = await runQueries(ds, request([{ refId: 'A', ...query }], fromMs, toMs, maxDataPoints));
  expect(response.errors).toBeUndefined();
  return { data: response.data as DataFrame[] };
}

async function idOf(name: string): Promise<string> {
  return (await ds.client.listSimulations({ search: name })).items[0].id;
}

const values = (frame: DataFrame, field = 1) => frame.fields[field].values as number[];

/**
 * A time field in milliseconds at the resolution it travels at: Grafana's frame JSON carries whole
 * milliseconds plus the nanoseconds beyond them (field.nanos), from int64 nanoseconds.
 */
function exactTimes(frame: DataFrame): number[] {
  const field = frame.fields[0];
  return (field.values as number[]).map((ms, i) => ms + (field.nanos?.[i] ?? 0) / 1e6);
}

/** Equal to within a microsecond: epoch times near 2026 in float64 milliseconds keep about a quarter of one. */
function expectSameTimes(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((t, i) => expect(Math.abs(t - expected[i])).toBeLessThanOrEqual(1e-3));
}

describe('time series options', () => {
  it('names series by the legend template and labels them with simulation, variable and model', async () => {
    const id = await idOf('TwoZoneBuilding');
    const [frame] = (await run({ simulations: [id], variables: ['zone1.T'], legend: '{{model}}/{{experiment}}: {{variable}} [{{unit}}]' }, 0, 3_600_000)).data;
    expect(frame.name).toBe('TwoZoneBuilding/winter: zone1.T [K]');
    expect(frame.fields[1].config.displayNameFromDS).toBe(frame.name);
    expect(frame.fields[1].labels).toEqual({ simulation: 'TwoZoneBuilding_winter_thermostat_20261102_080000', variable: 'zone1.T', model: 'TwoZoneBuilding' });
  });

  it('names each match of a glob by the variable it matched', async () => {
    const id = await idOf('SpringDamper_sweep_d0p5');
    const { data } = await run({ simulations: [id], variables: ['mass.*'], legend: '{{variable}}' });
    const expected = (await ds.client.listVariables(id, { glob: 'mass.*', kind: 'trajectory' })).items.map((v) => v.name);
    expect(data.map((frame) => frame.name)).toEqual(expect.arrayContaining(expected));
    data.forEach((frame) => {
      expect(frame.name).not.toContain('*');
      expect(frame.fields[1].labels?.variable).toBe(frame.name);
    });
  });

  it('converts to the display unit when asked, and labels the axis with it', async () => {
    const id = await idOf('TwoZoneBuilding');
    const query = { simulations: [id], variables: ['zone1.T'], legend: '{{variable}} [{{unit}}]' };
    const [kelvin] = (await run(query, 0, 3_600_000)).data;
    const [celsius] = (await run({ ...query, displayUnits: true }, 0, 3_600_000)).data;
    expect(kelvin.fields[1].config.unit).toBe('kelvin');
    expect(celsius.fields[1].config.unit).toBe('celsius');
    expect(celsius.name).toBe('zone1.T [degC]');
    expect(values(celsius)).toHaveLength(values(kelvin).length);
    values(celsius).forEach((c, i) => expect(c).toBeCloseTo(values(kelvin)[i] - 273.15, 9));
  });

  it('places runs at their start time on the run-start axis, clipping to the range measured from there', async () => {
    const id = await idOf('RLCCircuit');
    const start = Date.parse((await ds.client.getSimulation(id)).runAt!);
    expect(start).toBe(Date.UTC(2026, 10, 1, 9, 15, 0));
    const [onSimulationAxis] = (await run({ simulations: [id], variables: ['capacitor.v'] }, 0, 20)).data;
    const [onRunAxis] = (await run({ simulations: [id], variables: ['capacitor.v'], timeAxis: 'runStart' }, start, start + 20)).data;
    expect(onRunAxis.fields[0].type).toBe(FieldType.time);
    expectSameTimes(exactTimes(onRunAxis), exactTimes(onSimulationAxis).map((t) => start + t));
    expect(values(onRunAxis)).toEqual(values(onSimulationAxis));
  });

  it('gives the XY chart a numeric time field in seconds over the whole run', async () => {
    const id = await idOf('RLCCircuit');
    const simulation = await ds.client.getSimulation(id);
    const [frame] = (await run({ simulations: [id], variables: ['capacitor.v'], timeAxis: 'numeric' }, 0, 1)).data;
    expect(frame.fields[0]).toMatchObject({ name: 'time', type: FieldType.number, config: { unit: 's' } });
    const times = values(frame, 0);
    expect(times[0]).toBe(simulation.startTime);
    expect(times[times.length - 1]).toBe(simulation.stopTime);
  });

  it('shows Boolean, Integer and enumeration variables without decimals', async () => {
    const id = await idOf('dymola2021_fallingbodybox');
    const all = (await ds.client.listVariables(id, { limit: 1000 })).items.filter((v) => v.kind !== 'time');
    const whole = all.find((v) => v.valueType !== null);
    const real = all.find((v) => v.valueType === null);
    expect(whole).toBeDefined();
    const { data } = await run({ simulations: [id], variables: [whole!.name, real!.name] }, 0, 100_000);
    expect(data.map((frame) => frame.fields[1].config.decimals)).toEqual([0, undefined]);
  });

  it('lets the query override the panel’s maxDataPoints', async () => {
    const id = await idOf('TwoZoneBuilding');
    const [frame] = (await run({ simulations: [id], variables: ['zone1.T'], maxDataPoints: 40 }, 0, 259_200_000, 1000)).data;
    expect(values(frame).length).toBeLessThanOrEqual(40);
    expect(frame.meta?.notices?.[0].text).toMatch(/of 975 points shown/);
  });
});

describe('raw table', () => {
  it('joins a run’s variables on their shared time column with every point', async () => {
    const id = await idOf('RLCCircuit');
    const [table] = (await run({ queryType: 'table', simulations: [id], variables: ['capacitor.v', 'inductor.i'] }, 0, 20_000, 10)).data;
    expect(table.name).toBe('RLCCircuit_step_underdamped_20261101_091500');
    expect(table.fields.map((f) => f.name)).toEqual(['Time', 'capacitor.v', 'inductor.i']);
    const proxy = await ds.client.query({ simulations: [id], variables: ['capacitor.v'], from: 0, to: 20, maxDataPoints: 10_000_000 });
    expect(values(table)).toEqual((proxy.series[0] as { values: number[] }).values);
    expect(table.meta?.notices).toEqual([]);
  });
});

describe('parameters', () => {
  it('lists one run’s parameters with value and unit', async () => {
    const id = await idOf('SpringDamper_sweep_d2_');
    const [frame] = (await run({ queryType: 'parameters', simulations: [id], variables: [], parameterSearch: 'damper' })).data;
    const names = frame.fields[0].values as string[];
    expect(frame.fields.map((f) => f.name)).toEqual(['Parameter', 'Value', 'Unit', 'Description']);
    expect(names).toContain('damper.d');
    expect(values(frame)[names.indexOf('damper.d')]).toBe(2);
  });

  it('puts several runs side by side, and "differs only" keeps the parameters that vary', async () => {
    const ids = await Promise.all(['d0p5', 'd4'].map((tag) => idOf(`SpringDamper_sweep_${tag}`)));
    const all = (await run({ queryType: 'parameters', simulations: ids, variables: [] })).data[0];
    const differing = (await run({ queryType: 'parameters', simulations: ids, variables: [], differsOnly: true })).data[0];
    expect(differing.fields.map((f) => f.name)).toEqual([
      'Parameter',
      'Unit',
      'SpringDamper_sweep_d0p5_20261103_100000',
      'SpringDamper_sweep_d4_20261103_100300',
      'Description',
    ]);
    const differingNames = differing.fields[0].values as string[];
    expect(differingNames).toContain('damper.d');
    const row = differingNames.indexOf('damper.d');
    expect([values(differing, 2)[row], values(differing, 3)[row]]).toEqual([0.5, 4]);
    expect(all.length).toBeGreaterThan(differing.length);
    // Every row left out by "differs only" has the same value in both runs.
    const allNames = all.fields[0].values as string[];
    allNames.forEach((name, i) => {
      if (!differingNames.includes(name)) {
        expect(values(all, 2)[i]).toBe(values(all, 3)[i]);
      }
    });
  });
});

describe('events', () => {
  it('lists each run’s events in the range on its time axis', async () => {
    const id = await idOf('BouncingBall');
    const [frame] = (await run({ queryType: 'events', simulations: [id], variables: [] }, 0, 10_000)).data;
    const proxy = await ds.client.events(id, { from: 0, to: 10 });
    expect(proxy.items.length).toBeGreaterThan(0);
    expectSameTimes(exactTimes(frame), proxy.items.map((e) => e.time * 1000));
    expect(frame.fields.map((f) => f.name)).toEqual(['Time', 'text', 'simulation', 'tags']);
    expect(frame.fields[3].values[0]).toEqual(['simviz', (await ds.client.getSimulation(id)).name]);
  });

  it('adds run start and stop markers when asked, in time order', async () => {
    const id = await idOf('BouncingBall');
    const simulation = await ds.client.getSimulation(id);
    const [frame] = (await run({ queryType: 'events', simulations: [id], variables: [], runBounds: true }, 0, 100_000)).data;
    const times = exactTimes(frame);
    const texts = frame.fields[1].values as string[];
    expect(times[0]).toBe(simulation.startTime! * 1000);
    expect(texts[0]).toBe(`${simulation.name} starts`);
    expect(times[times.length - 1]).toBe(simulation.stopTime! * 1000);
    expect(texts[texts.length - 1]).toBe(`${simulation.name} stops`);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const events = await ds.client.events(id, { from: 0, to: 100 });
    expect(times).toHaveLength(events.items.length + 2);
  });
});
