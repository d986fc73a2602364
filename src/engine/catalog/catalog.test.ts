import { appendFile, copyFile, mkdir, mkdtemp, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import pino from 'pino';

import type { Simulation, SimulationStatus } from '../../shared/api';
import { writeResultFile, type ResultSpec } from '../writer/mat4-writer';
import { Catalog, type CatalogOptions } from './catalog';
import { simulationId } from './ids';
import { loadIndex } from './index-store';
import { parseRunName } from './metadata';

const logger = pino({ level: process.env.SIMVIZ_TEST_LOG ?? 'silent' });
let dir: string;

const SPEC: ResultSpec = {
  startTime: 0,
  stopTime: 1,
  variables: [
    { kind: 'trajectory', name: 'x', unit: 'K' },
    { kind: 'parameter', name: 'p', value: 2 },
  ],
};

async function writeRun(file: string, points = 11, spec: ResultSpec = SPEC): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const time = Array.from({ length: points }, (_, i) => i / (points - 1));
  const trajectories: Record<string, number[]> = {};
  for (const v of spec.variables) {
    if (v.kind === 'trajectory') {
      trajectories[v.name] = time.map((t) => t * 2);
    }
  }
  await writeResultFile(file, spec, { time, trajectories });
  // Old enough to count as settled.
  const past = new Date(Date.now() - 60_000);
  await utimes(file, past, past);
}

/** A catalog with counters of what it decoded and reported. */
function makeCatalog(root: string, options: CatalogOptions = {}) {
  const seen = { decoded: 0, counts: undefined as Record<SimulationStatus, number> | undefined };
  const catalog = new Catalog([{ name: 'runs', path: root }], logger, {
    settleMs: 0,
    ...options,
    observer: {
      decoded: () => seen.decoded++,
      statusCounts: (counts) => (seen.counts = counts),
    },
  });
  return { catalog, seen };
}

function byPath(catalog: Catalog, relativePath: string): Simulation | undefined {
  return catalog.get(simulationId('runs', relativePath));
}

async function eventually<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'simviz-catalog-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('run names', () => {
  it('reads model, experiment, condition and time stamp from the naming convention', () => {
    expect(parseRunName('HeatPump_Cooling_T35_rh60_20250314_093015')).toEqual({
      model: 'HeatPump',
      experiment: 'Cooling',
      condition: 'T35_rh60',
      runAt: '2025-03-14T09:30:15.000Z',
    });
  });

  it.each(['dsres', 'a_b_20250314_093015', 'Pump_Test_c_20250231_093015', 'Pump_Test_c_20250314_246000', 'Pump_Test_c_2025031_093015'])(
    'does not take %s for a conventional name',
    (name) => expect(parseRunName(name)).toBeNull()
  );
});

describe('metadata and quality checks', () => {
  it('lists folder, naming-convention fields and sidecar tags, description, model and reference', async () => {
    const run = path.join(dir, 'plant/a/HeatPump_Cooling_T35_20250314_093015.mat');
    await writeRun(run);
    await writeRun(path.join(dir, 'plant/ref.mat'));
    await writeFile(
      `${run}.json`,
      JSON.stringify({ tags: ['baseline', 'v2'], description: 'Nominal cooling', model: 'Plant.HeatPump', reference: 'plant/ref.mat', owner: 'kept' })
    );
    const { catalog } = makeCatalog(dir);
    await catalog.start();
    expect(byPath(catalog, 'plant/a/HeatPump_Cooling_T35_20250314_093015.mat')).toMatchObject({
      status: 'ok',
      folder: 'plant/a',
      model: 'Plant.HeatPump',
      experiment: 'Cooling',
      condition: 'T35',
      runAt: '2025-03-14T09:30:15.000Z',
      tags: ['baseline', 'v2'],
      description: 'Nominal cooling',
      referenceId: simulationId('runs', 'plant/ref.mat'),
      warnings: [],
    });
    await catalog.close();
  });

  it('keeps a run usable when its sidecar is broken, and says what is wrong with the sidecar', async () => {
    await writeRun(path.join(dir, 'bad-json.mat'));
    await writeFile(path.join(dir, 'bad-json.mat.json'), '{"tags": [');
    await writeRun(path.join(dir, 'bad-tags.mat'));
    await writeFile(path.join(dir, 'bad-tags.mat.json'), JSON.stringify({ tags: 'baseline' }));
    await writeRun(path.join(dir, 'escape.mat'));
    await writeFile(path.join(dir, 'escape.mat.json'), JSON.stringify({ reference: '../../etc/passwd' }));
    const { catalog } = makeCatalog(dir);
    await catalog.start();
    expect(byPath(catalog, 'bad-json.mat')).toMatchObject({ status: 'ok', warnings: [expect.stringMatching(/^sidecar runs\/bad-json\.mat\.json is not valid JSON/)] });
    expect(byPath(catalog, 'bad-tags.mat')).toMatchObject({ status: 'ok', tags: [], warnings: [expect.stringMatching(/^sidecar runs\/bad-tags\.mat\.json: tags: /)] });
    expect(byPath(catalog, 'escape.mat')).toMatchObject({ status: 'ok', referenceId: null, warnings: [expect.stringContaining('outside the data root')] });
    await catalog.close();
  });

  it('lists too small, parameter-only and undecodable files as errors naming the file and the problem', async () => {
    await writeFile(path.join(dir, 'tiny.mat'), 'MATLAB');
    await writeRun(path.join(dir, 'params-only.mat'), 3, { startTime: 0, stopTime: 1, variables: [{ kind: 'parameter', name: 'p', value: 1 }] });
    await writeFile(path.join(dir, 'noise.mat'), Buffer.alloc(4096, 7));
    for (const name of ['tiny.mat', 'noise.mat']) {
      const past = new Date(Date.now() - 60_000);
      await utimes(path.join(dir, name), past, past);
    }
    const { catalog, seen } = makeCatalog(dir);
    await catalog.start();
    expect(byPath(catalog, 'tiny.mat')).toMatchObject({ status: 'error', error: 'runs/tiny.mat: is only 6 bytes, too small to be a result file' });
    expect(byPath(catalog, 'params-only.mat')).toMatchObject({ status: 'error', error: expect.stringMatching(/^runs\/params-only\.mat: holds no trajectory/) });
    expect(byPath(catalog, 'noise.mat')?.error).toMatch(/^runs\/noise\.mat: /);
    expect(seen.counts).toEqual({ ok: 0, error: 3, writing: 0 });
    await catalog.close();
  });
});

describe('persistent index', () => {
  it('decodes only new or changed files on restart, and rebuilds from a corrupt index', async () => {
    const cache = path.join(dir, '.cache');
    for (let i = 0; i < 20; i++) {
      await writeRun(path.join(dir, `runs/r${i}.mat`));
    }
    const first = makeCatalog(dir, { indexDir: cache });
    await first.catalog.start();
    await first.catalog.close();
    expect(first.seen.decoded).toBe(20);
    expect((await loadIndex(cache)).index.size).toBe(20);

    await writeRun(path.join(dir, 'runs/r3.mat'), 50);
    await writeRun(path.join(dir, 'runs/new.mat'));
    await writeFile(path.join(dir, 'runs/r5.mat.json'), JSON.stringify({ tags: ['late'] }));
    const second = makeCatalog(dir, { indexDir: cache });
    await second.catalog.start();
    expect(second.seen.decoded).toBe(3);
    expect(second.catalog.size).toBe(21);
    expect(byPath(second.catalog, 'runs/r3.mat')?.timePointCount).toBe(50);
    expect(byPath(second.catalog, 'runs/r5.mat')?.tags).toEqual(['late']);
    await second.catalog.close();

    await writeFile(path.join(cache, 'index-v1.json'), '{"format":"simviz-index","files":[{"root":1}]}');
    const third = makeCatalog(dir, { indexDir: cache });
    await third.catalog.start();
    expect(third.seen.decoded).toBe(21);
    await third.catalog.close();
  });

  it('does not reuse entries of a root name that now points at another folder', async () => {
    const cache = path.join(dir, '.cache');
    await writeRun(path.join(dir, 'one/r.mat'));
    await copyFile(path.join(dir, 'one/r.mat'), path.join(dir, 'two-r.mat'));
    await mkdir(path.join(dir, 'two'));
    await copyFile(path.join(dir, 'one/r.mat'), path.join(dir, 'two/r.mat'));
    const first = makeCatalog(path.join(dir, 'one'), { indexDir: cache });
    await first.catalog.start();
    await first.catalog.close();
    const second = makeCatalog(path.join(dir, 'two'), { indexDir: cache });
    await second.catalog.start();
    expect(second.seen.decoded).toBe(1);
    await second.catalog.close();
  });
});

describe('watching', () => {
  const watch = { watch: {}, settleMs: 400 } satisfies CatalogOptions;

  it('shows a new file as writing at once, then ok once it settles; removal drops it', async () => {
    const { catalog } = makeCatalog(dir, watch);
    await catalog.start();
    expect(catalog.size).toBe(0);
    await writeResultFile(path.join(dir, 'live.mat'), SPEC, { time: [0, 0.5, 1], trajectories: { x: [1, 2, 3] } });
    await eventually(() => byPath(catalog, 'live.mat'), 'the new file to be listed');
    expect(byPath(catalog, 'live.mat')?.status).toBe('writing');
    // Growing files stay queryable while writing.
    const file = await catalog.openFile(simulationId('runs', 'live.mat'));
    expect(file?.timePointCount).toBe(3);
    await eventually(() => (byPath(catalog, 'live.mat')?.status === 'ok' ? true : undefined), 'the file to settle');
    expect(byPath(catalog, 'live.mat')).toMatchObject({ timePointCount: 3, variableCount: 3 });

    await rm(path.join(dir, 'live.mat'));
    await eventually(() => (byPath(catalog, 'live.mat') ? undefined : true), 'the removal');
    await catalog.close();
  });

  it('marks a file that changes as writing again, and reports a file that settles broken as an error', async () => {
    await writeRun(path.join(dir, 'grow.mat'));
    const { catalog } = makeCatalog(dir, watch);
    await catalog.start();
    expect(byPath(catalog, 'grow.mat')?.status).toBe('ok');
    await truncate(path.join(dir, 'grow.mat'), 300);
    await eventually(() => (byPath(catalog, 'grow.mat')?.status === 'writing' ? true : undefined), 'writing status');
    await eventually(() => (byPath(catalog, 'grow.mat')?.status === 'error' ? true : undefined), 'the broken file to settle');
    expect(byPath(catalog, 'grow.mat')?.error).toMatch(/^runs\/grow\.mat: /);
    await catalog.close();
  });

  it('picks up sidecar changes and ignores hidden files', async () => {
    await writeRun(path.join(dir, 'tagged.mat'));
    const { catalog } = makeCatalog(dir, watch);
    await catalog.start();
    await writeFile(path.join(dir, 'tagged.mat.json'), JSON.stringify({ tags: ['new'] }));
    await eventually(() => (byPath(catalog, 'tagged.mat')?.tags?.includes('new') ? true : undefined), 'the sidecar tags');
    await writeRun(path.join(dir, '.staging/hidden.mat'));
    await appendFile(path.join(dir, '.hidden.mat'), 'x');
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(catalog.size).toBe(1);
    await catalog.close();
  });
});

describe('listing', () => {
  it('filters by words, folder, status and tag, sorts either way, and pages', async () => {
    await writeRun(path.join(dir, 'hp/HeatPump_Cooling_T35_20250314_093015.mat'));
    await writeRun(path.join(dir, 'hp/HeatPump_Heating_T7_20250101_120000.mat'));
    await writeRun(path.join(dir, 'hpx/Boiler_Heating_T7_20240101_120000.mat'));
    await writeFile(path.join(dir, 'hp/HeatPump_Heating_T7_20250101_120000.mat.json'), JSON.stringify({ tags: ['winter'] }));
    await writeFile(path.join(dir, 'hp/broken.mat'), Buffer.alloc(100));
    const past = new Date(Date.now() - 60_000);
    await utimes(path.join(dir, 'hp/broken.mat'), past, past);
    const { catalog } = makeCatalog(dir);
    await catalog.start();
    const names = (filter: Parameters<Catalog['list']>[0]) => catalog.list(filter).items.map((s) => s.name);
    const page = { limit: 100, offset: 0 };
    expect(names({ ...page, search: 'heating t7' })).toEqual(['HeatPump_Heating_T7_20250101_120000', 'Boiler_Heating_T7_20240101_120000']);
    expect(names({ ...page, folder: 'hp' })).toHaveLength(3);
    expect(names({ ...page, folder: 'runs/hp' })).toHaveLength(3);
    expect(names({ ...page, folder: 'runs' })).toHaveLength(4);
    expect(names({ ...page, folder: 'run' })).toHaveLength(0);
    expect(names({ ...page, folder: 'hp', status: 'error' })).toEqual(['broken']);
    expect(names({ ...page, tag: 'winter' })).toEqual(['HeatPump_Heating_T7_20250101_120000']);
    expect(names({ ...page, sort: 'runAt', order: 'desc' })).toEqual([
      'HeatPump_Cooling_T35_20250314_093015',
      'HeatPump_Heating_T7_20250101_120000',
      'Boiler_Heating_T7_20240101_120000',
      'broken',
    ]);
    expect(catalog.list({ limit: 2, offset: 1, sort: 'name' })).toMatchObject({ total: 4, items: [{ name: 'broken' }, { name: 'HeatPump_Cooling_T35_20250314_093015' }] });
    await catalog.close();
  });
});
