/**
 * Entry of the worker thread that runs the HDF5 library (h5wasm). It is never imported: it is
 * bundled into a source string (see worker-source.ts) and started with `new Worker(source, { eval: true })`.
 */
import { statSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import * as h5wasm from 'h5wasm/node';

import { FileProblem, libraryCall, readSamples } from './h5-access';
import { mat73Catalogue } from './mat73';
import type { Catalogue, WorkerFailure, WorkerReply, WorkerRequest } from './protocol';
import { sdfCatalogue } from './sdf';

interface ThrowingErrors {
  /** Makes HDF5 errors throw (with the error stack as message) instead of printing to stderr. */
  activate_throwing_error_handler(): number;
}

function withFile<T>(path: string, work: (file: h5wasm.File) => T): T {
  const file = libraryCall('cannot be opened as an HDF5 file', () => new h5wasm.File(path, 'r'));
  try {
    return work(file);
  } finally {
    closeQuietly(file);
  }
}

/** Read-only access: a failing close loses nothing, and must not hide the error being reported. */
function closeQuietly(file: h5wasm.File): void {
  try {
    file.close();
  } catch {
    // The handle is unusable either way.
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    throw new FileProblem('unreadable', 'file disappeared before it could be read');
  }
}

function catalogue(path: string, kind: 'mat73' | 'hdf5'): Catalogue {
  const size = fileSize(path);
  return withFile(path, (file) => (kind === 'mat73' ? mat73Catalogue(file, size) : sdfCatalogue(file, size)));
}

function failureOf(error: unknown): WorkerFailure {
  if (error instanceof FileProblem) {
    const { code, problem, fromLibrary, fatal } = error;
    return { code, problem, fromLibrary, fatal };
  }
  // Anything else came out of h5wasm's JavaScript layer on data it did not expect.
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: 'corrupt',
    problem: `could not be decoded (${message.split('\n')[0]})`,
    fromLibrary: true,
    fatal: false,
  };
}

function handle(request: WorkerRequest): { reply: WorkerReply; transfer: ArrayBuffer[] } {
  try {
    if (request.op === 'open') {
      const result = catalogue(request.path, request.kind);
      return { reply: { id: request.id, ok: true, catalogue: result }, transfer: [result.time.buffer as ArrayBuffer] };
    }
    const { first, end } = request;
    const columns = withFile(request.path, (file) =>
      request.locations.map((location) => readSamples(file, location, first, end))
    );
    return {
      reply: { id: request.id, ok: true, columns },
      transfer: columns.map((column) => column.buffer as ArrayBuffer),
    };
  } catch (error) {
    return { reply: { id: request.id, ok: false, failure: failureOf(error) }, transfer: [] };
  }
}

async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) {
    throw new Error('the HDF5 worker must run in a worker thread');
  }
  await h5wasm.ready;
  (h5wasm.Module as unknown as ThrowingErrors).activate_throwing_error_handler();
  port.on('message', (request: WorkerRequest) => {
    const { reply, transfer } = handle(request);
    port.postMessage(reply, transfer);
  });
}

void serve();
