import { readdirSync } from 'node:fs';

import { readCsv, realFixture, realFixturesDir } from '../../../tests/support/fixtures';
import { DecodeError, openResultFile, type ResultFile } from './index';

const TRAJECTORY_FIXTURES = [
  'dymola2021_fallingbodybox.mat',
  'dymola74_doublependulum.mat',
  'dymola_chuacircuit.mat',
  'dymola_ebcpy_example.mat',
  'dymola_threetanks.mat',
  'dymola_tworoomswithstorage.mat',
  'om119_bouncingball.mat',
];

async function open(name: string): Promise<ResultFile> {
  return openResultFile(realFixture(name), name);
}

async function valuesOf(file: ResultFile, name: string): Promise<Float64Array> {
  const variable = file.findVariable(name);
  if (!variable) {
    throw new Error(`${file.displayName} has no ${name}`);
  }
  const [values] = await file.readValues([variable], 0, file.timePointCount);
  return values;
}

describe('real Dymola and OpenModelica fixtures', () => {
  it('covers every .mat file in the fixtures folder', () => {
    const all = readdirSync(realFixturesDir()).filter((f) => f.endsWith('.mat'));
    expect(all.sort()).toEqual([...TRAJECTORY_FIXTURES, 'dymola_dslin_pid.mat', 'matv5_missing_aclass.mat'].sort());
  });

  it.each([
    // [file, names (time included), parameters, time points, start, stop] as counted in SOURCES.md.
    ['dymola74_doublependulum.mat', 1096, 893, 502, 0, 3],
    ['dymola_chuacircuit.mat', 62, 23, 514, 0, 2500],
    ['dymola_threetanks.mat', 435, 290, 502, 0, 200],
    ['om119_bouncingball.mat', 11, 2, 12, 0, 1],
    ['dymola2021_fallingbodybox.mat', 746, 569, 102, 0, Math.fround(0.2)],
    ['dymola_tworoomswithstorage.mat', 776, 134, 1149, 0, 604800],
    ['dymola_ebcpy_example.mat', 27, 18, 10002, 0, 10000],
  ])('%s has the catalogue its source documents', async (name, names, parameters, points, start, stop) => {
    const file = await open(name);
    expect(file.variables).toHaveLength(names);
    expect(file.variables.filter((v) => v.kind === 'parameter')).toHaveLength(parameters);
    expect(file.variables[0].kind).toBe('time');
    expect(file.timePointCount).toBe(points);
    expect(file.startTime).toBe(start);
    expect(file.stopTime).toBe(stop);
    const time = await file.readTime();
    expect(time).toHaveLength(points);
    expect(time.findIndex((t, i) => i > 0 && t < time[i - 1])).toBe(-1);
  });

  it('matches the OpenModelica bouncing ball with its CSV twin at every point', async () => {
    const file = await open('om119_bouncingball.mat');
    const rows = readCsv(realFixture('BouncingBall_res.csv'));
    const names = rows[0].slice(1, 12);
    const data = rows.slice(2, 14).map((row) => row.slice(1, 12).map(Number));
    expect(data).toHaveLength(file.timePointCount);
    for (const [column, name] of names.entries()) {
      const values = await valuesOf(file, name);
      data.forEach((row, t) => expect(values[t]).toBeCloseTo(row[column], 6));
    }
  });

  it('matches the Dymola falling body with its CSV twin, across naming conventions', async () => {
    const file = await open('dymola2021_fallingbodybox.mat');
    const [header, ...rows] = readCsv(realFixture('FallingBodyBox_res.csv'));
    expect(rows).toHaveLength(file.timePointCount);
    for (const [column, name] of header.entries()) {
      // The CSV uses OpenModelica spellings (`time`, `R.T[1,1]`); the Dymola file `Time`, `R.T[1, 1]`.
      const values = await valuesOf(file, name);
      rows.forEach((row, t) => expect(Math.abs(values[t] - Number(row[column]))).toBeLessThan(4e-6));
    }
  });

  it.each([
    // Reference values read with scipy.io.loadmat (an independent reader), float32 widened to float64.
    ['dymola_chuacircuit.mat', 'L.i', 100, 0.1344611495733261],
    ['dymola_chuacircuit.mat', 'L.n.i', 100, -0.1344611495733261],
    ['dymola_chuacircuit.mat', 'C1.v', 100, -1.0957441329956055],
    ['dymola_chuacircuit.mat', 'C1.v', 513, 2.4209835529327393],
    ['dymola74_doublependulum.mat', 'revolute1.phi', 100, -2.0937867164611816],
    ['dymola74_doublependulum.mat', 'world.frame_b.f[1]', 100, -279.80426025390625],
    ['dymola74_doublependulum.mat', 'revolute1.frame_a.f[1]', 501, 116.78510284423828],
    ['dymola74_doublependulum.mat', 'revolute2.w', 501, -0.01821286976337433],
    ['dymola_threetanks.mat', 'tank1.level', 100, 5.851737022399902],
    ['dymola_threetanks.mat', 'pipe1.port_b.m_flow', 501, 0.0008141046273522079],
    ['dymola_threetanks.mat', 'pipe1.port_a.m_flow', 501, -0.0008141046273522079],
    ['dymola_tworoomswithstorage.mat', 'Time', 100, 45067.3359375],
    ['dymola_ebcpy_example.mat', 'combiTimeTable.y[1]', 10001, 10000],
  ])('%s %s[%i] is %d', async (name, variable, index, expected) => {
    const values = await valuesOf(await open(name), variable);
    expect(values[index]).toBe(expected);
  });

  it('applies the sign of negated aliases, keeping negative zero', async () => {
    const file = await open('dymola_chuacircuit.mat');
    const [current, pinCurrent] = await Promise.all([valuesOf(file, 'L.i'), valuesOf(file, 'L.n.i')]);
    expect(Object.is(current[0], 0)).toBe(true);
    expect(Object.is(pinCurrent[0], -0)).toBe(true);
    current.forEach((v, i) => expect(pinCurrent[i]).toBe(-v));
  });

  it('reads parameters from data_1 with units and display units', async () => {
    const file = await open('dymola_threetanks.mat');
    expect(file.findVariable('system.p_ambient')).toMatchObject({
      kind: 'parameter',
      value: 101325,
      unit: 'Pa',
      displayUnit: 'bar',
      description: 'Default ambient pressure',
    });
    expect(file.findVariable('system.T_ambient')).toMatchObject({ unit: 'K', displayUnit: 'degC', value: Math.fround(293.15) });
    expect((await open('dymola_chuacircuit.mat')).findVariable('L.L')).toMatchObject({ kind: 'parameter', value: 18, unit: 'H' });
  });

  it('reads the type tags Dymola writes for Integer, Boolean and enumeration variables', async () => {
    const ebcpy = await open('dymola_ebcpy_example.mat');
    expect(ebcpy.findVariable('combiTimeTable.nout')).toMatchObject({ valueType: 'Integer', value: 6, unit: null });
    const rooms = await open('dymola_tworoomswithstorage.mat');
    expect(rooms.findVariable('roo1.energyDynamics')).toMatchObject({ valueType: 'Modelica.Fluid.Types.Dynamics' });
  });

  it('cuts names at NUL and trims padding, in both tools', async () => {
    const om = await open('om119_bouncingball.mat');
    expect(om.variables.map((v) => v.name)).toContain('der(height)');
    expect(om.variables[0]).toMatchObject({ name: 'time', description: 'Simulation time', unit: 's' });
    const dymola = await open('dymola_chuacircuit.mat');
    expect(dymola.variables[0]).toMatchObject({ name: 'Time', unit: 's' });
    expect(dymola.variables.every((v) => v.name === v.name.trim() && !v.name.includes('\0'))).toBe(true);
  });

  it('keeps duplicate time stamps (events)', async () => {
    const time = await (await open('dymola_tworoomswithstorage.mat')).readTime();
    let duplicates = 0;
    for (let i = 1; i < time.length; i++) {
      duplicates += time[i] === time[i - 1] ? 1 : 0;
    }
    expect(duplicates).toBe(325);
  });

  it('reports the linearization file as such, naming it', async () => {
    const failure = openResultFile(realFixture('dymola_dslin_pid.mat'), 'dymola_dslin_pid.mat');
    await expect(failure).rejects.toBeInstanceOf(DecodeError);
    await expect(failure).rejects.toMatchObject({
      code: 'not_a_trajectory',
      message: expect.stringMatching(/^dymola_dslin_pid\.mat: linearization result .*not a trajectory/),
    });
  });

  it('reads the plain MATLAB v5 file as MAT v5, not as a trajectory', async () => {
    const file = await openResultFile(realFixture('matv5_missing_aclass.mat'), 'matv5_missing_aclass.mat');
    expect(file.format).toBe('mat5');
    expect(file.timePointCount).toBe(50);
    expect(file.variables[0]).toMatchObject({ name: 'noi.Time', kind: 'time' });
  });
});
