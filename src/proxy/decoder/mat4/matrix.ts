import type { FileSource } from '../file-source';
import { elementGetter, gatherStrided } from './elements';
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
const CHUNK_BYTES = 16 * 1024 * 1024;

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
  const size = elementSize(matrix.elementType);
  const rowBytes = matrix.signals * size;
  const rowsPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / rowBytes));
  const buffer = new Uint8Array(Math.min(rowsPerChunk, count) * rowBytes);
  for (let done = 0; done < count; done += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, count - done);
    const bytes = await source.readInto(buffer, matrix.dataOffset + (first + done) * rowBytes, rows * rowBytes);
    signals.forEach((signal, k) => {
      gatherStrided(bytes, matrix.elementType, matrix.littleEndian, signal, matrix.signals, rows, outputs[k], done);
    });
  }
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
