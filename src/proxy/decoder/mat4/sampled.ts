/**
 * Clipped, M4-downsampled reads of a binTrans trajectory file that never hold whole columns: rows
 * stream from the file (first read) or columns from the per-variable layout (later reads) through
 * reused chunk buffers into streaming M4 (query/m4-stream.ts).
 */
import { M4Stream, m4Plan } from '../../query/m4-stream';
import type { SampleRange } from '../clip';
import type { FileSource } from '../file-source';
import { forEachStoreChunk, type ColumnStoreLayout } from './columnStore';
import { gatherRows } from './elements';
import { forEachRowChunk, rowsPerChunkOf, type DataMatrix } from './matrix';

export interface SampledSignal {
  signal: number;
  negate: boolean;
}

export type SampledSeries = Array<{ time: Float64Array; values: Float64Array }>;

function negateInPlace(values: Float64Array, count: number): void {
  for (let i = 0; i < count; i++) {
    // Unary minus keeps the sign of zero, as the file's negated aliases mean.
    values[i] = -values[i];
  }
}

/** One streaming pass over the rows of the range; time is signal 0 of every row. */
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
  const stream = new M4Stream(m4Plan(ends[0], ends[1], maxPoints), wanted.length);
  await forEachRowChunk(source, matrix, range.first, count, (bytes, rows, at) => {
    gatherRows(bytes, matrix.elementType, matrix.littleEndian, matrix.signals, rows, signals, columns, 0);
    wanted.forEach((w, k) => w.negate && negateInPlace(values[k], rows));
    stream.feed(time, values, rows, range.first + at);
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
  await forEachStoreChunk(
    layout,
    wanted.map((w) => w.signal),
    range.first,
    range.end,
    (k, values, count, at) => {
      if (wanted[k].negate) {
        negateInPlace(values, count);
      }
      const from = range.first + at;
      streams[k].feed(time.subarray(from, from + count), [values], count, from);
    }
  );
  return streams.map((stream) => stream.finish()[0]);
}
