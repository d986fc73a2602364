/**
 * Files and folders the proxy may not read. Root reads everything, so when the tests run as root
 * the proxy runs as its own process under the unprivileged user `nobody`, as it would in
 * production; under any other user it runs as that user.
 */
import { chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { startProxyProcess, type ProxyProcess } from '../../../tests/harness/proxyProcess';
import type { QueryResponse, Series, SeriesError, SimulationPage } from '../../shared/api';
import { requestJson } from '../../../tests/support/proxy';
import { writeTinyRun } from '../../../tests/support/roots';

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

let base: string;
let proxy: ProxyProcess;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'simviz-permissions-'));
  const root = path.join(base, 'share');
  const cache = path.join(base, 'cache');
  await mkdir(path.join(root, 'private'), { recursive: true });
  await mkdir(cache);
  await writeTinyRun(path.join(root, 'open.mat'), { offset: 0, finished: true });
  await writeTinyRun(path.join(root, 'locked.mat'), { offset: 1, finished: true });
  await writeTinyRun(path.join(root, 'private', 'inside.mat'), { offset: 2, finished: true });
  await chmod(base, 0o755);
  await chmod(root, 0o755);
  await chmod(path.join(root, 'locked.mat'), 0o000);
  await chmod(path.join(root, 'private'), 0o700);
  if (asRoot) {
    await chown(cache, NOBODY, NOBODY);
  } else {
    // Owned by this user, so it would be listable: take away even the owner's rights.
    await chmod(path.join(root, 'private'), 0o000);
  }
  const user = asRoot ? { uid: NOBODY, gid: NOBODY, env: { ...process.env, HOME: base } } : {};
  proxy = await startProxyProcess(['--data', `share=${root}`, '--cache-dir', cache, '--log-level', 'info'], 0, user);
}, 60_000);

afterAll(async () => {
  await proxy?.stop();
  await chmod(path.join(base, 'share', 'private'), 0o755).catch(() => undefined);
  await rm(base, { recursive: true, force: true });
});

describe('files and folders the proxy may not read', () => {
  it('lists an unreadable file and an unlistable folder as errors saying "permission denied", and serves the readable file', async () => {
    const { body } = await requestJson<SimulationPage>(proxy, '/api/v1/simulations');
    expect(body.items.map((s) => [s.path, s.status, s.error ?? null])).toEqual([
      ['locked.mat', 'error', 'share/locked.mat: permission denied'],
      ['open.mat', 'ok', null],
      ['private', 'error', 'share/private/: the folder cannot be listed (permission denied), so the runs in it are not listed'],
    ]);
    const [locked, open] = body.items;
    const answer = await requestJson<QueryResponse>(proxy, '/api/v1/query', { body: { simulations: [open.id, locked.id], variables: ['x'] } });
    expect(answer.status).toBe(200);
    expect((answer.body.series[0] as Series).values).toEqual([0, 0.5, 1]);
    const refused: Partial<SeriesError> = { simulation: locked.id, error: { code: 'unreadable_simulation', message: 'share/locked.mat: permission denied' } };
    expect(answer.body.series[1]).toMatchObject(refused);
  });

  it('lists and serves the file once its permissions are fixed, at its next read', async () => {
    await chmod(path.join(base, 'share', 'locked.mat'), 0o644);
    const { body } = await requestJson<SimulationPage>(proxy, '/api/v1/simulations');
    const locked = body.items.find((s) => s.path === 'locked.mat')!;
    const answer = await requestJson<QueryResponse>(proxy, '/api/v1/query', { body: { simulations: [locked.id], variables: ['x'] } });
    expect((answer.body.series[0] as Series).values).toEqual([1, 1.5, 2]);
    const after = await requestJson<SimulationPage>(proxy, '/api/v1/simulations');
    expect(after.body.items.map((s) => [s.path, s.status])).toEqual([
      ['locked.mat', 'ok'],
      ['open.mat', 'ok'],
      ['private', 'error'],
    ]);
  });

  it('also says in the log which folder it could not list, and stays ready', async () => {
    const warnings = proxy.logs.filter((entry) => entry.msg === 'cannot list directory');
    expect(warnings.map((entry) => entry.directory)).toEqual([path.join(base, 'share', 'private')]);
    expect((await fetch(`${proxy.url}/api/v1/ready`)).status).toBe(200);
  });
});
