import { openCsvResult } from '../../src/engine/decoder/csv';
import { withFile } from '../../src/engine/decoder/file-source';
import { openHdf5Result } from '../../src/engine/decoder/hdf5';
import { sniffFormat } from '../../src/engine/decoder/index';
import { Mat4TrajectoryFile } from '../../src/engine/decoder/mat4/trajectory';
import { openMat5Result } from '../../src/engine/decoder/mat5';

const SNIFF_BYTES = 520;

/**
 * `openResultFile` turns any unexpected exception into a DecodeError "could not be decoded (…)"
 * and drops its stack. For such a finding this repeats the same dispatch without that safety net,
 * so the report can show where the original exception was thrown. Diagnostics only: if the
 * dispatch in decoder/index.ts changes, this may stop reproducing, never cause a finding.
 */
export async function originalError(path: string, displayName: string): Promise<unknown> {
  try {
    await withFile(path, displayName, async (source) => {
      const head = await source.read(0, Math.min(source.size, SNIFF_BYTES));
      const format = sniffFormat(head);
      if (format === 'mat4') {
        return Mat4TrajectoryFile.fromSource(source);
      }
      if (format === 'mat5') {
        return openMat5Result(source);
      }
      if (format === 'mat73' || format === 'hdf5') {
        return openHdf5Result(source, format);
      }
      return format === 'csv' ? openCsvResult(source) : undefined;
    });
    return undefined;
  } catch (error) {
    return error;
  }
}
