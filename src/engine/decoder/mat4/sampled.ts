/**
 * Clipped, M4-downsampled reads of a binTrans trajectory file that never hold whole columns: rows
 * stream from the file (first read) or columns from the per-variable layout (later reads) through
 * reused chunk buffers into streaming M4 (query/m4-stream.ts).
 */
import { M4Stream, columnChunk, m4Plan, type ChunkRows } from '../../query/m4-stream';
import type { SampleRange } from '../clip';
import type { FileSource } from '../file-source';
import { forEachStoreChunk, type ColumnStoreLayout } from './columnStore';
import { floatView, gatherRows } from './elements';
import { forEachRowChunk, rowsPerChunkOf, type DataMatrix } from './matrix';

export interface SampledSignal {
  signal: number;
  negate: boolean;
}

export type SampledSeries = Array<{ time: Float64Array; values: Float64Array }>;

/** ±1 per wanted signal: negated aliases are scanned as they are stored, times -1. */
function signsOf(wanted: readonly SampledSignal[]): Float64Array {
  return Float64Array.from(wanted, (w) => (w.negate ? -1 : 1));
}

/**
 * One streaming pass over the rows of the range; time is signal 0 of every row. Float rows in the
 * host's byte order are scanned where they were read; others are gathered into columns first.
 */
export async function sampleRows(
  source: FileSource,
  matrix: DataMatrix,
  wanted: readonly SampledSignal[],
  range: SampleRange,
  ends: [number, number],
  maxPoints: number
): Promise<SampledSeries> {
  const count = range.end - range.first;
  const rowsPerChunk = rowsPerChunkOf(matrix, count);
  const signals = Int32Array.from([0, ...wanted.map((w) => w.signal)]);
  const columns = Array.from(signals, () => new Float64Array(rowsPerChunk));
  const [time, ...values] = columns;
  const gathered: ChunkRows = { ...columnChunk(time, values), signs: signsOf(wanted) };
  const stream = new M4Stream(m4Plan(ends[0], ends[1], maxPoints), wanted.length);
  await forEachRowChunk(source, matrix, range.first, count, (bytes, rows, at) => {
    const view = floatView(bytes, matrix.elementType, matrix.littleEndian);
    if (view) {
      const inPlace: ChunkRows = { time: view, timeAt: 0, values: wanted.map(() => view), valueAt: signals.subarray(1), signs: gathered.signs, stride: matrix.signals };
      stream.feed(inPlace, rows, range.first + at);
      return;
    }
    gatherRows(bytes, matrix.elementType, matrix.littleEndian, matrix.signals, rows, signals, columns, 0);
    stream.feed(gathered, rows, range.first + at);
  });
  return stream.finish();
}

/** Each variable's stored column streamed against the time vector in memory. */
export async function sampleStore(
  layout: ColumnStoreLayout,
  time: Float64Array,
  wanted: readonly SampledSignal[],
  range: SampleRange,
  maxPoints: number
): Promise<SampledSeries> {
  const streams = wanted.map(() => new M4Stream(m4Plan(time[range.first], time[range.end - 1], maxPoints), 1));
  const signs = signsOf(wanted);
  await forEachStoreChunk(
    layout,
    wanted.map((w) => w.signal),
    range.first,
    range.end,
    (k, values, count, at) => {
      const from = range.first + at;
      const chunk: ChunkRows = { ...columnChunk(time.subarray(from, from + count), [values]), signs: signs.subarray(k, k + 1) };
      streams[k].feed(chunk, count, from);
    }
  );
  return streams.map((stream) => stream.finish()[0]);
}
