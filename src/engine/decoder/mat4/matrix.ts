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

/**
 * Upper bound of one read while streaming a binTrans matrix: small enough that the chunk is still
 * in the CPU cache when the gather reads it (see PacedReader).
 */
const CHUNK_BYTES = 512 * 1024;

/**
 * Streaming gathers in flight across all files. Each holds a chunk buffer and, on a cold cache,
 * a read on the thread pool; more would only share the same disk and cores anyway.
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
 * are only valid during the call.
 */
export async function forEachRowChunk(
  source: FileSource,
  matrix: DataMatrix,
  first: number,
  count: number,
  visit: (bytes: Uint8Array, rows: number, at: number) => void
): Promise<void> {
  await gathers.run(async () => {
    const rowBytes = matrix.signals * elementSize(matrix.elementType);
    const rowsPerChunk = rowsPerChunkOf(matrix, count);
    const buffer = new Uint8Array(rowsPerChunk * rowBytes);
    const reader = source.pacedReader();
    for (let at = 0; at < count; at += rowsPerChunk) {
      const rows = Math.min(rowsPerChunk, count - at);
      const bytes = buffer.subarray(0, rows * rowBytes);
      await reader.fill(bytes, matrix.dataOffset + (first + at) * rowBytes);
      visit(bytes, rows, at);
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
