import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const REPO = path.resolve(__dirname, '../..');

export interface ProxyProcess {
  url: string;
  child: ChildProcess;
  /** The proxy's log lines so far, parsed. */
  logs: Array<Record<string, unknown>>;
  /** Stops the proxy (SIGTERM by default) and resolves once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts the proxy as its own process, as users run it, and waits for its "ready" log line.
 * `port` 0 takes a free one; a fixed port lets a test restart a proxy where clients expect it.
 */
export function startProxyProcess(
  options: string[],
  port = 0,
  spawnOptions: Pick<SpawnOptions, 'uid' | 'gid' | 'env'> = {}
): Promise<ProxyProcess> {
  // `node --import tsx`, not the tsx CLI: that wrapper runs the proxy in a second process and
  // exits 143 on SIGTERM whatever the proxy's own exit code was.
  const args = ['--import', 'tsx', path.join(REPO, 'src/proxy/cli.ts'), ...options, '--port', String(port), '--settle-time', '0'];
  const child = spawn(process.execPath, args, { cwd: REPO, ...spawnOptions, stdio: ['ignore', 'pipe', 'inherit'] });
  const logs: Array<Record<string, unknown>> = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
    }
    await exited;
  };
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === 'SimViz proxy ready' && typeof entry.url === 'string') {
          resolve({ url: entry.url, child, logs, stop });
        }
      } catch {
        // Not a log line.
      }
    });
    child.once('exit', (code) => reject(new Error(`the proxy exited with code ${code} before it was ready`)));
  });
}
