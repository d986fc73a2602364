/**
 * The proxy as a process: start-up errors, graceful shutdown, certificate reloads on SIGHUP, and
 * the layout cache kept under its limit. The CLI tests spawn `src/proxy/cli.ts` as users run it
 * and talk to it over real sockets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

import type { DataRoot } from '../engine/catalog/scan';
import { closeWithin, type RunningProxy } from './main';
import { startTestProxy } from '../../tests/support/proxy';
import { smallRoot } from '../../tests/support/roots';
import { httpsGet, makeSelfSignedCertificate } from '../../tests/support/tls';

const REPO = path.resolve(__dirname, '../..');
const CLI = path.join(REPO, 'src/proxy/cli.ts');

let root: DataRoot;
let scratch: string;

beforeAll(async () => {
  root = await smallRoot();
  scratch = await mkdtemp(path.join(tmpdir(), 'simviz-lifecycle-'));
});
afterAll(async () => {
  await rm(root.path, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
});

interface LogLine {
  msg?: string;
  url?: string;
  reqId?: string;
  req?: { url?: string; method?: string };
  res?: { statusCode?: number };
}

/** The CLI as a child process, with its JSON log lines collected as they come. */
class ProxyProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private waiters: Array<() => void> = [];

  constructor(args: string[], cacheDir: string) {
    this.child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: REPO,
      env: { ...process.env, SIMVIZ_CACHE_DIR: cacheDir, SIMVIZ_CONFIG: '', SIMVIZ_DATA: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as LogLine);
      } catch {
        return;
      }
      this.waiters.forEach((wake) => wake());
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** The first log line matching `test`, waiting for it (the test's timeout bounds the wait). */
  async line(test: (line: LogLine) => boolean): Promise<LogLine> {
    for (;;) {
      const found = this.lines.find(test);
      if (found) {
        return found;
      }
      if (this.child.exitCode !== null) {
        throw new Error(`the proxy exited (${this.child.exitCode}) first: ${this.stderr}`);
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  async ready(): Promise<string> {
    return (await this.line((l) => l.msg === 'SimViz proxy ready')).url!;
  }

  index(test: (line: LogLine) => boolean): number {
    return this.lines.findIndex(test);
  }
}

/**
 * A query whose body arrives in two parts: the request is in flight (received, not answered)
 * until `finish()` sends the rest.
 */
interface RawAnswer {
  status: number;
  body: string;
  connection: string | undefined;
}

function slowQuery(url: string, body: object): { response: Promise<RawAnswer>; finish(): void; abort(): void } {
  const payload = Buffer.from(JSON.stringify(body));
  const request = http.request(`${url}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': payload.length },
  });
  const response = new Promise<RawAnswer>((resolve, reject) => {
    request.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, connection: res.headers.connection }));
    });
    request.on('error', reject);
  });
  request.write(payload.subarray(0, 10));
  return { response, finish: () => request.end(payload.subarray(10)), abort: () => request.destroy() };
}

async function firstSimulationId(url: string): Promise<string> {
  const listing = (await (await fetch(`${url}/api/v1/simulations`)).json()) as { items: Array<{ id: string }> };
  return listing.items[0].id;
}

const isQueryArrival = (line: LogLine) => line.msg === 'incoming request' && line.req?.url === '/api/v1/query';

describe('simviz-proxy process', () => {
  it('exits with code 2 and names the key when the config file is wrong', async () => {
    const file = path.join(scratch, 'bad.yaml');
    await writeFile(file, `data: [${root.path}]\napiKeys:\n  - key: a\n  - key: b\n    scopes: [admin]\n`);
    const proxy = new ProxyProcess(['--config', file], path.join(scratch, 'cache-bad'));
    expect(await proxy.exited).toBe(2);
    expect(proxy.stderr).toContain(`simviz-proxy: config ${file}: apiKeys[1].scopes: "admin" is not one of read, write`);
    expect(proxy.stderr).toContain('Usage: simviz-proxy');
  }, 30_000);

  it('on SIGTERM stops accepting, lets an in-flight request finish, then exits 0', async () => {
    const proxy = new ProxyProcess(['--data', `lab=${root.path}`, '--port', '0'], path.join(scratch, 'cache-term'));
    try {
      const url = await proxy.ready();
      const id = await firstSimulationId(url);
      const query = slowQuery(url, { simulations: [id], variables: ['height'] });
      await proxy.line(isQueryArrival);
      proxy.child.kill('SIGTERM');
      await proxy.line((l) => l.msg?.startsWith('shutdown: refusing new connections') ?? false);
      await expect(fetch(`${url}/api/v1/health`)).rejects.toThrow();
      query.finish();
      const answer = await query.response;
      expect(answer.status).toBe(200);
      // Keep-alive clients are told to go, so their idle connection does not hold the exit up.
      expect(answer.connection).toBe('close');
      expect(JSON.parse(answer.body).series[0]).toMatchObject({ variable: 'height', time: expect.any(Array) });
      expect(await proxy.exited).toBe(0);
      const stopping = proxy.index((l) => l.msg?.startsWith('shutdown: refusing') ?? false);
      const answered = proxy.index((l) => l.msg === 'request completed' && l.res?.statusCode === 200 && proxy.lines.indexOf(l) > stopping);
      expect(answered).toBeGreaterThan(stopping);
      expect(proxy.index((l) => l.msg === 'shutdown complete')).toBeGreaterThan(answered);
    } finally {
      proxy.child.kill('SIGKILL');
    }
  }, 30_000);

  it('exits 1 when requests are still running after the shutdown timeout', async () => {
    const proxy = new ProxyProcess(['--data', `lab=${root.path}`, '--port', '0', '--shutdown-timeout', '0.5'], path.join(scratch, 'cache-timeout'));
    const query = slowQuery(await proxy.ready(), { simulations: ['x'], variables: ['y'] });
    try {
      query.response.catch(() => undefined);
      await proxy.line(isQueryArrival);
      proxy.child.kill('SIGTERM');
      expect(await proxy.exited).toBe(1);
      expect(proxy.index((l) => l.msg?.startsWith('shutdown timed out') ?? false)).toBeGreaterThan(0);
    } finally {
      query.abort();
      proxy.child.kill('SIGKILL');
    }
  }, 30_000);

  it('re-reads its certificate on SIGHUP', async () => {
    const first = makeSelfSignedCertificate(scratch, 'cli-first');
    const renewed = makeSelfSignedCertificate(scratch, 'cli-renewed');
    const live = { cert: path.join(scratch, 'cli-live.cert.pem'), key: path.join(scratch, 'cli-live.key.pem') };
    copyFileSync(first.cert, live.cert);
    copyFileSync(first.key, live.key);
    const proxy = new ProxyProcess(
      ['--data', `lab=${root.path}`, '--port', '0', '--tls-cert', live.cert, '--tls-key', live.key],
      path.join(scratch, 'cache-hup')
    );
    try {
      const url = await proxy.ready();
      expect(url).toMatch(/^https:/);
      expect((await httpsGet(`${url}/api/v1/health`, first.cert)).peerFingerprint256).toBe(first.fingerprint256);
      copyFileSync(renewed.cert, live.cert);
      copyFileSync(renewed.key, live.key);
      proxy.child.kill('SIGHUP');
      await proxy.line((l) => l.msg === 'TLS certificate reloaded');
      const answer = await httpsGet(`${url}/api/v1/health`, renewed.cert);
      expect(answer).toMatchObject({ status: 200, peerFingerprint256: renewed.fingerprint256 });
      proxy.child.kill('SIGTERM');
      expect(await proxy.exited).toBe(0);
    } finally {
      proxy.child.kill('SIGKILL');
    }
  }, 30_000);
});

describe('closeWithin', () => {
  it('reports whether in-flight requests finished in time', async () => {
    const proxy = await startTestProxy([root]);
    const query = slowQuery(proxy.url, { simulations: ['x'], variables: ['y'] });
    query.response.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await closeWithin(proxy, 300)).toBe(false);
    query.abort();
    const idle = await startTestProxy([root]);
    expect(await closeWithin(idle, 5000)).toBe(true);
    await proxy.close().catch(() => undefined);
  });
});

describe('layout cache limit', () => {
  /** Layout files as the decoder leaves them, last used `ageMinutes` ago. */
  async function layouts(cacheDir: string, names: string[], bytes: number, ageMinutes: number): Promise<void> {
    await mkdir(path.join(cacheDir, 'columns'), { recursive: true });
    for (const name of names) {
      const file = path.join(cacheDir, 'columns', name);
      await writeFile(file, Buffer.alloc(bytes));
      const then = new Date(Date.now() - ageMinutes * 60_000);
      await utimes(file, then, then);
    }
  }

  async function cacheGauge(proxy: RunningProxy): Promise<number> {
    return (await proxy.metrics.cacheBytes.get()).values.find((v) => v.labels.cache === 'columns')?.value ?? NaN;
  }

  it('trims the least recently used layouts at start and then periodically, reporting the size', async () => {
    const cacheDir = await mkdtemp(path.join(scratch, 'cache-'));
    await layouts(cacheDir, ['oldest.cols'], 1000, 300);
    await layouts(cacheDir, ['older.cols'], 1000, 200);
    await layouts(cacheDir, ['recent.cols'], 1000, 100);
    const proxy = await startTestProxy([root], [], { config: { cacheDir, cacheMaxBytes: 2000 }, cacheCheckIntervalMs: 50 });
    try {
      expect(await readdir(path.join(cacheDir, 'columns'))).toEqual(expect.arrayContaining(['older.cols', 'recent.cols']));
      expect(existsSync(path.join(cacheDir, 'columns', 'oldest.cols'))).toBe(false);
      expect(await cacheGauge(proxy)).toBe(2000);
      await layouts(cacheDir, ['newer.cols'], 1000, 50);
      for (let i = 0; i < 100 && existsSync(path.join(cacheDir, 'columns', 'older.cols')); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect((await readdir(path.join(cacheDir, 'columns'))).sort()).toEqual(['newer.cols', 'recent.cols']);
      expect(await cacheGauge(proxy)).toBe(2000);
      const text = await (await fetch(`${proxy.url}/metrics`)).text();
      expect(text).toContain('simviz_cache_bytes{cache="columns"} 2000');
    } finally {
      await proxy.close();
    }
  });
});
