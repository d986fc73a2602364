import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { buildProxy } from '../../scripts/build-proxy';
import { realFixturesDir } from './testing/fixtures';

const REPO = path.resolve(__dirname, '../..');
let dir: string;
let bundle: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'simviz-bundle-'));
  bundle = await buildProxy(path.join(dir, 'simviz-proxy.js'));
}, 60_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the bundled proxy (what docker-compose and `simviz-proxy` run)', () => {
  it('runs with plain node and serves the fixtures, with no node_modules beside it', async () => {
    const child = spawn(process.execPath, [bundle, '--data', `real=${realFixturesDir()}`, '--port', '0', '--api-key', 'k1'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).on('line', (line) => {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'SimViz proxy ready' && entry.url) {
            resolve(entry.url);
          }
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
      });
      const health = (await (await fetch(`${url}/api/v1/health`)).json()) as { simulations: number };
      expect(health.simulations).toBe(9);
      const list = await fetch(`${url}/api/v1/simulations`, { headers: { authorization: 'Bearer k1' } });
      expect(list.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  }, 30_000);

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
