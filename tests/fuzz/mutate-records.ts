import { insertAt, MAX_MUTATED_BYTES, removeRange, truncate, type Mutated } from './mutate-bytes';
import type { Prng } from './prng';
import {
  concatBytes,
  fieldOffset,
  HEADER_BYTES,
  HEADER_FIELDS,
  writeInt32,
  type HeaderField,
  type RecordSpan,
} from './records';

/** MAT v4 aware mutations: they aim at the headers, names and boundaries the walker found. */

export interface RecordContext {
  bytes: Uint8Array;
  records: RecordSpan[];
  rng: Prng;
  /** Another seed's bytes and records, for splicing. */
  donor: { name: string; bytes: Uint8Array; records: RecordSpan[] };
}

const INT32_MAX = 0x7fffffff;
const INT32_MIN = -0x80000000;

/** Edge values of a 32-bit header field, in the order the sweep tries them first. */
export const INT32_EDGES = [
  0,
  -1,
  INT32_MAX,
  0x40000000,
  1,
  2,
  3,
  4,
  -2,
  INT32_MIN,
  0x10000000,
  0x01000000,
  0xffff,
  0x10000,
  0x7ffffff0,
  1e9,
];

/**
 * Type codes the decoder must refuse or handle: out of range, VAX/Cray (M = 2..4), undefined
 * precisions (P = 6..9), sparse (T = 2), O != 0, the other byte order, and every valid code.
 */
export const TYPE_CODES = [
  4053,
  9999,
  10000,
  -1,
  -1000,
  INT32_MIN,
  INT32_MAX,
  2000,
  2010,
  3000,
  3051,
  4000,
  4052,
  60,
  61,
  70,
  80,
  90,
  2,
  12,
  52,
  1002,
  100,
  151,
  1000,
  1010,
  1051,
  0,
  1,
  10,
  11,
  20,
  21,
  30,
  40,
  50,
  51,
  5,
  9,
  0x01000000,
  0x33000000,
];

export const NAME_LENGTHS = [0, -1, 1, 2, 64, 65, 255, 4096, INT32_MAX, INT32_MIN, 0x10000];

const RECORD_NAMES = [
  'Aclass',
  'name',
  'names',
  'description',
  'dataInfo',
  'data',
  'data_1',
  'data_2',
  'data_3',
  'x',
  '1bad',
  'data-2',
  '',
];

const ACLASS_ROWS: readonly string[][] = [
  ['Atrajectory', 'AlinearSystem', 'Atrajector', '', 'Atrajectory\u00ff', 'ATRAJECTORY'],
  ['1.0', '1.1', '1.2', '', '1.10', '0.9', '1.1 '],
  ['', 'Stored by Dymola', 'Atrajectory'],
  ['binTrans', 'binNormal', 'bin', '', 'binTransX', 'binnormal'],
];

export function label(record: RecordSpan): string {
  return `"${record.name}"@${record.offset}`;
}

/** The part of a record that lies inside the file (a growing last record may be cut short). */
function inFileEnd(record: RecordSpan, length: number): number {
  return Math.min(record.end, length);
}

export function boundaries(records: readonly RecordSpan[], length: number): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (const r of records) {
    out.push([r.offset, `start of ${label(r)}`], [r.nameOffset, `after header of ${label(r)}`]);
    out.push([r.dataOffset, `after name of ${label(r)}`], [inFileEnd(r, length), `end of ${label(r)}`]);
  }
  return out.filter(([at]) => at < length);
}

export function setField(
  bytes: Uint8Array,
  record: RecordSpan,
  field: HeaderField,
  value: number,
  swap = false
): Mutated {
  const out = bytes.slice();
  const littleEndian = swap ? !record.littleEndian : record.littleEndian;
  writeInt32(out, fieldOffset(record, field), value, littleEndian);
  const order = littleEndian ? 'LE' : 'BE';
  return { bytes: out, description: `header ${field} of ${label(record)} = ${value | 0} (${order})` };
}

function relativeValues(record: RecordSpan, field: HeaderField, length: number): number[] {
  const current = fieldValue(record, field);
  const rest = Math.max(0, length - record.dataOffset);
  return [current + 1, current - 1, current * 2, length, rest, Math.floor(rest / record.elementSize), rest + 1];
}

function fieldValue(record: RecordSpan, field: HeaderField): number {
  const values: Record<HeaderField, number> = {
    type: record.type,
    mrows: record.rows,
    ncols: record.cols,
    imagf: 0,
    namlen: record.namlen,
  };
  return values[field];
}

export function mutateHeaderField(ctx: RecordContext): Mutated | undefined {
  const { rng, records, bytes } = ctx;
  if (records.length === 0) {
    return undefined;
  }
  const record = rng.pick(records);
  const field = rng.pick(HEADER_FIELDS);
  const value = rng.weighted<() => number>([
    [() => rng.pick(INT32_EDGES), 5],
    [() => rng.pick(relativeValues(record, field, bytes.length)), 3],
    [() => rng.int32(), 1],
    [() => rng.int(100), 1],
  ])();
  return setField(bytes, record, field, value, rng.chance(0.05));
}

export function mutateTypeCode(ctx: RecordContext): Mutated | undefined {
  const { rng, records, bytes } = ctx;
  if (records.length === 0) {
    return undefined;
  }
  const code = rng.chance(0.85) ? rng.pick(TYPE_CODES) : rng.int(10000);
  return setField(bytes, rng.pick(records), 'type', code);
}

export function mutateNameLength(ctx: RecordContext): Mutated | undefined {
  const { rng, records, bytes } = ctx;
  if (records.length === 0) {
    return undefined;
  }
  const record = rng.pick(records);
  const value = rng.chance(0.7) ? rng.pick(NAME_LENGTHS) : record.namlen + rng.pick([-2, -1, 1, 2, 8]);
  return setField(bytes, record, 'namlen', value);
}

/** One dimension 0 and the other huge: zero declared bytes, but a huge element count. */
export function mutateZeroDimension(ctx: RecordContext): Mutated | undefined {
  const { rng, records, bytes } = ctx;
  if (records.length === 0) {
    return undefined;
  }
  const record = rng.pick(records);
  const [zero, big]: HeaderField[] = rng.chance(0.5) ? ['mrows', 'ncols'] : ['ncols', 'mrows'];
  const value = rng.pick([INT32_MAX, 0x40000000, 1e9, 0x10000, 0x1000000, bytes.length, rng.int(INT32_MAX)]);
  const first = setField(bytes, record, zero, 0);
  const second = setField(first.bytes, record, big, value);
  return { bytes: second.bytes, description: `${first.description}; ${second.description}` };
}

/** Data of a resized record stays below this, so resizing never makes a large file. */
const MAX_RESIZED_DATA = 1024 * 1024;

const HUGE_DIMENSIONS = [INT32_MAX, 0x40000000, 1e9, 0x1000000];

export function canResize(bytes: Uint8Array, record: RecordSpan, rows: number, cols: number): boolean {
  return rows * cols * record.elementSize * record.parts <= MAX_RESIZED_DATA && record.end <= bytes.length;
}

/**
 * Sets a record's dimensions and resizes its data to match (cut, or padded by repeating it), so
 * the records after it stay in step and the decoder gets past the walk to its semantic checks.
 */
export function resizeRecord(bytes: Uint8Array, record: RecordSpan, rows: number, cols: number): Mutated | undefined {
  if (!canResize(bytes, record, rows, cols)) {
    return undefined;
  }
  const length = rows * cols * record.elementSize * record.parts;
  const old = bytes.subarray(record.dataOffset, record.end);
  const data = new Uint8Array(length).map((_, i) => (old.length > 0 ? old[i % old.length] : 0x20));
  const header = bytes.slice(record.offset, record.dataOffset);
  writeInt32(header, 4, rows, record.littleEndian);
  writeInt32(header, 8, cols, record.littleEndian);
  return {
    bytes: concatBytes([bytes.subarray(0, record.offset), header, data, bytes.subarray(record.end)]),
    description: `resize ${label(record)} to ${rows}x${cols} (data ${old.length} -> ${length} bytes)`,
  };
}

function resizedDimensions(rng: Prng, record: RecordSpan): [number, number] {
  const { rows, cols } = record;
  return rng.pick<[number, number]>([
    [cols, rows],
    [0, rng.pick(HUGE_DIMENSIONS)],
    [rng.pick(HUGE_DIMENSIONS), 0],
    [0, 0],
    [rows + 1, cols],
    [Math.max(0, rows - 1), cols],
    [rows, cols + 1],
    [rows, Math.max(0, cols - 1)],
    [1, rows * cols],
    [rows * cols, 1],
  ]);
}

export function mutateResizeRecord(ctx: RecordContext): Mutated | undefined {
  const { rng, records, bytes } = ctx;
  const complete = records.filter((r) => r.end <= bytes.length);
  if (complete.length === 0) {
    return undefined;
  }
  const record = rng.pick(complete);
  return resizeRecord(bytes, record, ...resizedDimensions(rng, record));
}

function interestingElement(rng: Prng, record: RecordSpan): number {
  const p = Math.floor(record.type / 10) % 10;
  if (p <= 1) {
    return rng.pick([
      NaN,
      Infinity,
      -Infinity,
      0,
      -0,
      1,
      -1,
      2,
      3,
      0.5,
      1e308,
      -1e308,
      2 ** 31,
      2 ** 53,
      -(2 ** 53),
      1e-310,
      1.5,
    ]);
  }
  if (p === 5) {
    return rng.pick([0, 0xff, 0x20, 0x80, 0xc3, rng.int(256)]);
  }
  return rng.pick([
    0,
    1,
    -1,
    2,
    3,
    4,
    5,
    INT32_MAX,
    INT32_MIN,
    record.cols,
    record.cols + 1,
    record.rows + 1,
    -record.cols,
    rng.int32(),
  ]);
}

function writeElement(view: DataView, at: number, record: RecordSpan, value: number): void {
  const p = Math.floor(record.type / 10) % 10;
  const le = record.littleEndian;
  const writers: Array<() => void> = [
    () => view.setFloat64(at, value, le),
    () => view.setFloat32(at, value, le),
    () => view.setInt32(at, value, le),
    () => view.setInt16(at, value, le),
    () => view.setUint16(at, value, le),
    () => view.setUint8(at, value),
  ];
  writers[p]();
}

/** An edge value in a record's data: dataInfo entries, data_1 parameters, time stamps. */
export function mutateDataValue(ctx: RecordContext): Mutated | undefined {
  const { rng, records, bytes } = ctx;
  const preferred = records.filter((r) => r.name === 'dataInfo' || (rng.chance(0.5) && r.name.startsWith('data')));
  const candidates = (preferred.length > 0 && rng.chance(0.6) ? preferred : records).filter(
    (r) => r.dataOffset + r.elementSize <= bytes.length && r.end > r.dataOffset
  );
  if (candidates.length === 0) {
    return undefined;
  }
  const record = rng.pick(candidates);
  const count = Math.floor((Math.min(record.end, bytes.length) - record.dataOffset) / record.elementSize);
  const index = rng.chance(0.3) ? rng.int(Math.min(count, 8)) : rng.int(count);
  const value = interestingElement(rng, record);
  const out = bytes.slice();
  writeElement(new DataView(out.buffer), record.dataOffset + index * record.elementSize, record, value);
  return { bytes: out, description: `element ${index} of ${label(record)} = ${value}` };
}

/** Rewrites one row of the 4-row Aclass text matrix (column-major: row r, char j at j*rows + r). */
export function mutateAclass(ctx: RecordContext): Mutated | undefined {
  const { rng, records, bytes } = ctx;
  const record = records.find((r) => r.name === 'Aclass');
  if (!record || record.rows === 0 || record.end > bytes.length) {
    return undefined;
  }
  const row = rng.weighted<number>([
    [0, 2],
    [1, 3],
    [2, 1],
    [3, 4],
  ]);
  const text = rng.pick(ACLASS_ROWS[row]);
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const pad = rng.chance(0.5) ? 0 : 0x20;
  for (let j = 0; j < record.cols && row < record.rows; j++) {
    const value = j < text.length ? text.charCodeAt(j) & 0xff : j === text.length ? 0 : pad;
    writeElement(view, record.dataOffset + (j * record.rows + row) * record.elementSize, record, value);
  }
  return { bytes: out, description: `Aclass row ${row + 1} = ${JSON.stringify(text)}` };
}

export function mutateRecordName(ctx: RecordContext): Mutated | undefined {
  const { rng, records, bytes } = ctx;
  if (records.length === 0) {
    return undefined;
  }
  const record = rng.pick(records);
  const name = rng.pick(RECORD_NAMES);
  const out = bytes.slice();
  out.fill(0, record.nameOffset, record.dataOffset);
  out.set(new TextEncoder().encode(name).subarray(0, record.namlen), record.nameOffset);
  return { bytes: out, description: `rename ${label(record)} to ${JSON.stringify(name)}` };
}

function recordBytes(bytes: Uint8Array, record: RecordSpan): Uint8Array {
  return bytes.slice(record.offset, Math.min(record.end, bytes.length));
}

export function duplicateRecord(bytes: Uint8Array, records: readonly RecordSpan[], i: number, at: number): Mutated {
  const copy = recordBytes(bytes, records[i]);
  return { bytes: insertAt(bytes, at, copy), description: `copy record ${label(records[i])} to ${at}` };
}

export function removeRecord(bytes: Uint8Array, record: RecordSpan): Mutated {
  return {
    bytes: removeRange(bytes, record.offset, Math.min(record.end, bytes.length)),
    description: `remove record ${label(record)}`,
  };
}

export function mutateDuplicateRecord(ctx: RecordContext): Mutated | undefined {
  const { rng, records, bytes } = ctx;
  if (records.length === 0 || bytes.length * 2 > MAX_MUTATED_BYTES) {
    return undefined;
  }
  const i = rng.int(records.length);
  const targets = [...records.map((r) => r.offset), Math.min(records[records.length - 1].end, bytes.length)];
  return duplicateRecord(bytes, records, i, rng.pick(targets));
}

export function mutateRemoveRecord(ctx: RecordContext): Mutated | undefined {
  return ctx.records.length === 0 ? undefined : removeRecord(ctx.bytes, ctx.rng.pick(ctx.records));
}

export function mutateSwapRecords(ctx: RecordContext): Mutated | undefined {
  const { rng, records, bytes } = ctx;
  const complete = records.filter((r) => r.end <= bytes.length);
  if (complete.length < 2) {
    return undefined;
  }
  const a = rng.int(complete.length - 1);
  const b = rng.range(a + 1, complete.length - 1);
  const [ra, rb] = [complete[a], complete[b]];
  const out = concatBytes([
    bytes.subarray(0, ra.offset),
    bytes.subarray(rb.offset, rb.end),
    bytes.subarray(ra.end, rb.offset),
    bytes.subarray(ra.offset, ra.end),
    bytes.subarray(rb.end),
  ]);
  return { bytes: out, description: `swap records ${label(ra)} and ${label(rb)}` };
}

/** Replaces a record by the donor's record of the same name (or any donor record). */
export function mutateSpliceRecord(ctx: RecordContext): Mutated | undefined {
  const { rng, records, bytes, donor } = ctx;
  if (records.length === 0 || donor.records.length === 0) {
    return undefined;
  }
  const target = rng.pick(records);
  const sameName = donor.records.filter((r) => r.name === target.name);
  const source = sameName.length > 0 && rng.chance(0.7) ? rng.pick(sameName) : rng.pick(donor.records);
  const insert = recordBytes(donor.bytes, source);
  if (bytes.length + insert.length > MAX_MUTATED_BYTES) {
    return undefined;
  }
  const out = concatBytes([
    bytes.subarray(0, target.offset),
    insert,
    bytes.subarray(Math.min(target.end, bytes.length)),
  ]);
  return { bytes: out, description: `replace ${label(target)} by ${label(source)} of ${donor.name}` };
}

/** The head of this seed up to a record boundary, then the donor from one of its boundaries. */
export function mutateCrossover(ctx: RecordContext): Mutated | undefined {
  const { rng, bytes, records, donor } = ctx;
  const pickBoundary = (b: Uint8Array, r: RecordSpan[]): number => {
    const marks = boundaries(r, b.length).map(([at]) => at);
    return marks.length > 0 && rng.chance(0.8) ? rng.pick(marks) : rng.int(b.length + 1);
  };
  const head = pickBoundary(bytes, records);
  const tail = pickBoundary(donor.bytes, donor.records);
  if (head + donor.bytes.length - tail > MAX_MUTATED_BYTES) {
    return undefined;
  }
  const out = concatBytes([bytes.subarray(0, head), donor.bytes.subarray(tail)]);
  return { bytes: out, description: `first ${head} bytes, then ${donor.name} from byte ${tail}` };
}

export function mutateTruncateAtBoundary(ctx: RecordContext): Mutated | undefined {
  const { rng, records, bytes } = ctx;
  const marks = boundaries(records, bytes.length);
  if (marks.length === 0) {
    return undefined;
  }
  const [at, where] = rng.pick(marks);
  const jitter = rng.chance(0.7) ? 0 : rng.pick([-3, -2, -1, 1, 2, 3, HEADER_BYTES - 1]);
  const to = Math.max(0, at + jitter);
  return {
    bytes: truncate(bytes, to),
    description: `truncate to ${to} bytes (${where}${jitter ? ` ${jitter > 0 ? '+' : ''}${jitter}` : ''})`,
  };
}

export function mutateTruncateInside(ctx: RecordContext): Mutated | undefined {
  const { rng, records, bytes } = ctx;
  if (bytes.length === 0) {
    return undefined;
  }
  if (records.length === 0 || rng.chance(0.2)) {
    const to = rng.int(bytes.length);
    return { bytes: truncate(bytes, to), description: `truncate to ${to} bytes` };
  }
  const record = rng.pick(records);
  const end = Math.min(record.end, bytes.length);
  const to = record.offset + rng.int(Math.max(1, end - record.offset));
  return { bytes: truncate(bytes, to), description: `truncate to ${to} bytes (inside ${label(record)})` };
}
