import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Debian's nginx (`apt-get install -y nginx`); SIMVIZ_NGINX points elsewhere. */
export const NGINX_BINARY = process.env.SIMVIZ_NGINX ?? '/usr/sbin/nginx';

/** The nginx binary, or an error that says how to get it (tests fail with it, they never skip). */
export function requireNginx(): string {
  if (!existsSync(NGINX_BINARY)) {
    throw new Error(
      `nginx not found at ${NGINX_BINARY}: install Debian's nginx (apt-get install -y nginx; .ci/run does this when it is missing), ` +
        'or set SIMVIZ_NGINX to an nginx binary'
    );
  }
  return NGINX_BINARY;
}

/** A loopback port that was free a moment ago (bound to port 0, then released). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningNginx {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  dir: string;
  /** The error log so far, for failure messages. */
  errorLog(): string;
  stop(): Promise<void>;
}

/**
 * nginx in the foreground as a single process (no master, so no user switch when run as root; every
 * path in `dir`, so no root needed either), balancing round-robin over `upstreams` (`host:port`).
 * Each answer names the backend that served it in `X-Upstream`.
 */
export function nginxConfig(dir: string, port: number, upstreams: readonly string[]): string {
  const servers = upstreams.map((address) => `    server ${address};`).join('\n');
  return `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;

events {
  worker_connections 256;
}

http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;

  upstream simviz {
${servers}
  }

  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://simviz;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      # A replica that fails shows as a 502, not hidden by a retry on the other one.
      proxy_next_upstream off;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`;
}

async function waitUntilAnswering(url: string, child: ChildProcess, errorLog: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`nginx exited (${child.signalCode ?? child.exitCode}) before answering:\n${errorLog()}`);
    }
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) {
        throw new Error(`nginx did not answer at ${url} within ${timeoutMs} ms:\n${errorLog()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Starts nginx in front of `upstreams` on a free loopback port and waits until it answers. */
export async function startNginx(upstreams: readonly string[], timeoutMs = 10_000): Promise<RunningNginx> {
  const binary = requireNginx();
  const dir = await mkdtemp(path.join(tmpdir(), 'simviz-nginx-'));
  const port = await freeLoopbackPort();
  await writeFile(path.join(dir, 'nginx.conf'), nginxConfig(dir, port, upstreams));
  const errorLogFile = path.join(dir, 'error.log');
  let stderr = '';
  const errorLog = () => {
    const log = existsSync(errorLogFile) ? readFileSync(errorLogFile, 'utf8') : '';
    return `${log}${stderr}`.slice(-4000);
  };
  const child = spawn(binary, ['-p', dir, '-c', 'nginx.conf', '-e', errorLogFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await spawned;
    await waitUntilAnswering(url, child, errorLog, timeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, dir, errorLog, stop };
}
