/**
 * The comparison on the real Dymola and OpenModelica files (read in place from the shared
 * fixtures, never copied): each against itself, and against a copy written by SimViz's MAT v4
 * writer with one variable changed.
 */
import { readdirSync } from 'node:fs';

import { realFixture, realFixturesDir } from '../../../tests/support/fixtures';
import { openResultFile, type ResultFile } from '../decoder';
import { compareInChunks, compareRuns, resolveTolerances } from './index';
import { pairsOf, TempResults } from './test-files';

const files = new TempResults();
beforeAll(() => files.open());
afterAll(() => files.close());

/** The fixtures that hold trajectories (a linearization and a plain MATLAB file do not). */
async function trajectoryFixtures(): Promise<Array<[string, ResultFile]>> {
  const opened: Array<[string, ResultFile]> = [];
  for (const name of readdirSync(realFixturesDir()).filter((f) => f.endsWith('.mat'))) {
    const file = await openResultFile(realFixture(name), name).catch(() => undefined);
    if (file && file.timePointCount > 1 && file.variables.some((v) => v.kind === 'trajectory')) {
      opened.push([name, file]);
    }
  }
  return opened;
}

const trajectoryNames = (file: ResultFile) => file.variables.filter((v) => v.kind === 'trajectory').map((v) => v.name);

test('every real file compared with itself passes everywhere, worst relative 0', async () => {
  const fixtures = await trajectoryFixtures();
  expect(fixtures.length).toBeGreaterThanOrEqual(5);
  for (const [name, file] of fixtures) {
    const names = trajectoryNames(file);
    const result = await compareInChunks(
      file,
      file,
      { variables: pairsOf(file, file, names), tolerances: resolveTolerances(), maxIntervals: 5 },
      16
    );
    expect({ name, passed: result.passed, parameters: result.parameters, warnings: result.warnings }).toEqual({
      name,
      passed: true,
      parameters: [],
      warnings: [],
    });
    for (const v of result.variables) {
      expect({ name, variable: v.name, status: v.status, relative: v.worst?.relative, checked: v.checked }).toEqual({
        name,
        variable: v.name,
        status: 'pass',
        relative: 0,
        checked: file.timePointCount,
      });
    }
  }
});

/** A copy of `file` written by the writer, with `change` applied to one variable's values. */
async function modifiedCopy(
  file: ResultFile,
  changed: string,
  change: (t: number, y: number) => number
): Promise<ResultFile> {
  const names = trajectoryNames(file);
  const time = await file.readTime();
  const columns = await file.readValues(
    names.map((n) => file.findVariable(n)!),
    0,
    time.length
  );
  const trajectories: Record<string, Float64Array> = {};
  names.forEach((n, k) => {
    trajectories[n] = n === changed ? columns[k].map((y, i) => change(time[i], y)) : columns[k];
  });
  const parameters = Object.fromEntries(
    file.variables.filter((v) => v.kind === 'parameter').map((v) => [v.name, v.value ?? NaN])
  );
  return files.write({ time, trajectories, parameters });
}

test('a real file against a modified copy: only the changed variable fails, where it was changed', async () => {
  const file = await openResultFile(realFixture('dymola_chuacircuit.mat'), 'dymola_chuacircuit.mat');
  const names = trajectoryNames(file);
  const time = await file.readTime();
  const span = time[time.length - 1] - time[0];
  const target = names.find((n) => /C1\.v$/.test(n)) ?? names[0];
  const from = time[0] + 0.4 * span;
  const to = time[0] + 0.6 * span;
  // 10 % of the range added in the middle fifth: well beyond 0.2 %.
  const values = (await file.readValues([file.findVariable(target)!], 0, time.length))[0];
  const range = Math.max(...values) - Math.min(...values);
  const copy = await modifiedCopy(file, target, (t, y) => (t >= from && t <= to ? y + 0.1 * range : y));
  const result = await compareRuns(copy, file, {
    variables: pairsOf(copy, file, names),
    tolerances: resolveTolerances({ time: 0 }),
    maxIntervals: 5,
    plot: { maxPoints: 200 },
  });
  expect(result.passed).toBe(false);
  expect(result.parameters).toEqual([]);
  const failing = result.variables.filter((v) => v.status !== 'pass');
  expect(failing.map((v) => v.name)).toEqual([target]);
  const v = failing[0];
  expect(v.failures[0].from).toBeGreaterThanOrEqual(from);
  expect(v.failures[v.failures.length - 1].to).toBeLessThanOrEqual(to);
  expect(v.worst!.deviation).toBeCloseTo(0.1 * range - 0.002 * range, 6);
  // The plot: run, reference and tube downsampled; the unchanged variables lie inside their tubes.
  for (const other of result.variables.filter((x) => x.status === 'pass').slice(0, 5)) {
    const { run, lower, upper } = other.plot!;
    expect(run.time.length).toBeGreaterThan(0);
    expect(run.time.length).toBeLessThanOrEqual(200);
    expect(Math.min(...run.values)).toBeGreaterThanOrEqual(Math.min(...lower.values));
    expect(Math.max(...run.values)).toBeLessThanOrEqual(Math.max(...upper.values));
  }
});
