import { closeSync, openSync } from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

import { PacedReader } from '../../util/paced-read';
import type { Arena } from '../../util/scratch';
import { fillAt, fillAtSync } from '../../util/read-at';
import type { FileSource } from '../file-source';
import { blockCount, summarizeColumn, summaryBytesPerSignal, summarySpans } from './blockSummary';
import { elementGetter } from './elements';
import type { DataMatrix } from './matrix';
import { ElementType, elementSize } from './records';

/**
 * A per-variable copy of a binTrans data matrix: every signal's samples contiguous, so one read
 * serves any variable over any range. binTrans files store one time step after another, which
 * makes reading one variable a strided pass over the whole matrix; after this layout is built (in
 * the background, out of core with a bounded buffer) a variable costs one small positioned read.
 *
 * The store keeps the file's precision (float32 stays float32); other element types become float64.
 * After the columns come each signal's block summaries (blockSummary.ts), from `summariesAt` on.
 */
export interface ColumnStoreLayout {
  file: string;
  signals: number;
  samples: number;
  storeType: ElementType.Float32 | ElementType.Float64;
  summariesAt: number;
}

export function columnStoreLayout(matrix: DataMatrix, file: string): ColumnStoreLayout {
  const storeType = storeTypeFor(matrix);
  return {
    file,
    signals: matrix.signals,
    samples: matrix.samples,
    storeType,
    summariesAt: matrix.signals * matrix.samples * elementSize(storeType),
  };
}

/** The size of a complete store: a cached file of another size is from another version, or half written. */
export function columnStoreBytes(layout: ColumnStoreLayout): number {
  return layout.summariesAt + layout.signals * summaryBytesPerSignal(layout.samples, layout.storeType);
}

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type StoreArray = Float32Array | Float64Array;

export function storeTypeFor(matrix: DataMatrix): ColumnStoreLayout['storeType'] {
  return matrix.elementType === ElementType.Float32 ? ElementType.Float32 : ElementType.Float64;
}

function newStoreArray(type: ColumnStoreLayout['storeType'], length: number): StoreArray {
  return type === ElementType.Float32 ? new Float32Array(length) : new Float64Array(length);
}

function storeView(type: ColumnStoreLayout['storeType'], bytes: Uint8Array): StoreArray {
  const length = bytes.byteLength / elementSize(type);
  return type === ElementType.Float32
    ? new Float32Array(bytes.buffer, bytes.byteOffset, length)
    : new Float64Array(bytes.buffer, bytes.byteOffset, length);
}

/** The rows just read, as store elements: a view when the file's bytes are already native, else a conversion. */
function decodeRows(
  bytes: Uint8Array,
  matrix: DataMatrix,
  storeType: ColumnStoreLayout['storeType'],
  scratch: StoreArray
): StoreArray {
  const count = bytes.byteLength / elementSize(matrix.elementType);
  if (matrix.elementType === storeType && matrix.littleEndian === HOST_IS_LITTLE_ENDIAN) {
    return storeView(storeType, bytes);
  }
  const get = elementGetter(bytes, matrix.elementType, matrix.littleEndian);
  const out = scratch.subarray(0, count);
  for (let i = 0; i < count; i++) {
    out[i] = get(i);
  }
  return out;
}

async function writeAll(handle: FileHandle, data: StoreArray | Uint8Array, position: number): Promise<void> {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done, position + done);
    done += bytesWritten;
  }
}

/** A store shorter than its layout says (truncated while in use): like a deleted one, it is rebuilt. */
export class ColumnStoreEnded extends Error {
  constructor(position: number) {
    super(`column store ended early at byte ${position}`);
  }
}

const storeEnded = (position: number) => new ColumnStoreEnded(position);

function readAll(handle: FileHandle, into: Uint8Array, position: number): Promise<void> {
  return fillAt(handle.fd, into, position, storeEnded);
}

/**
 * Pass 1: blocks of B consecutive time steps, each transposed in memory so that inside a block
 * each signal's B samples are contiguous. Returns the block height B.
 */
async function writeTransposedBlocks(
  source: FileSource,
  matrix: DataMatrix,
  storeType: ColumnStoreLayout['storeType'],
  out: FileHandle,
  budgetBytes: number
): Promise<number> {
  const { signals, samples } = matrix;
  const rowBytes = signals * elementSize(matrix.elementType);
  const blockRows = Math.max(1, Math.min(samples, Math.floor(budgetBytes / Math.max(rowBytes, 1))));
  const input = new Uint8Array(blockRows * rowBytes);
  const scratch = newStoreArray(storeType, blockRows * signals);
  const transposed = newStoreArray(storeType, blockRows * signals);
  const storeBytes = elementSize(storeType);
  for (let first = 0; first < samples; first += blockRows) {
    const rows = Math.min(blockRows, samples - first);
    const bytes = await source.readInto(input, matrix.dataOffset + first * rowBytes, rows * rowBytes);
    const values = decodeRows(bytes, matrix, storeType, scratch);
    const block = transposed.subarray(0, rows * signals);
    for (let r = 0; r < rows; r++) {
      const rowStart = r * signals;
      for (let s = 0; s < signals; s++) {
        block[s * rows + r] = values[rowStart + s];
      }
    }
    await writeAll(out, block, first * signals * storeBytes);
  }
  return blockRows;
}

/** Pass 2: gathers, for groups of signals, their segments from every block into whole columns. */
async function gatherColumns(
  blocked: FileHandle,
  layout: ColumnStoreLayout,
  blockRows: number,
  out: FileHandle,
  budgetBytes: number
): Promise<void> {
  const { signals, samples, storeType } = layout;
  const storeBytes = elementSize(storeType);
  const group = Math.max(1, Math.min(signals, Math.floor(budgetBytes / Math.max(samples * storeBytes, 1))));
  const columns = newStoreArray(storeType, group * samples);
  const segment = new Uint8Array(group * blockRows * storeBytes);
  const extremes = newStoreArray(storeType, 2 * blockCount(samples));
  const positions = new Uint8Array(2 * blockCount(samples));
  for (let s0 = 0; s0 < signals; s0 += group) {
    const count = Math.min(group, signals - s0);
    for (let first = 0; first < samples; first += blockRows) {
      const rows = Math.min(blockRows, samples - first);
      const bytes = segment.subarray(0, count * rows * storeBytes);
      // Inside a block, signals are consecutive runs of `rows` samples: the group is one contiguous read.
      await readAll(blocked, bytes, (first * signals + s0 * rows) * storeBytes);
      const values = storeView(storeType, bytes);
      for (let k = 0; k < count; k++) {
        columns.set(values.subarray(k * rows, (k + 1) * rows), k * samples + first);
      }
    }
    await writeAll(out, columns.subarray(0, count * samples), s0 * samples * storeBytes);
    for (let k = 0; k < count; k++) {
      summarizeColumn(columns.subarray(k * samples, (k + 1) * samples), extremes, positions);
      const spans = summarySpans(s0 + k, samples, storeType, 0, blockCount(samples));
      await writeAll(out, extremes, layout.summariesAt + spans.extremesAt);
      await writeAll(out, positions, layout.summariesAt + spans.positionsAt);
    }
  }
}

/**
 * Builds the store for `matrix` at `target` (written under a temporary name, then renamed, so a
 * reader never sees half a store). Memory stays within about three times `budgetBytes`.
 */
export async function buildColumnStore(
  source: FileSource,
  matrix: DataMatrix,
  target: string,
  budgetBytes = 32 * 1024 * 1024
): Promise<ColumnStoreLayout> {
  const layout = columnStoreLayout(matrix, target);
  await mkdir(path.dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}.partial`;
  const blockedPath = `${target}.${process.pid}.blocked`;
  const blocked = await open(blockedPath, 'w+');
  try {
    const blockRows = await writeTransposedBlocks(source, matrix, layout.storeType, blocked, budgetBytes);
    const out = await open(partial, 'w');
    try {
      await gatherColumns(blocked, layout, blockRows, out, budgetBytes);
      // On disk before it gets its name: after a crash, a layout of the right size is a whole one
      // (a restart takes an existing layout by its size). It also keeps the write-back of a
      // gigabyte within the build, instead of under the reads that follow it.
      await out.datasync();
    } finally {
      await out.close();
    }
    await rename(partial, target);
    return layout;
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    await blocked.close();
    await rm(blockedPath, { force: true });
  }
}

/**
 * Reads this small from a layout are done synchronously. The layout is a local file the proxy
 * wrote and reads often (page cache), so such a read takes microseconds, while each trip through
 * libuv's thread pool took 0.2-0.5 ms on the test machine: 21 reads of 40 KB took 0.2-0.6 ms
 * synchronously against 4-10 ms asynchronously. Larger reads stay asynchronous, so a cold disk
 * never stalls the event loop for long.
 */
const SYNC_READ_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Scratch for float32 layouts read synchronously (no other read can run meanwhile). Fresh memory
 * costs a page fault per 4 KB on first touch, about as much as the read itself here.
 */
let scratch = new Uint8Array(0);

function scratchOf(bytes: number): Uint8Array {
  if (scratch.byteLength < bytes) {
    scratch = new Uint8Array(bytes);
  }
  return scratch.subarray(0, bytes);
}

function readStoreColumnsSync(
  layout: ColumnStoreLayout,
  signals: readonly number[],
  first: number,
  count: number
): Float64Array[] {
  const storeBytes = elementSize(layout.storeType);
  const fd = openSync(layout.file, 'r');
  try {
    return signals.map((signal) => {
      const out = new Float64Array(count);
      const position = (signal * layout.samples + first) * storeBytes;
      if (layout.storeType === ElementType.Float64) {
        // Straight into the result: no second buffer to allocate and copy.
        fillAtSync(fd, new Uint8Array(out.buffer), position, storeEnded);
      } else {
        const bytes = scratchOf(count * storeBytes);
        fillAtSync(fd, bytes, position, storeEnded);
        out.set(storeView(layout.storeType, bytes));
      }
      return out;
    });
  } finally {
    closeSync(fd);
  }
}

/** Reads samples `[first, end)` of the given signals from a built store, widened to float64. */
export async function readStoreColumns(
  layout: ColumnStoreLayout,
  signals: readonly number[],
  first: number,
  end: number
): Promise<Float64Array[]> {
  const count = Math.max(0, end - first);
  const storeBytes = elementSize(layout.storeType);
  if (count * storeBytes * signals.length <= SYNC_READ_MAX_BYTES) {
    return readStoreColumnsSync(layout, signals, first, count);
  }
  const handle = await open(layout.file, 'r');
  try {
    // All columns are read at once: one after another, the round trips to the thread pool
    // dominated a 20-variable read of short columns (12 ms for 800 KB).
    const direct = layout.storeType === ElementType.Float64;
    const outputs = signals.map(() => new Float64Array(count));
    // Float64 layouts are read straight into the results; float32 ones through one buffer each.
    const buffers = outputs.map((out) => (direct ? new Uint8Array(out.buffer) : new Uint8Array(count * storeBytes)));
    const reads = signals.map((signal, k) =>
      readAll(handle, buffers[k], (signal * layout.samples + first) * storeBytes)
    );
    const settled = await Promise.allSettled(reads);
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) {
      throw failed.reason;
    }
    if (!direct) {
      outputs.forEach((out, k) => out.set(storeView(layout.storeType, buffers[k])));
    }
    return outputs;
  } finally {
    await handle.close();
  }
}

/** Samples per chunk when streaming a stored column: 512 KiB of float64, which stays in the CPU cache (see PacedReader). */
const STREAM_CHUNK_SAMPLES = 64 * 1024;

/**
 * Visits samples `[first, end)` of each signal of a built store, chunk by chunk through reused
 * buffers, widened to float64: `visit(k, values, count, at)` for the k-th signal, `at` counted
 * from `first`. The values are only valid during the call.
 */
export async function forEachStoreChunk(
  layout: ColumnStoreLayout,
  signals: readonly number[],
  first: number,
  end: number,
  visit: (k: number, values: Float64Array, count: number, at: number) => void
): Promise<void> {
  const storeBytes = elementSize(layout.storeType);
  const chunkSamples = Math.max(1, Math.min(STREAM_CHUNK_SAMPLES, end - first));
  const widened = new Float64Array(chunkSamples);
  // Float64 stores are read straight into the visited buffer.
  const raw =
    layout.storeType === ElementType.Float64
      ? new Uint8Array(widened.buffer)
      : new Uint8Array(chunkSamples * storeBytes);
  const handle = await open(layout.file, 'r');
  try {
    const reader = new PacedReader(handle.fd, storeEnded);
    for (let k = 0; k < signals.length; k++) {
      for (let at = 0; at < end - first; at += chunkSamples) {
        const count = Math.min(chunkSamples, end - first - at);
        const bytes = raw.subarray(0, count * storeBytes);
        await reader.fill(bytes, (signals[k] * layout.samples + first + at) * storeBytes);
        if (raw.buffer !== widened.buffer) {
          widened.set(storeView(layout.storeType, bytes));
        }
        visit(k, widened, count, at);
      }
    }
  } finally {
    await handle.close();
  }
}

/** The block summaries `[firstBlock, endBlock)` of the given signals (see blockSummary.ts), in arrays from `arena`. */
export async function readStoreSummaries(
  layout: ColumnStoreLayout,
  signals: readonly number[],
  firstBlock: number,
  endBlock: number,
  arena: Arena
): Promise<Array<{ extremes: StoreArray; positions: Uint8Array; firstBlock: number }>> {
  const blocks = Math.max(0, endBlock - firstBlock);
  const handle = await open(layout.file, 'r');
  try {
    const reader = new PacedReader(handle.fd, storeEnded);
    const summaries: Array<{ extremes: StoreArray; positions: Uint8Array; firstBlock: number }> = [];
    for (const signal of signals) {
      const spans = summarySpans(signal, layout.samples, layout.storeType, firstBlock, firstBlock + blocks);
      const extremes = layout.storeType === ElementType.Float32 ? arena.float32(2 * blocks) : arena.float64(2 * blocks);
      const positions = arena.bytes(2 * blocks);
      await reader.fill(
        new Uint8Array(extremes.buffer, extremes.byteOffset, extremes.byteLength),
        layout.summariesAt + spans.extremesAt
      );
      await reader.fill(positions, layout.summariesAt + spans.positionsAt);
      summaries.push({ extremes, positions, firstBlock });
    }
    return summaries;
  } finally {
    await handle.close();
  }
}

/** Every signal's block summaries, in two arrays: signal k's extremes at `2 * blocks * k`, positions likewise. */
export async function readAllSummaries(
  layout: ColumnStoreLayout
): Promise<{ blocks: number; extremes: StoreArray; positions: Uint8Array }> {
  const blocks = blockCount(layout.samples);
  const perSignal = 2 * blocks;
  const extremes =
    layout.storeType === ElementType.Float32
      ? new Float32Array(perSignal * layout.signals)
      : new Float64Array(perSignal * layout.signals);
  const positions = new Uint8Array(perSignal * layout.signals);
  const handle = await open(layout.file, 'r');
  try {
    for (let signal = 0; signal < layout.signals; signal++) {
      const spans = summarySpans(signal, layout.samples, layout.storeType, 0, blocks);
      const own = extremes.subarray(signal * perSignal, (signal + 1) * perSignal);
      await readAll(
        handle,
        new Uint8Array(own.buffer, own.byteOffset, own.byteLength),
        layout.summariesAt + spans.extremesAt
      );
      await readAll(
        handle,
        positions.subarray(signal * perSignal, (signal + 1) * perSignal),
        layout.summariesAt + spans.positionsAt
      );
    }
  } finally {
    await handle.close();
  }
  return { blocks, extremes, positions };
}
