import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const REPO = path.resolve(__dirname, '../..');

export interface ProxyProcess {
  url: string;
  child: ChildProcess;
  /** Stops the proxy (SIGTERM by default) and resolves once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts the proxy as its own process, as users run it, and waits for its "ready" log line.
 * `port` 0 takes a free one; a fixed port lets a test restart a proxy where clients expect it.
 */
export function startProxyProcess(options: string[], port = 0): Promise<ProxyProcess> {
  const tsx = require.resolve('tsx/cli');
  const args = [tsx, path.join(REPO, 'src/proxy/cli.ts'), ...options, '--port', String(port), '--settle-time', '0'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
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
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'SimViz proxy ready' && entry.url) {
          resolve({ url: entry.url, child, stop });
        }
      } catch {
        // Not a log line.
      }
    });
    child.once('exit', (code) => reject(new Error(`the proxy exited with code ${code} before it was ready`)));
  });
}
