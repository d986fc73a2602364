import { Semaphore } from '../../util/pool';
import type { FileSource } from '../file-source';
import { elementGetter, gatherRows } from './elements';
import { ElementType, elementSize } from './records';

/**
 * A numeric data matrix seen as signals x samples, whatever its on-disk orientation.
 * In binTrans files one sample (time step) of all signals is contiguous; in binNormal files one
 * signal is contiguous.
 */
export interface DataMatrix {
  name: string;
  dataOffset: number;
  signals: number;
  samples: number;
  samplesContiguous: boolean;
  elementType: ElementType;
  littleEndian: boolean;
}

/** Upper bound of one positioned read while streaming a binTrans matrix. */
const CHUNK_BYTES = 8 * 1024 * 1024;
/** Positioned reads kept in flight while gathering (libuv has 4 threads by default). */
const READS_IN_FLIGHT = 3;

/**
 * Streaming gathers in flight across all files. Each holds two chunk buffers, so this bounds their
 * memory under many concurrent queries; more would only share the same disk and cores anyway.
 */
const gathers = new Semaphore(2);

/** Reads samples `[first, end)` of the given signals (0-based), one Float64Array per requested signal. */
export async function readSignals(
  source: FileSource,
  matrix: DataMatrix,
  signals: readonly number[],
  first: number,
  end: number
): Promise<Float64Array[]> {
  const count = Math.max(0, end - first);
  const outputs = signals.map(() => new Float64Array(count));
  if (count === 0 || signals.length === 0) {
    return outputs;
  }
  if (matrix.samplesContiguous) {
    await gatherFromSampleRows(source, matrix, signals, first, count, outputs);
  } else {
    await readSignalRuns(source, matrix, signals, first, count, outputs);
  }
  return outputs;
}

async function gatherFromSampleRows(
  source: FileSource,
  matrix: DataMatrix,
  signals: readonly number[],
  first: number,
  count: number,
  outputs: Float64Array[]
): Promise<void> {
  const signalIndex = Int32Array.from(signals);
  await forEachRowChunk(source, matrix, first, count, (bytes, rows, at) =>
    gatherRows(bytes, matrix.elementType, matrix.littleEndian, matrix.signals, rows, signalIndex, outputs, at)
  );
}

/**
 * Visits rows `[first, first + count)` of a binTrans matrix chunk by chunk, in order: `visit`
 * gets the chunk's bytes, its row count and the offset of its first row from `first`. The bytes
 * are only valid during the call. Chunks stream through a ring of reused buffers: while one is
 * visited, the next ones are already being read on libuv's thread pool (one read at a time moved
 * about 5 GB/s from the page cache here; several in flight get close to `cat`).
 */
export async function forEachRowChunk(
  source: FileSource,
  matrix: DataMatrix,
  first: number,
  count: number,
  visit: (bytes: Uint8Array, rows: number, at: number) => void
): Promise<void> {
  // Holds the ring buffers: bounded by the semaphore across all files.
  await gathers.run(async () => {
    const rowBytes = matrix.signals * elementSize(matrix.elementType);
    const rowsPerChunk = rowsPerChunkOf(matrix, count);
    const chunks = Math.ceil(count / rowsPerChunk);
    const ring = Array.from({ length: Math.min(READS_IN_FLIGHT + 1, chunks) }, () => new Uint8Array(rowsPerChunk * rowBytes));
    const readChunk = (chunk: number) => {
      const done = chunk * rowsPerChunk;
      const rows = Math.min(rowsPerChunk, count - done);
      return source.readInto(ring[chunk % ring.length], matrix.dataOffset + (first + done) * rowBytes, rows * rowBytes);
    };
    // Reads for all but one buffer go out first; the last buffer is the one being visited.
    const pending = Array.from({ length: Math.max(1, ring.length - 1) }, (_, chunk) => readChunk(chunk));
    for (let chunk = 0; chunk < chunks; chunk++) {
      const bytes = await pending.shift()!;
      const next = chunk + pending.length + 1;
      if (next < chunks) {
        // Chunk `next` reuses the buffer visited in the previous turn, so it is free again.
        pending.push(readChunk(next));
      }
      visit(bytes, bytes.byteLength / rowBytes, chunk * rowsPerChunk);
    }
  });
}

/** Rows per chunk when streaming `count` rows of a binTrans matrix. */
export function rowsPerChunkOf(matrix: DataMatrix, count: number): number {
  const rowBytes = matrix.signals * elementSize(matrix.elementType);
  return Math.max(1, Math.min(count, Math.floor(CHUNK_BYTES / rowBytes)));
}

async function readSignalRuns(
  source: FileSource,
  matrix: DataMatrix,
  signals: readonly number[],
  first: number,
  count: number,
  outputs: Float64Array[]
): Promise<void> {
  const size = elementSize(matrix.elementType);
  const buffer = new Uint8Array(count * size);
  for (let k = 0; k < signals.length; k++) {
    const position = matrix.dataOffset + (signals[k] * matrix.samples + first) * size;
    const bytes = await source.readInto(buffer, position, count * size);
    const get = elementGetter(bytes, matrix.elementType, matrix.littleEndian);
    const out = outputs[k];
    for (let i = 0; i < count; i++) {
      out[i] = get(i);
    }
  }
}
