/**
 * Main-thread side of the HDF5 worker. The HDF5 library runs in a worker thread because, on
 * corrupt files, it can loop forever (seen with a single flipped bit) and every error it throws
 * leaks WebAssembly stack and open handles (after ~2000 errors the module aborts). A watchdog
 * stops a worker that does not answer in time, and a worker is replaced after a crash, a trap,
 * too many errors, or when a file it failed on has changed since (it would see stale metadata).
 * A file that stopped or crashed the library is answered from memory until it changes, so a
 * rescan does not wait for the watchdog again.
 */
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';

import { DecodeError } from '../errors';
import type { Catalogue, Hdf5Kind, SampleLocation, WorkerFailure, WorkerReply, WorkerRequest } from './protocol';
import { hdf5WorkerSource } from './worker-source';

export interface Hdf5WorkerOptions {
  /** A request still running after this long is taken as the library looping on a corrupt file. */
  timeoutMs: number;
  /** Library errors after which the worker is replaced (each one leaks WebAssembly stack). */
  maxLibraryErrors: number;
  /** An idle worker is stopped after this long, which returns its WebAssembly memory. */
  idleMs: number;
  /** Samples per request: bounds the worker's memory and the time one request may take. */
  valuesPerRequest: number;
}

const DEFAULT_OPTIONS: Hdf5WorkerOptions = {
  timeoutMs: 20_000,
  maxLibraryErrors: 100,
  idleMs: 30_000,
  valuesPerRequest: 1 << 22,
};
let options: Hdf5WorkerOptions = { ...DEFAULT_OPTIONS };

/** Sets options from the defaults (tests shorten the timeout); `{}` restores the defaults. */
export function configureHdf5Worker(overrides: Partial<Hdf5WorkerOptions>): void {
  options = { ...DEFAULT_OPTIONS, ...overrides };
}

export function hdf5WorkerOptions(): Readonly<Hdf5WorkerOptions> {
  return options;
}

interface Running {
  worker: Worker;
  libraryErrors: number;
  /** Files the library failed on (their handles stay open in it), with their stat signature then. */
  tainted: Map<string, string>;
  stopped: boolean;
}

/** A file that made the library loop or crash, as it was then. */
interface Loss {
  signature: string;
  problem: string;
  /** The watchdog's limit then: a longer one now deserves another try. */
  timeoutMs: number;
}

const MAX_REMEMBERED_LOSSES = 1000;

/** The worker was stopped or died while answering. */
class WorkerLost extends Error {}

type Success = Extract<WorkerReply, { ok: true }>;
type Body =
  | { op: 'open'; path: string; kind: Hdf5Kind }
  | { op: 'read'; path: string; locations: SampleLocation[]; first: number; end: number };

function messageOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
}

async function statSignature(path: string): Promise<string> {
  try {
    const stats = await stat(path, { bigint: true });
    return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
  } catch {
    return 'missing';
  }
}

class Hdf5WorkerClient {
  private current: Running | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly losses = new Map<string, Loss>();

  /** One request at a time: the library is synchronous, and the watchdog must time only the running one. */
  request(displayName: string, body: Body): Promise<Success> {
    const run = this.queue.then(() => this.send(displayName, body));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async shutdown(): Promise<void> {
    clearTimeout(this.idleTimer);
    const running = this.current;
    if (running) {
      this.retire(running);
      await running.worker.terminate();
    }
  }

  private async send(displayName: string, body: Body): Promise<Success> {
    clearTimeout(this.idleTimer);
    try {
      const signature = await statSignature(body.path);
      const loss = this.losses.get(body.path);
      if (loss && loss.signature === signature && loss.timeoutMs >= options.timeoutMs) {
        throw new DecodeError(displayName, 'corrupt', loss.problem);
      }
      await this.retireIfTainted(body.path, signature);
      const running = await this.ensureWorker(displayName);
      const reply = await this.exchangeOrRemember(running, body, signature, displayName);
      if (!reply.ok) {
        await this.noteFailure(running, body.path, reply.failure);
        throw new DecodeError(displayName, reply.failure.code, reply.failure.problem);
      }
      return reply;
    } finally {
      this.idleTimer = setTimeout(() => void this.shutdown(), options.idleMs).unref();
    }
  }

  /** A request whose worker loops or dies is remembered against the file as it is now. */
  private async exchangeOrRemember(
    running: Running,
    body: Body,
    signature: string,
    displayName: string
  ): Promise<WorkerReply> {
    try {
      return await this.exchange(running, { ...body, id: this.nextId++ });
    } catch (error) {
      if (error instanceof WorkerLost) {
        this.rememberLoss(body.path, { signature, problem: error.message, timeoutMs: options.timeoutMs });
        throw new DecodeError(displayName, 'corrupt', error.message);
      }
      throw error;
    }
  }

  private async ensureWorker(displayName: string): Promise<Running> {
    if (this.current) {
      return this.current;
    }
    let source: string;
    try {
      source = await hdf5WorkerSource();
    } catch (error) {
      throw new DecodeError(
        displayName,
        'unsupported_format',
        `HDF5 support is unavailable in this build (${messageOf(error)})`
      );
    }
    const worker = new Worker(source, { eval: true, stdout: true, stderr: true });
    // Its output is only h5wasm's diagnostics, already reported through the replies.
    worker.stdout.resume();
    worker.stderr.resume();
    const running: Running = { worker, libraryErrors: 0, tainted: new Map(), stopped: false };
    // A crash between requests must not become an unhandled 'error' event in the proxy.
    worker.on('error', () => this.retire(running));
    worker.on('exit', () => this.retire(running));
    worker.unref();
    this.current = running;
    return running;
  }

  private rememberLoss(path: string, loss: Loss): void {
    this.losses.delete(path);
    this.losses.set(path, loss);
    if (this.losses.size > MAX_REMEMBERED_LOSSES) {
      this.losses.delete(this.losses.keys().next().value!);
    }
  }

  private exchange(running: Running, request: WorkerRequest): Promise<WorkerReply> {
    const { worker } = running;
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        worker.unref();
      };
      const fail = (problem: string): void => {
        cleanup();
        this.retire(running);
        reject(new WorkerLost(problem));
      };
      const onMessage = (reply: WorkerReply): void => {
        if (reply.id === request.id) {
          cleanup();
          resolve(reply);
        }
      };
      const onError = (error: unknown): void => fail(`the HDF5 library crashed on this file (${messageOf(error)})`);
      const onExit = (code: number): void => fail(`the HDF5 worker stopped unexpectedly (exit code ${code})`);
      const seconds = options.timeoutMs / 1000;
      const timer = setTimeout(
        () =>
          fail(
            `the HDF5 library did not finish reading within ${seconds} s and was stopped (the file is probably corrupt)`
          ),
        options.timeoutMs
      );
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      // Keeps the process alive while a request is outstanding; idle workers never do.
      worker.ref();
      worker.postMessage(request);
    });
  }

  private async noteFailure(running: Running, path: string, failure: WorkerFailure): Promise<void> {
    if (failure.fatal) {
      this.retire(running);
      return;
    }
    if (failure.fromLibrary) {
      running.libraryErrors++;
      running.tainted.set(path, await statSignature(path));
      if (running.libraryErrors >= options.maxLibraryErrors) {
        this.retire(running);
      }
    }
  }

  /** HDF5 keeps a file it failed on open and would reuse its cached metadata after the file changed. */
  private async retireIfTainted(path: string, signature: string): Promise<void> {
    const running = this.current;
    const before = running?.tainted.get(path);
    if (running && before !== undefined && before !== signature) {
      this.retire(running);
    }
  }

  private retire(running: Running): void {
    if (this.current === running) {
      this.current = undefined;
    }
    if (!running.stopped) {
      running.stopped = true;
      void running.worker.terminate();
    }
  }
}

const client = new Hdf5WorkerClient();

export async function requestCatalogue(displayName: string, path: string, kind: Hdf5Kind): Promise<Catalogue> {
  const reply = await client.request(displayName, { op: 'open', path, kind });
  if (!('catalogue' in reply)) {
    throw new DecodeError(displayName, 'corrupt', 'the HDF5 worker answered with samples instead of a catalogue');
  }
  return reply.catalogue;
}

export async function requestSamples(
  displayName: string,
  path: string,
  locations: SampleLocation[],
  first: number,
  end: number
): Promise<Float64Array[]> {
  const reply = await client.request(displayName, { op: 'read', path, locations, first, end });
  if (!('columns' in reply)) {
    throw new DecodeError(displayName, 'corrupt', 'the HDF5 worker answered with a catalogue instead of samples');
  }
  return reply.columns;
}

/** Stops the worker now (tests; a proxy never needs to: an idle worker stops by itself). */
export function shutdownHdf5Worker(): Promise<void> {
  return client.shutdown();
}
