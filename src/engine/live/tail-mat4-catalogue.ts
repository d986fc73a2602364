/**
 * Opening a MAT v4 result that may be only partly written: whether its catalogue is on disk yet,
 * then the catalogue itself, parsed by the decoder's own code (header.ts, version10/11.ts).
 */
import { DecodeError } from '../decoder/errors';
import type { FileSource } from '../decoder/file-source';
import { readAclass, walkCatalog, type AclassInfo } from '../decoder/mat4/header';
import type { ParsedTrajectory } from '../decoder/mat4/locations';
import { readRecordHeader, type Mat4Record } from '../decoder/mat4/records';
import { parseVersion10 } from '../decoder/mat4/version10';
import { parseVersion11 } from '../decoder/mat4/version11';

/** As walkCatalog: more matrices than this before data_2 is not a result file. */
const MAX_RECORDS = 4096;
/** catalogRecords.ts refuses catalogue matrices above this; waiting for one to be written would never end. */
const MAX_CATALOGUE_MATRIX_BYTES = 1024 * 1024 * 1024;

export interface Catalogue {
  aclass: AclassInfo;
  parsed: ParsedTrajectory;
  data2Record: Mat4Record;
  /** Where the matrices that a run may rewrite (data_1: PyFMI patches its stop time each step) begin. */
  stableEnd: number;
}

/** The catalogue, or undefined while the file is not written far enough; a hostile file fails as a DecodeError. */
export async function readCatalogue(source: FileSource): Promise<Catalogue | undefined> {
  if (!(await catalogueWritten(source))) {
    return undefined;
  }
  try {
    return await parseCatalogue(source);
  } catch (error) {
    // A binNormal matrix or a matrix after data_2 still being written.
    if (error instanceof DecodeError && error.code === 'truncated') {
      return undefined;
    }
    throw error;
  }
}

/**
 * True once every matrix before the trajectory matrix is complete and the trajectory matrix's
 * header is on disk. OpenModelica writes Aclass, name and description when the run starts, and
 * dataInfo, data_1 and the data_2 header only after initialization; a buffered writer can leave
 * the file cut anywhere in between. Hostile headers still fail here, rather than being waited for.
 */
async function catalogueWritten(source: FileSource): Promise<boolean> {
  let offset = 0;
  for (let n = 0; n < MAX_RECORDS; n++) {
    const record = await headerIfWritten(source, offset);
    if (!record) {
      return false;
    }
    if (n === 0) {
      requireAclassRecord(source, record);
    }
    if (record.name === 'data_2' || record.name === 'data') {
      return true;
    }
    if (record.declaredBytes > MAX_CATALOGUE_MATRIX_BYTES) {
      throw new DecodeError(
        source.displayName,
        'corrupt',
        `matrix "${record.name}" declares ${record.declaredBytes} bytes, more than a catalogue matrix can hold`
      );
    }
    if (record.end > source.size) {
      return false;
    }
    if (n === 0) {
      // Refuse a linearization result or a bad Aclass now, not once the rest is written.
      await readAclass(source, record);
    }
    offset = record.end;
  }
  throw new DecodeError(source.displayName, 'corrupt', `more than ${MAX_RECORDS} matrices before data_2`);
}

async function headerIfWritten(source: FileSource, offset: number): Promise<Mat4Record | undefined> {
  try {
    return await readRecordHeader(source, offset);
  } catch (error) {
    if (error instanceof DecodeError && error.code === 'truncated') {
      return undefined;
    }
    throw error;
  }
}

function requireAclassRecord(source: FileSource, record: Mat4Record): void {
  if (record.name !== 'Aclass' || !record.isText) {
    throw new DecodeError(
      source.displayName,
      'not_a_trajectory',
      `MAT v4 file whose first matrix is "${record.name}", not the "Aclass" text of a Dymola/OpenModelica result`
    );
  }
}

/** The decoder's own opening sequence (Mat4TrajectoryFile.fromSource), keeping what a tail needs. */
async function parseCatalogue(source: FileSource): Promise<Catalogue> {
  const aclassRecord = await readRecordHeader(source, 0);
  const aclass = await readAclass(source, aclassRecord);
  const catalog = await walkCatalog(source, aclassRecord.end);
  const parsed =
    aclass.version === '1.0' ? await parseVersion10(source, catalog) : await parseVersion11(source, aclass, catalog);
  const data2Record = catalog.records.get(aclass.version === '1.0' ? 'data' : 'data_2');
  if (!data2Record) {
    throw new DecodeError(source.displayName, 'corrupt', 'the trajectory matrix is missing');
  }
  const stableEnd = catalog.records.get('data_1')?.offset ?? data2Record.offset;
  return { aclass, parsed, data2Record, stableEnd };
}
