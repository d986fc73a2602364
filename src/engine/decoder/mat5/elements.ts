import {
  CHAR_TYPES,
  fail,
  MI_INT8,
  MI_MATRIX,
  MI_UINT32,
  MI_UINT8,
  NUMERIC_SIZES,
  readByteText,
  readInt32s,
  readTag,
  setTagType,
  UNICODE_TEXT_TYPES,
  type Region,
  type Tag,
} from './tags';

/**
 * A walk over the arrays (miMATRIX elements) of a MAT v5 file before mat-for-js reads it, for
 * three reasons. mat-for-js returns nested arrays without the MATLAB class, so a char array stored
 * as uint16 codes, a cell of scalars or a sparse matrix cannot be told from numbers afterwards:
 * the walk records the class of every variable. mat-for-js trusts every size, and a corrupt
 * dimension or field-name length can make it loop for a very long time: the walk checks them all
 * against the bytes present. And mat-for-js throws on whole files for content that only needs to
 * be skipped here (objects, sparse vectors, non-ASCII text, empty arrays stored as a bare tag):
 * the walk patches those in place into elements mat-for-js passes over.
 */

export const MxClass = {
  cell: 1,
  struct: 2,
  object: 3,
  char: 4,
  sparse: 5,
  double: 6,
  int8: 8,
  uint64: 15,
  function: 16,
  opaque: 17,
} as const;

const MAX_DEPTH = 32;

/** A variable of the file as MATLAB describes it (no values). */
export interface MatArray {
  /** The variable name, then field names for fields of 1×1 structs. */
  path: string[];
  mxClass: number;
  complex: boolean;
  logical: boolean;
  dims: number[];
}

interface MatrixContext {
  region: Region;
  arrays: MatArray[];
  depth: number;
  /** The path the array is listed under, given its own name; undefined for arrays that are not variables. */
  pathFor(name: string): string[] | undefined;
  /** Names the array in messages when it has no path (a cell, an element of a struct array). */
  label: string;
}

interface ArrayHeader {
  mxClass: number;
  complex: boolean;
  dims: number[];
  count: number;
  path: string[] | undefined;
  label: string;
  flagsAt: number;
}

function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Walks a top-level miMATRIX element (already inflated), listing its variables into `arrays`. */
export function walkTopLevelMatrix(region: Region, tag: Tag, arrays: MatArray[]): void {
  const context: MatrixContext = {
    region,
    arrays,
    depth: 0,
    // mat-for-js keeps unnamed top-level arrays under "" (MATLAB's object subsystem data); none is a variable.
    pathFor: (name) => (name === '' ? undefined : [name]),
    label: `the variable at ${region.where(tag.at)}`,
  };
  walkMatrix(context, tag);
}

function walkMatrix(context: MatrixContext, tag: Tag): void {
  const { region } = context;
  const start = tag.dataStart;
  const end = tag.dataStart + tag.byteCount;
  if (context.depth > MAX_DEPTH) {
    fail(`arrays nested more than ${MAX_DEPTH} levels deep`);
  }
  if (start === end) {
    // MATLAB's bare tag for an empty array; mat-for-js would read the bytes after it as its header.
    // An empty int8 element takes the same 8 bytes and reads as [].
    region.view.setUint32(tag.at, MI_INT8, region.littleEndian);
    return;
  }
  const flagsTag = readTag(region, start, end);
  if (flagsTag.type !== MI_UINT32 || flagsTag.byteCount !== 8 || flagsTag.small) {
    fail(`array flags at ${region.where(start)} are not a uint32 pair`);
  }
  const flags = region.view.getUint32(flagsTag.dataStart, region.littleEndian);
  const dimsTag = readTag(region, flagsTag.next, end);
  const dims = readInt32s(region, dimsTag, `dimensions at ${region.where(dimsTag.dataStart)}`);
  if (dims.length < 2 || dims.some((d) => d < 0)) {
    fail(`array at ${region.where(start)} has dimensions [${dims.join(', ')}]`);
  }
  const nameTag = readTag(region, dimsTag.next, end);
  const path = context.pathFor(readByteText(region, nameTag));
  const header: ArrayHeader = {
    mxClass: flags & 0xff,
    complex: (flags & 0x800) !== 0,
    dims,
    count: product(dims),
    path,
    label: path ? `"${path.join('.')}"` : context.label,
    flagsAt: flagsTag.dataStart,
  };
  // Every element but those of sparse arrays takes at least a byte; numeric sizes are checked exactly below.
  if (header.mxClass !== MxClass.sparse && header.count > end - start) {
    fail(`${header.label} claims ${header.count} elements in ${end - start} bytes`);
  }
  if (path && header.mxClass !== MxClass.function && header.mxClass !== MxClass.opaque) {
    context.arrays.push({
      path,
      mxClass: header.mxClass,
      complex: header.complex,
      logical: (flags & 0x200) !== 0,
      dims,
    });
  }
  walkContents({ ...context, depth: context.depth + 1 }, header, nameTag.next, end);
}

function walkContents(context: MatrixContext, header: ArrayHeader, at: number, end: number): void {
  const { region } = context;
  const { mxClass, label } = header;
  if (mxClass >= MxClass.double && mxClass <= MxClass.uint64) {
    const real = readTag(region, at, end);
    checkNumericData(real, header.count, label);
    if (header.complex) {
      checkNumericData(readTag(region, real.next, end), header.count, label);
    }
  } else if (mxClass === MxClass.char) {
    walkCharData(region, readTag(region, at, end), header.count, label);
  } else if (mxClass === MxClass.cell) {
    const cellContext = { ...context, pathFor: () => undefined, label: `an element of ${label}` };
    for (let i = 0, position = at; i < header.count; i++) {
      position = walkElement(cellContext, position, end);
    }
  } else if (mxClass === MxClass.struct) {
    walkStruct(context, header, at, end);
  } else if (mxClass === MxClass.sparse) {
    walkSparse(region, header, at, end);
  } else if (mxClass === MxClass.object) {
    // mat-for-js throws on objects for the whole file; as opaque data it passes over them.
    markOpaque(region, header);
  } else if (mxClass !== MxClass.function && mxClass !== MxClass.opaque) {
    fail(`${label} has the unknown MATLAB array class ${mxClass}`);
  }
}

function markOpaque(region: Region, header: ArrayHeader): void {
  const flags = region.view.getUint32(header.flagsAt, region.littleEndian);
  region.view.setUint32(header.flagsAt, (flags & ~0xff) | MxClass.opaque, region.littleEndian);
}

function checkNumericData(tag: Tag, count: number, label: string): void {
  const size = NUMERIC_SIZES.get(tag.type);
  if (size === undefined || tag.byteCount !== count * size) {
    fail(`${label} holds ${tag.byteCount} bytes of data type ${tag.type} for ${count} values`);
  }
}

function walkCharData(region: Region, tag: Tag, count: number, label: string): void {
  if (!CHAR_TYPES.has(tag.type) || tag.byteCount < count) {
    fail(`${label} holds ${tag.byteCount} bytes of data type ${tag.type} for ${count} characters`);
  }
  // mat-for-js decodes UTF-8/16/32 byte by byte and throws on any non-ASCII (or, for UTF-32, any)
  // text; text is skipped here anyway, so it is handed over as plain bytes.
  if (UNICODE_TEXT_TYPES.has(tag.type)) {
    setTagType(region, tag, MI_UINT8);
  }
}

/** One miMATRIX element at `at` (a cell, or a field of a struct element); returns where the next starts. */
function walkElement(context: MatrixContext, at: number, end: number): number {
  const tag = readTag(context.region, at, end);
  if (tag.type !== MI_MATRIX) {
    fail(`${context.label} is not an array (data type ${tag.type})`);
  }
  walkMatrix(context, tag);
  return tag.next;
}

function walkStruct(context: MatrixContext, header: ArrayHeader, at: number, end: number): void {
  const { region } = context;
  const lengthTag = readTag(region, at, end);
  const [nameLength] = readInt32s(region, lengthTag, `field name length of ${header.label}`);
  const namesTag = readTag(region, lengthTag.next, end);
  if (namesTag.type !== MI_INT8 && namesTag.type !== MI_UINT8) {
    fail(`field names of ${header.label} are not text`);
  }
  // mat-for-js divides by this length to count the fields.
  if (namesTag.byteCount > 0 && (!(nameLength > 0) || namesTag.byteCount % nameLength !== 0)) {
    fail(`field names of ${header.label} take ${namesTag.byteCount} bytes, not a multiple of ${nameLength}`);
  }
  const fieldNames: string[] = [];
  for (let offset = 0; offset < namesTag.byteCount; offset += nameLength) {
    fieldNames.push(readByteText(region, namesTag, namesTag.dataStart + offset, nameLength, true));
  }
  // Fields of 1×1 structs become variables; the elements of struct arrays are only checked.
  const parent = header.dims.length === 2 && header.count === 1 ? header.path : undefined;
  let position = namesTag.next;
  for (let element = 0; element < header.count; element++) {
    for (const field of fieldNames) {
      const fieldContext: MatrixContext = {
        ...context,
        pathFor: () => (parent ? [...parent, field] : undefined),
        label: `field "${field}" of ${header.label}`,
      };
      position = walkElement(fieldContext, position, end);
    }
  }
}

function walkSparse(region: Region, header: ArrayHeader, at: number, end: number): void {
  if (header.dims.length !== 2 || header.dims.includes(1)) {
    // mat-for-js turns 1×n into n, then throws on the file as "not two-dimensional".
    markOpaque(region, header);
    return;
  }
  const rowsTag = readTag(region, at, end);
  const rowIndices = readInt32s(region, rowsTag, `row indices of ${header.label}`);
  const columnsTag = readTag(region, rowsTag.next, end);
  const columnStarts = readInt32s(region, columnsTag, `column starts of ${header.label}`);
  const nonZeros = columnStarts[columnStarts.length - 1] ?? 0;
  const ordered = columnStarts.every((start, i) => start >= 0 && (i === 0 || start >= columnStarts[i - 1]));
  if (!ordered || nonZeros > rowIndices.length) {
    fail(`sparse array ${header.label} has inconsistent indices`);
  }
  let valuesTag = readTag(region, columnsTag.next, end);
  for (let part = header.complex ? 2 : 1; part > 0; part--) {
    const size = NUMERIC_SIZES.get(valuesTag.type);
    if (size === undefined || valuesTag.byteCount / size < nonZeros) {
      fail(`sparse array ${header.label} has fewer values than non-zeros`);
    }
    if (part > 1) {
      valuesTag = readTag(region, valuesTag.next, end);
    }
  }
}
