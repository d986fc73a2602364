/**
 * The regression routes on a real proxy: a run against its reference (named in the sidecar or in
 * the request), the batch over a folder, and naming a reference through the API (write scope,
 * atomic, keeping the sidecar's other fields, a clear error on a folder the proxy may not write).
 */
import { chmod, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Value } from '@sinclair/typebox/value';

import type { ErrorBody, Simulation, SimulationPage } from '../../shared/api';
import { BatchCompareResponseSchema, RegressionResultSchema, type BatchCompareResponse, type RegressionResult } from '../../shared/regression';
import type { RunningProxy } from '../main';
import { requestJson, startTestProxy } from '../../../tests/support/proxy';
import { startProxyProcess, type ProxyProcess } from '../../../tests/harness/proxyProcess';
import { writeResultFile } from '../../engine/writer/mat4-writer';

const READER = 'reader-key-0123456789';
const WRITER = 'writer-key-0123456789';
const STEPS = 201;
const STOP = 10;

let dir: string;
let proxy: RunningProxy;
let ids: Record<string, string>;

interface RunShape {
  /** Value of the step in `y` (0 before `stepAt`). */
  stepAt?: number;
  /** Added to `x` inside [4, 5]. */
  bump?: number;
  gain?: number;
  withZ?: boolean;
}

async function writeRun(file: string, { stepAt = 5, bump = 0, gain = 2, withZ = false }: RunShape = {}): Promise<void> {
  const time = Array.from({ length: STEPS }, (_, i) => (i * STOP) / (STEPS - 1));
  const trajectories: Record<string, number[]> = {
    x: time.map((t) => Math.sin(t) + (t >= 4 && t <= 5 ? bump : 0)),
    y: time.map((t) => (t >= stepAt ? 1 : 0)),
  };
  if (withZ) {
    trajectories.z = time.map((t) => t);
  }
  await writeResultFile(
    file,
    {
      startTime: 0,
      stopTime: STOP,
      variables: [
        { kind: 'trajectory', name: 'x', unit: 'K' },
        { kind: 'trajectory', name: 'y' },
        ...(withZ ? [{ kind: 'trajectory' as const, name: 'z' }] : []),
        { kind: 'parameter', name: 'gain', value: gain },
      ],
      options: { precision: 'float64' },
    },
    { time, trajectories }
  );
  const anHourAgo = new Date(Date.now() - 3600_000);
  await utimes(file, anHourAgo, anHourAgo);
}

async function sidecar(file: string, fields: Record<string, unknown>): Promise<void> {
  await writeFile(`${file}.json`, JSON.stringify(fields));
}

const post = <T>(url: string, body: unknown, key = READER) => requestJson<T & ErrorBody>(proxy, url, { body, key });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'simviz-regression-'));
  const nightly = path.join(dir, 'nightly');
  await mkdir(path.join(dir, 'ref'), { recursive: true });
  await mkdir(nightly, { recursive: true });
  await writeRun(path.join(dir, 'ref', 'base.mat'));
  await writeRun(path.join(nightly, 'same.mat'));
  await sidecar(path.join(nightly, 'same.mat'), { reference: 'ref/base.mat', owner: 'thermal team' });
  await writeRun(path.join(nightly, 'bumped.mat'), { bump: 0.5, gain: 3, withZ: true });
  await sidecar(path.join(nightly, 'bumped.mat'), { reference: 'ref/base.mat' });
  await writeRun(path.join(nightly, 'loose.mat'), { bump: 0.5 });
  await sidecar(path.join(nightly, 'loose.mat'), { reference: 'ref/base.mat', tolerances: { absolute: 1 } });
  await writeRun(path.join(nightly, 'orphan.mat'));
  await mkdir(path.join(dir, 'elsewhere'));
  await writeRun(path.join(dir, 'elsewhere', 'beside.mat'));
  await sidecar(path.join(dir, 'elsewhere', 'beside.mat'), { reference: '../ref/base.mat' });
  await writeRun(path.join(dir, 'elsewhere', 'escaping.mat'));
  await sidecar(path.join(dir, 'elsewhere', 'escaping.mat'), { reference: '../../outside.mat' });
  await writeFile(path.join(dir, 'ref', 'broken.mat'), Buffer.from('MATLAB 5.0 MAT-file, not really'));
  await writeRun(path.join(nightly, 'against-broken.mat'));
  await sidecar(path.join(nightly, 'against-broken.mat'), { reference: 'ref/broken.mat' });
  proxy = await startTestProxy([{ name: 'lab', path: dir }], [READER, { key: WRITER, scopes: ['read', 'write'] }]);
  const { body } = await requestJson<SimulationPage>(proxy, '/api/v1/simulations?limit=100', { key: READER });
  ids = Object.fromEntries(body.items.map((s) => [s.path, s.id]));
});

afterAll(async () => {
  await proxy.close();
  await rm(dir, { recursive: true, force: true });
});

describe('POST /api/v1/simulations/{id}/compare', () => {
  it('passes a run identical to the reference its sidecar names, over every trajectory', async () => {
    const { status, body } = await post<RegressionResult>(`/api/v1/simulations/${ids['nightly/same.mat']}/compare`, {});
    expect(status).toBe(200);
    expect(Value.Check(RegressionResultSchema, body)).toBe(true);
    expect(body).toMatchObject({ passed: true, reference: ids['ref/base.mat'], referenceName: 'base', counts: { variables: 2, passed: 2, failed: 0, missing: 0 } });
    expect(body.variables.map((v) => [v.name, v.status, v.failures])).toEqual([
      ['x', 'pass', []],
      ['y', 'pass', []],
    ]);
    expect(body.parameters).toEqual([]);
  });

  it('fails a bumped run where it leaves the tube, reports the worst deviation, a variable only the run has and the parameter that differs', async () => {
    const { body } = await post<RegressionResult>(`/api/v1/simulations/${ids['nightly/bumped.mat']}/compare`, { variables: ['*'] });
    expect(body.passed).toBe(false);
    const x = body.variables.find((v) => v.name === 'x');
    expect(x?.status).toBe('fail');
    expect(x?.failures.length).toBeGreaterThan(0);
    for (const interval of x?.failures ?? []) {
      // The bump is on [4, 5]; the tube's time tolerance may widen that a little, never far.
      expect(interval.from).toBeGreaterThanOrEqual(3.5);
      expect(interval.to).toBeLessThanOrEqual(5.5);
    }
    expect(x?.worst?.time).toBeGreaterThanOrEqual(4);
    expect(x?.worst?.time).toBeLessThanOrEqual(5);
    expect(x?.worst?.relative).toBeGreaterThan(1);
    expect(body.variables.find((v) => v.name === 'y')?.status).toBe('pass');
    expect(body.variables.find((v) => v.name === 'z')).toMatchObject({ status: 'missing', missingIn: 'reference' });
    expect(body.parameters).toEqual([{ name: 'gain', unit: null, value: 3, referenceValue: 2 }]);
  });

  it('reads a reference named beside the run (./, ../) wherever the root is, but never one outside the root', async () => {
    const { body } = await requestJson<Simulation>(proxy, `/api/v1/simulations/${ids['elsewhere/beside.mat']}`, { key: READER });
    expect(body.referenceId).toBe(ids['ref/base.mat']);
    expect((await post<RegressionResult>(`/api/v1/simulations/${ids['elsewhere/beside.mat']}/compare`, {})).body.passed).toBe(true);
    const escaping = await requestJson<Simulation>(proxy, `/api/v1/simulations/${ids['elsewhere/escaping.mat']}`, { key: READER });
    expect(escaping.body.referenceId).toBeNull();
    expect(escaping.body.warnings).toEqual([expect.stringContaining('is outside the data root')]);
  });

  it('takes tolerances from the sidecar, and the request’s over them', async () => {
    const loose = await post<RegressionResult>(`/api/v1/simulations/${ids['nightly/loose.mat']}/compare`, { variables: ['x'] });
    expect(loose.body.passed).toBe(true);
    expect(loose.body.tolerances.absolute).toBe(1);
    const strict = await post<RegressionResult>(`/api/v1/simulations/${ids['nightly/loose.mat']}/compare`, { variables: ['x'], tolerances: { absolute: 0.01 } });
    expect(strict.body.passed).toBe(false);
  });

  it('compares against any run given, and returns the curves and the tube for plotting', async () => {
    const { body } = await post<RegressionResult>(`/api/v1/simulations/${ids['nightly/orphan.mat']}/compare`, {
      referenceId: ids['nightly/bumped.mat'],
      variables: ['x'],
      plot: { maxDataPoints: 50 },
    });
    expect(body.passed).toBe(false);
    const plot = body.variables[0].plot;
    expect(plot?.run.time.length).toBeGreaterThan(0);
    expect(plot?.run.time.length).toBeLessThanOrEqual(50);
    const lower = plot?.lower.values ?? [];
    const upper = plot?.upper.values ?? [];
    expect(lower.length).toBeGreaterThan(0);
    expect(upper.length).toBeGreaterThan(0);
    expect(Math.min(...(upper as number[]))).toBeLessThan(Math.max(...(upper as number[])));
  });

  it('answers clear errors for a run without a reference, an unknown reference, itself, an unreadable reference and a variable nobody has', async () => {
    const orphan = await post(`/api/v1/simulations/${ids['nightly/orphan.mat']}/compare`, {});
    expect(orphan.status).toBe(400);
    expect(orphan.body.error.code).toBe('no_reference');
    expect(orphan.body.error.message).toContain('lab/nightly/orphan.mat names no reference');
    const unknown = await post(`/api/v1/simulations/${ids['nightly/orphan.mat']}/compare`, { referenceId: 'lab~nope' });
    expect(unknown.status).toBe(404);
    const self = await post(`/api/v1/simulations/${ids['nightly/orphan.mat']}/compare`, { referenceId: ids['nightly/orphan.mat'] });
    expect(self.status).toBe(400);
    const broken = await post(`/api/v1/simulations/${ids['nightly/against-broken.mat']}/compare`, {});
    expect(broken.status).toBe(422);
    expect(broken.body.error.message).toContain('broken.mat');
    const nothing = await post(`/api/v1/simulations/${ids['nightly/same.mat']}/compare`, { variables: ['nosuch*'] });
    expect(nothing.status).toBe(400);
    expect(nothing.body.error.code).toBe('unknown_variable');
    const badTolerance = await post(`/api/v1/simulations/${ids['nightly/same.mat']}/compare`, { tolerances: { relative: -1 } });
    expect(badTolerance.status).toBe(400);
  });
});

describe('POST /api/v1/compare', () => {
  it('compares every run of a folder that names a reference; one that cannot be compared is an item with its error', async () => {
    const { status, body } = await post<BatchCompareResponse>('/api/v1/compare', { folder: 'nightly' });
    expect(status).toBe(200);
    expect(Value.Check(BatchCompareResponseSchema, body)).toBe(true);
    expect(body).toMatchObject({ selected: 5, withoutReference: 1, truncated: 0, counts: { passed: 2, failed: 1, errors: 1 } });
    const everywhere = await post<BatchCompareResponse>('/api/v1/compare', {});
    expect(everywhere.body.counts).toEqual({ passed: 3, failed: 1, errors: 1 });
    const byName = Object.fromEntries(body.items.map((item) => [item.simulationName, item]));
    expect(Object.keys(byName).sort()).toEqual(['against-broken', 'bumped', 'loose', 'same']);
    expect(byName['against-broken']).toMatchObject({ error: { code: 'unreadable_simulation' } });
    expect(byName.bumped).toMatchObject({ passed: false });
  });

  it('keeps to the limit and says how many runs it left', async () => {
    const { body } = await post<BatchCompareResponse>('/api/v1/compare', { folder: 'nightly', limit: 1 });
    expect(body.items).toHaveLength(1);
    expect(body.truncated).toBe(3);
  });

  it('refuses a modifiedSince that is no time', async () => {
    const { status } = await post('/api/v1/compare', { modifiedSince: 'last night' });
    expect(status).toBe(400);
  });
});

describe('PUT /api/v1/simulations/{id}/reference', () => {
  const put = (id: string, body: unknown, key = WRITER) => requestJson<Simulation & ErrorBody>(proxy, `/api/v1/simulations/${id}/reference`, { body, key, method: 'PUT' });

  it('needs the write scope', async () => {
    const { status } = await put(ids['nightly/orphan.mat'], { referenceId: ids['ref/base.mat'] }, READER);
    expect(status).toBe(403);
  });

  it('writes the sidecar atomically, keeping its other fields, and lists the reference at once', async () => {
    const same = path.join(dir, 'nightly', 'same.mat');
    const { status, body } = await put(ids['nightly/same.mat'], { referenceId: ids['nightly/orphan.mat'] });
    expect(status).toBe(200);
    expect(body.referenceId).toBe(ids['nightly/orphan.mat']);
    expect(JSON.parse(await readFile(`${same}.json`, 'utf8'))).toEqual({ reference: 'nightly/orphan.mat', owner: 'thermal team' });
    const listed = await requestJson<Simulation>(proxy, `/api/v1/simulations/${ids['nightly/same.mat']}`, { key: READER });
    expect(listed.body.referenceId).toBe(ids['nightly/orphan.mat']);
    const removed = await put(ids['nightly/same.mat'], { referenceId: null });
    expect(removed.body.referenceId).toBeNull();
    expect(JSON.parse(await readFile(`${same}.json`, 'utf8'))).toEqual({ owner: 'thermal team' });
    await put(ids['nightly/same.mat'], { referenceId: ids['ref/base.mat'] });
  });

  it('creates a sidecar where there was none', async () => {
    const { status } = await put(ids['nightly/orphan.mat'], { referenceId: ids['ref/base.mat'] });
    expect(status).toBe(200);
    expect(JSON.parse(await readFile(path.join(dir, 'nightly', 'orphan.mat.json'), 'utf8'))).toEqual({ reference: 'ref/base.mat' });
  });

  it('refuses an unknown run or reference, and a sidecar it would have to overwrite blindly', async () => {
    expect((await put('lab~nope', { referenceId: ids['ref/base.mat'] })).status).toBe(404);
    expect((await put(ids['nightly/orphan.mat'], { referenceId: 'lab~nope' })).status).toBe(404);
    const bad = path.join(dir, 'nightly', 'loose.mat.json');
    await writeFile(bad, '{"reference": "ref/base.mat", oops');
    const answer = await put(ids['nightly/loose.mat'], { referenceId: ids['ref/base.mat'] });
    expect(answer.status).toBe(422);
    expect(answer.body.error.message).toContain('lab/nightly/loose.mat.json is not valid JSON');
    expect(await readFile(bad, 'utf8')).toBe('{"reference": "ref/base.mat", oops');
  });
});

describe('the OpenAPI document', () => {
  it('describes the three routes with their request and answer schemas', async () => {
    const { body } = await requestJson<{ paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>> }>(
      proxy,
      '/api/v1/openapi.json',
      { key: READER }
    );
    const compare = body.paths['/api/v1/simulations/{id}/compare']?.post;
    const batch = body.paths['/api/v1/compare']?.post;
    const reference = body.paths['/api/v1/simulations/{id}/reference']?.put;
    for (const operation of [compare, batch, reference]) {
      expect(operation?.requestBody).toBeDefined();
      expect(operation?.responses['200']).toBeDefined();
    }
    expect(JSON.stringify(compare?.responses['200'])).toContain('failureCount');
    expect(JSON.stringify(batch?.requestBody)).toContain('modifiedSince');
  });
});

describe('a data root the proxy may not write', () => {
  const NOBODY = 65534;
  const asRoot = process.getuid?.() === 0;
  let base: string;
  let readOnly: ProxyProcess;

  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'simviz-regression-ro-'));
    const share = path.join(base, 'share');
    await mkdir(share);
    await writeRun(path.join(share, 'a.mat'));
    await writeRun(path.join(share, 'b.mat'));
    const cache = path.join(base, 'cache');
    await mkdir(cache);
    await chmod(base, 0o755);
    // Root writes anywhere, so as root the proxy runs as `nobody`, who may not write the share.
    await chmod(share, asRoot ? 0o755 : 0o555);
    if (asRoot) {
      const { chown } = await import('node:fs/promises');
      await chown(cache, NOBODY, NOBODY);
    }
    const user = asRoot ? { uid: NOBODY, gid: NOBODY, env: { ...process.env, HOME: base } } : {};
    readOnly = await startProxyProcess(['--data', `share=${share}`, '--cache-dir', cache], 0, user);
  }, 60_000);

  afterAll(async () => {
    await readOnly?.stop();
    await chmod(path.join(base, 'share'), 0o755).catch(() => undefined);
    await rm(base, { recursive: true, force: true });
  });

  it('answers 409 naming the sidecar, and leaves nothing behind', async () => {
    const { body: page } = await requestJson<SimulationPage>(readOnly, '/api/v1/simulations');
    const [a, b] = page.items;
    const answer = await requestJson<ErrorBody>(readOnly, `/api/v1/simulations/${a.id}/reference`, { method: 'PUT', body: { referenceId: b.id } });
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe('read_only_root');
    expect(answer.body.error.message).toContain('share/a.mat.json');
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(path.join(base, 'share'))).sort()).toEqual(['a.mat', 'b.mat']);
  });
});
