import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { InspectorClient } from './inspector-client';
import type { Outcome } from './oracle';
import type { ChildMessage, ChildSettings, ParentMessage } from './protocol';

const CHILD_SCRIPT = path.join(__dirname, 'child.ts');
/** Loading tsx and compiling the decoder takes a second or two, more on a busy machine. */
const STARTUP_TIMEOUT_MS = 60_000;
/**
 * The child's flags: tsx to run TypeScript, a callable gc() and synchronous ArrayBuffer sweeping,
 * so that the memory meter's forced GC really frees dropped buffers before it takes a baseline.
 */
function childFlags(): string[] {
  return [
    '--import',
    tsxLoader(),
    '--expose-gc',
    '--no-concurrent-array-buffer-sweeping',
    `--max-old-space-size=${CHILD_HEAP_MB}`,
  ];
}

/** The child's heap limit: far above any legitimate case, low enough to die before the machine does. */
const CHILD_HEAP_MB = 2048;
/** Slack on top of the time bound for IPC and scheduling; the child's own timing is the precise one. */
const WATCHDOG_GRACE_MS = 250;
const STDERR_TAIL_CHARS = 4000;

export type BatchEnd =
  { kind: 'done' } | { kind: 'hang'; index: number } | { kind: 'crash'; index: number; detail: string };

export type ReplayEnd =
  { kind: 'done'; outcome: Outcome; ms: number } | { kind: 'hang'; stack?: string } | { kind: 'crash'; detail: string };

/** The child runs the TypeScript sources directly, through tsx's loader, also when the parent runs in jest. */
function tsxLoader(): string {
  return pathToFileURL(require.resolve('tsx')).href;
}

type Listener = (message: ChildMessage) => void;
type ExitListener = (detail: string) => void;

/** One fuzz child process, driven batch by batch, with a watchdog on every case. */
export class FuzzChild {
  private listener: Listener | undefined;
  private exitListener: ExitListener | undefined;
  private stderrTail = '';
  private exited = false;
  private inspectorUrl: string | undefined;
  private debugger: InspectorClient | undefined;

  private constructor(private readonly proc: ChildProcess) {
    proc.on('message', (message: ChildMessage) => this.listener?.(message));
    proc.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
    });
    proc.on('exit', (code, signal) => {
      this.exited = true;
      this.exitListener?.(
        `child exited (code ${code}, signal ${signal})${this.stderrTail ? `; stderr: ${this.stderrTail.trim()}` : ''}`
      );
    });
  }

  static async start(settings: ChildSettings): Promise<FuzzChild> {
    const child = new FuzzChild(
      fork(CHILD_SCRIPT, [], {
        execArgv: childFlags(),
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      })
    );
    const ready = await child.exchange({ type: 'init', settings }, STARTUP_TIMEOUT_MS, (m) => m.type === 'ready');
    child.inspectorUrl = ready.type === 'ready' ? ready.inspectorUrl : undefined;
    if (settings.inspect && child.inspectorUrl) {
      child.debugger = await InspectorClient.connect(child.inspectorUrl);
    }
    return child;
  }

  /** Sends `message` and waits for the reply `isReply` accepts; the child failing is an Error here. */
  private exchange(
    message: ParentMessage,
    timeoutMs: number,
    isReply: (m: ChildMessage) => boolean
  ): Promise<ChildMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => done(() => reject(new Error(`fuzz child did not answer "${message.type}" in ${timeoutMs} ms`))),
        timeoutMs
      );
      const done = (settle: () => void): void => {
        clearTimeout(timer);
        this.listener = undefined;
        this.exitListener = undefined;
        settle();
      };
      this.listener = (m) => {
        if (m.type === 'fatal') {
          done(() => reject(new Error(`fuzz child failed: ${m.message}`)));
        } else if (isReply(m)) {
          done(() => resolve(m));
        }
      };
      this.exitListener = (detail) =>
        done(() => reject(new Error(`fuzz child died during "${message.type}": ${detail}`)));
      this.proc.send(message);
    });
  }

  /**
   * Runs cases [from, to). Each result restarts the watchdog; if it fires, the case after the last
   * reported one is the one that hangs. Ends early (and the child is unusable) on a hang or crash.
   */
  runBatch(
    from: number,
    to: number,
    timeoutMs: number,
    onResult: (m: Extract<ChildMessage, { type: 'result' }>) => void
  ): Promise<BatchEnd> {
    return new Promise((resolve, reject) => {
      let current = from;
      let timer: NodeJS.Timeout | undefined;
      const done = (end: BatchEnd | Error): void => {
        clearTimeout(timer);
        this.listener = undefined;
        this.exitListener = undefined;
        return end instanceof Error ? reject(end) : resolve(end);
      };
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          this.kill();
          done({ kind: 'hang', index: current });
        }, timeoutMs + WATCHDOG_GRACE_MS);
      };
      this.listener = (m) => {
        if (m.type === 'result') {
          onResult(m);
          current = m.index + 1;
          arm();
        } else if (m.type === 'batch-done') {
          done({ kind: 'done' });
        } else if (m.type === 'fatal') {
          done(new Error(`fuzz child failed: ${m.message}`));
        }
      };
      this.exitListener = (detail) => done({ kind: 'crash', index: current, detail });
      arm();
      this.proc.send({ type: 'run', from, to } satisfies ParentMessage);
    });
  }

  /** Decodes one file already on disk (a saved finding, or a case being confirmed). */
  async replay(file: string, displayName: string, timeoutMs: number): Promise<ReplayEnd> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(async () => {
        const stack = await this.debugger?.pauseStack();
        this.kill();
        finish({ kind: 'hang', stack });
      }, timeoutMs + WATCHDOG_GRACE_MS);
      const finish = (end: ReplayEnd | Error): void => {
        clearTimeout(timer);
        this.listener = undefined;
        this.exitListener = undefined;
        return end instanceof Error ? reject(end) : resolve(end);
      };
      this.listener = (m) => {
        if (m.type === 'replayed') {
          finish({ kind: 'done', outcome: m.outcome, ms: m.ms });
        } else if (m.type === 'fatal') {
          finish(new Error(`fuzz child failed: ${m.message}`));
        }
      };
      this.exitListener = (detail) => finish({ kind: 'crash', detail });
      this.proc.send({ type: 'replay', path: file, displayName } satisfies ParentMessage);
    });
  }

  kill(): void {
    this.debugger?.close();
    if (!this.exited) {
      this.proc.kill('SIGKILL');
    }
  }

  /** Lets the child exit on its own (it exits when the IPC channel closes), killing it if it does not. */
  async stop(): Promise<void> {
    this.debugger?.close();
    if (this.exited) {
      return;
    }
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.disconnect();
    const timer = setTimeout(() => this.kill(), 5000);
    await exited;
    clearTimeout(timer);
  }
}
