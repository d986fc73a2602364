/**
 * frameToArrow against the encoder it replaced: apache-arrow's Data built from JS arrays and
 * written by tableToIPC(new Table(...), 'file'), kept here as the reference. Any frame, of any
 * field kinds, with nulls, shared field names and any metadata, gives the same bytes, or the same
 * error.
 */
import fc from 'fast-check';
import {
  Binary,
  Bool,
  Field as ArrowField,
  Float64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  TimestampNanosecond,
  Utf8,
  vectorFromArray,
  type Data,
  type DataType,
} from 'apache-arrow';

import { frameToArrow, nanosOf } from './arrow';
import { Float64Values } from './float64Values';
import type { Field, FieldKind, FieldValue, Frame } from './frame';

function bitmapOf(values: readonly FieldValue[]): Uint8Array | undefined {
  if (!values.includes(null)) {
    return undefined;
  }
  const bitmap = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((value, row) => {
    if (value !== null) {
      bitmap[row >> 3] |= 1 << (row & 7);
    }
  });
  return bitmap;
}

function referenceColumn(kind: FieldKind, values: readonly FieldValue[]): Data {
  const nullCount = values.filter((v) => v === null).length;
  const built = <T extends DataType>(type: T, items: unknown[]) => {
    const vector = vectorFromArray(items, type);
    return vector.data.length === 1 ? vector.data[0] : makeData({ type, length: 0 });
  };
  switch (kind) {
    case 'time': {
      const data = BigInt64Array.from(values, (v) => (typeof v === 'number' ? nanosOf(v) : BigInt(0)));
      return makeData({ type: new TimestampNanosecond(), length: values.length, nullCount, nullBitmap: bitmapOf(values), data });
    }
    case 'number': {
      const data = Float64Array.from(values, (v) => (typeof v === 'number' ? v : 0));
      return makeData({ type: new Float64(), length: values.length, nullCount, nullBitmap: bitmapOf(values), data });
    }
    case 'boolean':
      return built(new Bool(), values.map((v) => (v === null ? null : Boolean(v))));
    case 'other':
      return built(new Binary(), values.map((v) => (v === null ? null : new TextEncoder().encode(JSON.stringify(v)))));
    default:
      return built(new Utf8(), values.map((v) => (v === null ? null : String(v))));
  }
}

function referenceMetadata(field: Field): Map<string, string> {
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

/** The bytes, or the message of the error, of the previous encoder. */
function reference(frame: Frame): Buffer | string {
  try {
    const plain = (values: Field['values']) => (values instanceof Float64Values ? values.toArray() : values);
    const columns = frame.fields.map((field) => referenceColumn(field.type, plain(field.values)));
    const fields = frame.fields.map((field, k) => new ArrowField(field.name, columns[k].type, columns[k].nullCount > 0, referenceMetadata(field)));
    const metadata = new Map([
      ['name', frame.name ?? ''],
      ['refId', frame.refId ?? ''],
    ]);
    if (frame.meta && Object.keys(frame.meta).length > 0) {
      metadata.set('meta', JSON.stringify(frame.meta));
    }
    const schema = new Schema(fields, metadata);
    const length = frame.fields[0]?.values.length ?? 0;
    const rows = makeData({ type: new Struct(fields), length, nullCount: 0, children: columns });
    return Buffer.from(tableToIPC(new Table(schema, [new RecordBatch(schema, rows)]), 'file'));
  } catch (error) {
    return (error as Error).message;
  }
}

function encoded(frame: Frame): Buffer | string {
  try {
    return Buffer.from(frameToArrow(frame));
  } catch (error) {
    return (error as Error).message;
  }
}

const KINDS: FieldKind[] = ['time', 'number', 'string', 'boolean', 'other'];

function valueOf(kind: FieldKind, seed: number, row: number): FieldValue {
  const x = ((seed % 997) * (row + 3)) / 7;
  switch (kind) {
    case 'time':
      return Math.abs(x) * 1000 + 1.7e12 * (seed % 2);
    case 'number':
      return seed % 11 === 0 ? [NaN, Infinity, -0][row % 3] : x;
    case 'boolean':
      return row % 2 === 0;
    case 'other':
      return [row, `t${row}`];
    default:
      return `v${row}·${seed}`;
  }
}

describe('frameToArrow writes what apache-arrow wrote', () => {
  const name = fc.constantFrom('Time', 'time', 'x', 'plant.T', '', 'Läufe');
  const fieldSpec = fc.record({ kind: fc.constantFrom(...KINDS), name, nulls: fc.boolean(), typed: fc.boolean(), seed: fc.integer({ min: 0, max: 1e6 }), labelled: fc.boolean() });

  it('for any frame: the same bytes, or the same error', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.array(fieldSpec, { maxLength: 5 }), fc.option(fc.string(), { nil: undefined }), (length, specs, notice) => {
        const fields: Field[] = specs.map((spec) => {
          const values = Array.from({ length }, (_, row) => (spec.nulls && (row + spec.seed) % 4 === 0 ? null : valueOf(spec.kind, spec.seed, row)));
          const numeric = spec.kind === 'time' || spec.kind === 'number';
          // Time and number fields also as Float64Values, as series frames hold them (NaN there is a number, null is missing).
          const typed = numeric && spec.typed && !values.includes(null) ? Float64Values.of(Float64Array.from(values as number[])) : values;
          return {
            name: spec.name,
            type: spec.kind,
            values: typed,
            ...(spec.labelled ? { labels: { simulation: 'run', variable: spec.name }, config: { unit: 'kelvin', decimals: undefined, displayNameFromDS: `run ${spec.name}` } } : {}),
          };
        });
        const frame: Frame = { name: 'run x', refId: 'A', meta: notice === undefined ? undefined : { notices: [{ severity: 'info', text: notice }] }, fields };
        const ours = encoded(frame);
        const theirs = reference(frame);
        if (typeof theirs === 'string' || typeof ours === 'string') {
          expect(ours).toEqual(theirs);
        } else {
          expect(ours.equals(theirs)).toBe(true);
        }
      }),
      { numRuns: 600, seed: 18 }
    );
  });

  it('refuses a series frame whose value field is named like its time field, as before', () => {
    const frame: Frame = { fields: [{ name: 'Time', type: 'time', values: [0, 1] }, { name: 'Time', type: 'number', values: [0, 1] }] };
    expect(encoded(frame)).toBe('Table and inner RecordBatch schemas must be equivalent.');
    expect(reference(frame)).toBe('Table and inner RecordBatch schemas must be equivalent.');
  });
});
