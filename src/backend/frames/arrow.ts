/**
 * A Frame as the Arrow IPC file the SDK's `data.UnmarshalArrowFrame` reads: schema metadata
 * `name`, `refId` and `meta`; field metadata `tstype`, `labels` and `config`; time as
 * timestamp[ns]; nulls in the validity bitmap. Columns are built straight from typed arrays:
 * Arrow's per-value builders cost more than the decode for large series.
 */
import {
  Binary,
  Bool,
  Field as ArrowField,
  Float64,
  makeData,
  Schema,
  Struct,
  TimestampNanosecond,
  Utf8,
  vectorFromArray,
  type Data,
  type DataType,
} from 'apache-arrow';

import { Float64Values } from './float64Values';
import type { Field, FieldKind, FieldValue, Frame } from './frame';
import { numericRecordBatchFile, recordBatchFile } from './ipcFile';
import { numberColumn, timeColumn, type NumericColumn } from './numericColumns';

export { nanosOf } from './numericColumns';

interface Column {
  type: DataType;
  nullable: boolean;
  data: Data;
}

/** A time or number column as apache-arrow Data, for frames that also hold other kinds of field. */
function numericData({ nullCount, validity, values }: NumericColumn): Column {
  const length = values.length;
  if (values instanceof BigInt64Array) {
    const time = new TimestampNanosecond();
    return { type: time, nullable: nullCount > 0, data: makeData({ type: time, length, nullCount, nullBitmap: validity, data: values }) };
  }
  const number = new Float64();
  return { type: number, nullable: nullCount > 0, data: makeData({ type: number, length, nullCount, nullBitmap: validity, data: values }) };
}

function builtColumn<T extends DataType>(type: T, values: readonly unknown[]): Column {
  const vector = vectorFromArray(values as unknown[], type);
  const data = vector.data.length === 1 ? vector.data[0] : makeData({ type, length: 0 });
  return { type, nullable: vector.nullCount > 0, data };
}

const encoder = new TextEncoder();

function column(kind: FieldKind, field: readonly FieldValue[] | Float64Values): Column {
  if (kind === 'time') {
    return numericData(timeColumn(field));
  }
  if (kind === 'number') {
    return numericData(numberColumn(field));
  }
  // Only time and number fields keep typed arrays; anything else as an array, whatever it was given as.
  const values = field instanceof Float64Values ? field.toArray() : field;
  switch (kind) {
    case 'boolean':
      return builtColumn(new Bool(), values.map((v) => (v === null ? null : Boolean(v))));
    case 'other':
      // json.RawMessage in the SDK: each value as its JSON text.
      return builtColumn(new Binary(), values.map((v) => (v === null ? null : encoder.encode(JSON.stringify(v)))));
    default:
      return builtColumn(new Utf8(), values.map((v) => (v === null ? null : String(v))));
  }
}

function fieldMetadata(field: Field): Map<string, string> {
  const metadata = new Map<string, string>([['tstype', field.type]]);
  if (field.labels && Object.keys(field.labels).length > 0) {
    metadata.set('labels', JSON.stringify(field.labels));
  }
  const config = Object.fromEntries(Object.entries(field.config ?? {}).filter(([, v]) => v !== undefined));
  if (Object.keys(config).length > 0) {
    metadata.set('config', JSON.stringify(config));
  }
  return metadata;
}

function frameMetadata(frame: Frame): Map<string, string> {
  const metadata = new Map<string, string>([
    ['name', frame.name ?? ''],
    ['refId', frame.refId ?? ''],
  ]);
  if (frame.meta && Object.keys(frame.meta).length > 0) {
    metadata.set('meta', JSON.stringify(frame.meta));
  }
  return metadata;
}

/**
 * Fields that share a name must agree in kind and nullability, as apache-arrow's tableToIPC
 * demanded (its RecordBatch looks fields up by name: the first of a name took the type of the
 * last, and the Table refused the mismatch with this message). A frame it refused is refused.
 */
function checkSharedNames(fields: ReadonlyArray<{ name: string; kind: FieldKind; nullable: boolean }>): void {
  const last = new Map(fields.map((field) => [field.name, field]));
  const seen = new Set<string>();
  for (const field of fields) {
    if (seen.has(field.name)) {
      continue;
    }
    seen.add(field.name);
    const other = last.get(field.name)!;
    if (other.kind !== field.kind || other.nullable !== field.nullable) {
      throw new TypeError('Table and inner RecordBatch schemas must be equivalent.');
    }
  }
}

/** Fields of unequal length are an error in Grafana too; the frame's length is its first field's. */
function checkedLength(frame: Frame): number {
  const length = frame.fields[0]?.values.length ?? 0;
  const uneven = frame.fields.find((field) => field.values.length !== length);
  if (uneven) {
    throw new Error(`frame ${frame.name ?? ''}: field ${uneven.name} has ${uneven.values.length} values, ${frame.fields[0].name} has ${length}`);
  }
  return length;
}

/**
 * Series frames (time and number fields only, most of every answer) are written by
 * numericRecordBatchFile without apache-arrow's objects; other frames through apache-arrow. Both
 * give the bytes apache-arrow's file writer gives (ipcFile.test.ts).
 */
export function frameToArrow(frame: Frame): Uint8Array {
  const length = checkedLength(frame);
  if (frame.fields.every((field) => field.type === 'time' || field.type === 'number')) {
    return numericFrameToArrow(frame, length);
  }
  const columns = frame.fields.map((field) => column(field.type, field.values));
  checkSharedNames(frame.fields.map((field, k) => ({ name: field.name, kind: field.type, nullable: columns[k].nullable })));
  const fields = frame.fields.map((field, k) => new ArrowField(field.name, columns[k].type, columns[k].nullable, fieldMetadata(field)));
  const schema = new Schema(fields, frameMetadata(frame));
  const rows = makeData({ type: new Struct(fields), length, nullCount: 0, children: columns.map((c) => c.data) });
  return recordBatchFile(schema, rows);
}

function numericFrameToArrow(frame: Frame, length: number): Uint8Array {
  const columns = frame.fields.map((field) => (field.type === 'time' ? timeColumn(field.values) : numberColumn(field.values)));
  checkSharedNames(frame.fields.map((field, k) => ({ name: field.name, kind: field.type, nullable: columns[k].nullCount > 0 })));
  const fields = frame.fields.map((field, k) => ({ name: field.name, type: columns[k].type, nullable: columns[k].nullCount > 0, metadata: fieldMetadata(field) }));
  return numericRecordBatchFile(fields, columns, length, frameMetadata(frame));
}
