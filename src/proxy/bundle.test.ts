import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { buildProxy } from '../../scripts/build-proxy';
import { writeHdf5Fixtures } from '../../tests/support/hdf5-fixtures';
import { realFixturesDir } from '../../tests/support/fixtures';

const REPO = path.resolve(__dirname, '../..');
let dir: string;
let bundle: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'simviz-bundle-'));
  bundle = await buildProxy(path.join(dir, 'simviz-proxy.js'));
}, 60_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

function readyUrl(child: ChildProcess): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'SimViz proxy ready' && entry.url) {
        resolve(entry.url);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
  });
}

describe('the bundled proxy (what docker-compose and `simviz-proxy` run)', () => {
  it('runs with plain node and serves the fixtures, with no node_modules beside it', async () => {
    const child = spawn(process.execPath, [bundle, '--data', `real=${realFixturesDir()}`, '--port', '0', '--api-key', 'k1'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await readyUrl(child);
      const health = (await (await fetch(`${url}/api/v1/health`)).json()) as { simulations: number };
      expect(health.simulations).toBe(11);
      const list = await fetch(`${url}/api/v1/simulations`, { headers: { authorization: 'Bearer k1' } });
      expect(list.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  }, 30_000);

  it('reads HDF5 results (SDF and MATLAB v7.3) through the worker embedded at build time', async () => {
    const hdf5Dir = path.join(dir, 'hdf5');
    await mkdir(hdf5Dir);
    writeHdf5Fixtures(hdf5Dir);
    // From the temp folder no esbuild can be resolved, so only the embedded worker can answer.
    const child = spawn(process.execPath, [bundle, '--data', `h5=${hdf5Dir}`, '--port', '0', '--api-key', 'k1', '--settle-time', '0'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await readyUrl(child);
      const auth = { authorization: 'Bearer k1', 'content-type': 'application/json' };
      const list = (await (await fetch(`${url}/api/v1/simulations?limit=100`, { headers: auth })).json()) as {
        items: Array<{ id: string; path: string; status: string; format: string }>;
      };
      const sdf = list.items.find((item) => item.path === 'small-sdf.h5');
      const mat73 = list.items.find((item) => item.path === 'small.mat');
      expect(sdf).toMatchObject({ status: 'ok', format: 'sdf' });
      expect(mat73).toMatchObject({ status: 'ok', format: 'mat73' });
      const response = await fetch(`${url}/api/v1/query`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ simulations: [sdf!.id], variables: ['g.x'] }),
      });
      const body = (await response.json()) as { series: Array<{ values: number[]; unit?: string }> };
      expect(body.series[0].values).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
      expect(body.series[0].unit).toBe('K');
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);

  it('answers --help and rejects bad options with exit code 2 and the option named', () => {
    const help = spawnSync(process.execPath, [bundle, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: simviz-proxy --data');
    const bad = spawnSync(process.execPath, [bundle, '--data', realFixturesDir(), '--port', 'eighty'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--port: "eighty" is not a TCP port');
    const noData = spawnSync(process.execPath, [bundle], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(noData.status).toBe(2);
    expect(noData.stderr).toContain('no data root: pass --data DIR or set SIMVIZ_DATA');
  });

  it.each([
    ['the bundle when built', {}],
    ['the TypeScript sources otherwise', { SIMVIZ_PROXY_FROM_SOURCE: '1' }],
  ])('the simviz-proxy command runs %s', (_, env) => {
    const command = path.join(REPO, 'bin/simviz-proxy.js');
    const version = spawnSync(process.execPath, [command, '--version'], { encoding: 'utf8', env: { ...process.env, ...env } });
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  }, 30_000);
});
