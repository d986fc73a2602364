/** `--workers 2`: one port, two processes, metrics of both, a dead worker replaced, clean shutdown. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { realFixturesDir } from '../../tests/support/fixtures';

const REPO = path.resolve(__dirname, '../..');
let dir: string;
let primary: ChildProcess;
const lines: Array<{ msg?: string; url?: string; pid?: number }> = [];

async function until<T>(find: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) {
      return found;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; log: ${JSON.stringify(lines.slice(-5))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const readyWorkers = () => lines.filter((line) => line.msg === 'SimViz proxy ready');

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'simviz-cluster-'));
  primary = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(REPO, 'src/proxy/cli.ts'), '--data', `real=${realFixturesDir()}`, '--port', '0', '--workers', '2', '--cache-dir', path.join(dir, 'cache'), '--watch', 'off'],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] }
  );
  createInterface({ input: primary.stdout! }).on('line', (line) => lines.push(JSON.parse(line) as (typeof lines)[number]));
  await until(() => (readyWorkers().length >= 2 ? true : undefined), 'two ready workers');
}, 60_000);

afterAll(async () => {
  if (primary.exitCode === null) {
    primary.kill('SIGKILL');
  }
  await rm(dir, { recursive: true, force: true });
});

describe('several worker processes', () => {
  it('serve one port, and /metrics reports all of them without double-counting the index', async () => {
    const [first, second] = readyWorkers();
    expect(first.url).toBe(second.url);
    expect(first.pid).not.toBe(second.pid);
    for (let i = 0; i < 12; i++) {
      expect((await fetch(`${first.url}/api/v1/health`)).status).toBe(200);
    }
    const metrics = await (await fetch(`${first.url}/metrics`)).text();
    expect(metrics).toMatch(/simviz_http_request_duration_seconds_count\{route="\/api\/v1\/health",method="GET",status="200"\} 12\n/);
    const health = (await (await fetch(`${first.url}/api/v1/health`)).json()) as { simulations: number };
    const indexed = [...metrics.matchAll(/simviz_files_indexed\{status="\w+"\} (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(indexed).toBe(health.simulations);
  });

  it('replaces a worker that dies, and keeps answering', async () => {
    const [victim] = readyWorkers();
    process.kill(victim.pid!, 'SIGKILL');
    await until(() => lines.find((line) => line.msg === 'worker stopped unexpectedly; starting another'), 'the replacement');
    await until(() => (readyWorkers().length >= 3 ? true : undefined), 'the new worker to be ready');
    expect((await fetch(`${victim.url}/api/v1/health`)).status).toBe(200);
  }, 60_000);

  it('stops every worker on SIGTERM and exits 0', async () => {
    const exited = new Promise<number | null>((resolve) => primary.once('exit', resolve));
    primary.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines.some((line) => line.msg === 'shutdown complete: every worker stopped')).toBe(true);
  }, 30_000);
});
