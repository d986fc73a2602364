/**
 * SIGTERM while a per-variable layout is being built in the background: the proxy finishes the
 * build before it exits, so the cache holds no half-written file, and a restarted proxy reads the
 * layout and answers exactly as before.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { startProxyProcess, type ProxyProcess } from '../../../tests/harness/proxyProcess';
import type { QueryResponse, Series, SimulationPage } from '../../shared/api';
import { writeBenchFile } from '../../../scripts/bench/generate';
import { requestJson } from '../../../tests/support/proxy';

let base: string;
let root: string;
let cache: string;
let proxy: ProxyProcess | undefined;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'simviz-shutdown-'));
  root = path.join(base, 'share');
  cache = path.join(base, 'cache');
  await mkdir(root);
  // 80 MB of float64: its layout takes a while to write.
  await writeBenchFile(path.join(root, 'long.mat'), { signals: 100, steps: 100_000, precision: 'float64' });
}, 60_000);

afterAll(async () => {
  await proxy?.stop('SIGKILL');
  await rm(base, { recursive: true, force: true });
});

async function queryBoth(running: ProxyProcess): Promise<Series[]> {
  const { items } = (await requestJson<SimulationPage>(running, '/api/v1/simulations')).body;
  const variables = ['plant.unit0.pipe0.port_a.signal3', 'plant.unit0.pipe9.port_a.signal77'];
  const answer = (await requestJson<QueryResponse>(running, '/api/v1/query', { body: { simulations: [items[0].id], variables, maxDataPoints: 1500 } })).body;
  expect(answer.series.map((s) => ('values' in s ? s.values.length : s))).toEqual([expect.any(Number), expect.any(Number)]);
  return answer.series as Series[];
}

describe('SIGTERM while a layout is being built', () => {
  it('exits cleanly after the build, leaving no partial file, and the next start answers the same', async () => {
    const options = ['--data', `lab=${root}`, '--cache-dir', cache];
    proxy = await startProxyProcess(options);
    // The first read starts the layout build; the process is told to stop right after it answers.
    const before = await queryBoth(proxy);
    const exited = new Promise<number | null>((resolve) => proxy!.child.once('exit', (code) => resolve(code)));
    await proxy.stop('SIGTERM');
    expect(await exited).toBe(0);

    const files = await readdir(path.join(cache, 'columns'));
    expect(files.filter((file) => file.endsWith('.partial'))).toEqual([]);
    expect(files.filter((file) => file.endsWith('.cols'))).toHaveLength(1);

    proxy = await startProxyProcess(options);
    const after = await queryBoth(proxy);
    expect(after.map((s) => [s.variable, s.time, s.values])).toEqual(before.map((s) => [s.variable, s.time, s.values]));
    expect(await readdir(path.join(cache, 'columns'))).toEqual(files);
  }, 60_000);
});
