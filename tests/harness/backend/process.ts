/**
 * The real SimViz backend, started as Grafana's plugin manager starts it (go-plugin's handshake:
 * the magic cookie and protocol versions in the environment, `1|2|tcp|ADDRESS|grpc` on stdout).
 * The built plugin's own executable when given (as Grafana runs it), else from source;
 * SIMVIZ_BACKEND names another built executable or bundle.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const REPO = path.resolve(__dirname, '../../..');
/** go-plugin's core protocol 1, Grafana's plugin protocol 2, gRPC over TCP. */
const HANDSHAKE = /^1\|2\|tcp\|([^|]+)\|grpc$/;
/** Lines of the backend's log kept to explain an early exit. */
const KEPT_LOG_LINES = 40;

export interface BackendProcess {
  /** host:port of its gRPC server. */
  address: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

function command(executable: string | undefined): { file: string; args: string[] } {
  const built = process.env.SIMVIZ_BACKEND ?? executable;
  if (built) {
    return built.endsWith('.js') ? { file: process.execPath, args: [path.resolve(built)] } : { file: path.resolve(built), args: [] };
  }
  // `node --import tsx`, not the tsx CLI, so that SIGTERM reaches the backend itself.
  return { file: process.execPath, args: ['--import', 'tsx', path.join(REPO, 'src/backend/main.ts')] };
}

export function startBackendProcess(executable?: string): Promise<BackendProcess> {
  const { file, args } = command(executable);
  const env = { ...process.env, grafana_plugin_type: 'datasource', PLUGIN_PROTOCOL_VERSIONS: '2', SIMVIZ_LOG_LEVEL: process.env.SIMVIZ_LOG_LEVEL ?? 'warn' };
  const child = spawn(file, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    log.push(line);
    log.splice(0, Math.max(0, log.length - KEPT_LOG_LINES));
    // As Grafana does with a plugin's stderr: its log, here for whoever debugs the harness.
    if (process.env.SIMVIZ_HARNESS_BACKEND_LOG) {
      process.stderr.write(`[backend] ${line}\n`);
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
    }
    await exited;
  };
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const handshake = HANDSHAKE.exec(line.trim());
      if (handshake) {
        resolve({ address: handshake[1], child, stop });
      }
    });
    child.once('exit', (code) => reject(new Error(`the backend exited with code ${code} before its handshake:\n${log.join('\n')}`)));
  });
}
