import {
  Binary,
  Bool,
  Field,
  Float64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableFromIPC,
  tableToIPC,
  TimestampNanosecond,
  Utf8,
  vectorFromArray,
  type Data,
  type DataType,
} from 'apache-arrow';

import fc from 'fast-check';

import { frameToArrow } from './arrow';
import { Float64Values } from './float64Values';
import type { Frame } from './frame';
import { numericRecordBatchFile, recordBatchFile } from './ipcFile';
import type { NumericField } from './ipcMetadata';
import { numberColumn, timeColumn, type NumericColumn } from './numericColumns';

/** What recordBatchFile must match: apache-arrow's own file writer. */
function writerBytes(schema: Schema, rows: Data<Struct>): Uint8Array {
  return tableToIPC(new Table(schema, [new RecordBatch(schema, rows)]), 'file');
}

function builtData<T extends DataType>(type: T, values: unknown[]): Data<T> {
  const vector = vectorFromArray(values, type);
  return vector.data.length === 1 ? vector.data[0] : makeData({ type, length: 0 });
}

function batchOf(columns: Array<{ name: string; data: Data; metadata?: Map<string, string> }>, metadata?: Map<string, string>) {
  const fields = columns.map((c) => new Field(c.name, c.data.type, c.data.nullCount > 0, c.metadata));
  const schema = new Schema(fields, metadata);
  const length = columns[0]?.data.length ?? 0;
  return { schema, rows: makeData({ type: new Struct(fields), length, nullCount: 0, children: columns.map((c) => c.data) }) };
}

function timeData(nanos: bigint[], nullBitmap?: Uint8Array, nullCount = 0): Data {
  const type = new TimestampNanosecond();
  return makeData({ type, length: nanos.length, nullCount, nullBitmap, data: BigInt64Array.from(nanos) });
}

function numberData(values: number[], nullBitmap?: Uint8Array, nullCount = 0): Data {
  return makeData({ type: new Float64(), length: values.length, nullCount, nullBitmap, data: Float64Array.from(values) });
}

describe('recordBatchFile: an Arrow IPC file as apache-arrow writes it', () => {
  const meta = (entries: Record<string, string>) => new Map(Object.entries(entries));

  it.each([0, 1, 2, 7, 8, 9, 17, 1000])('writes a series frame of %i rows byte for byte as the file writer does', (length) => {
    const { schema, rows } = batchOf(
      [
        { name: 'Time', data: timeData(Array.from({ length }, (_, i) => BigInt(i * 1_000_000 + 7))), metadata: meta({ tstype: 'time' }) },
        {
          name: 'plant.pipe[1].m_flow',
          data: numberData(Array.from({ length }, (_, i) => Math.sin(i) * 1e3)),
          metadata: meta({ tstype: 'number', labels: '{"simulation":"run","variable":"x"}', config: '{"unit":"kg/s","displayNameFromDS":"run x"}' }),
        },
      ],
      meta({ name: 'run plant.pipe[1].m_flow', refId: 'A', meta: '{"preferredVisualisationType":"graph","notices":[]}' })
    );
    expect(Buffer.from(recordBatchFile(schema, rows)).equals(Buffer.from(writerBytes(schema, rows)))).toBe(true);
  });

  it('writes validity bitmaps, every column kind and non-ASCII metadata as the file writer does', () => {
    const bitmap = Uint8Array.of(0b1111_0111, 0b0000_0011);
    const { schema, rows } = batchOf(
      [
        { name: 'Time', data: timeData([0, 1, 2, 0, 4, 5, 6, 7, 8, 9].map(BigInt), bitmap, 1), metadata: meta({ tstype: 'time' }) },
        { name: 'x', data: numberData([1.5, 0, -3, 0, 1, 2, 3, 4, 5, 6], bitmap, 1), metadata: meta({ tstype: 'number', config: '{"unit":"celsius"}' }) },
        { name: 'text', data: builtData(new Utf8(), ['a', null, 'c', 'Ω', '', 'f', 'g', 'h', 'i', 'j']), metadata: meta({ tstype: 'string' }) },
        { name: 'flag', data: builtData(new Bool(), [true, false, null, true, true, false, true, false, true, false]), metadata: meta({ tstype: 'boolean' }) },
        { name: 'tags', data: builtData(new Binary(), Array.from({ length: 10 }, (_, k) => new TextEncoder().encode(`["t${k}"]`))), metadata: meta({ tstype: 'other' }) },
        { name: 'plain', data: numberData([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) },
      ],
      meta({ name: 'Läufe – °C', refId: 'B' })
    );
    expect(Buffer.from(recordBatchFile(schema, rows)).equals(Buffer.from(writerBytes(schema, rows)))).toBe(true);
  });

  it('writes a frame without metadata or fields as the file writer does, and reads back', () => {
    const bare = batchOf([{ name: 'v', data: numberData([1, 2, 3]) }]);
    expect(Buffer.from(recordBatchFile(bare.schema, bare.rows)).equals(Buffer.from(writerBytes(bare.schema, bare.rows)))).toBe(true);
    const none = batchOf([]);
    expect(Buffer.from(recordBatchFile(none.schema, none.rows)).equals(Buffer.from(writerBytes(none.schema, none.rows)))).toBe(true);
    expect(tableFromIPC(recordBatchFile(bare.schema, bare.rows)).getChild('v')!.toJSON()).toEqual([1, 2, 3]);
  });
});

describe('numericRecordBatchFile: time and number frames without apache-arrow, byte for byte', () => {
  /** The file apache-arrow writes for the same columns. */
  function arrowWriterBytes(fields: NumericField[], columns: NumericColumn[], length: number, metadata: Map<string, string>): Uint8Array {
    const arrowFields = fields.map((f) => new Field(f.name, f.type === 'timestamp-ns' ? new TimestampNanosecond() : new Float64(), f.nullable, new Map(f.metadata)));
    const children = columns.map((c, k) =>
      c.values instanceof BigInt64Array
        ? makeData({ type: arrowFields[k].type as TimestampNanosecond, length, nullCount: c.nullCount, nullBitmap: c.validity, data: c.values })
        : makeData({ type: arrowFields[k].type as Float64, length, nullCount: c.nullCount, nullBitmap: c.validity, data: c.values })
    );
    const schema = new Schema(arrowFields, metadata);
    return writerBytes(schema, makeData({ type: new Struct(arrowFields), length, nullCount: 0, children }));
  }

  const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 12 }), fc.constant(''));
  const metadataOf = fc.array(fc.tuple(text, text), { maxLength: 4 }).map((entries) => new Map(entries));

  it('writes any such frame as apache-arrow writes it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.array(fc.record({ time: fc.boolean(), name: text, metadata: metadataOf, nulls: fc.boolean(), seed: fc.integer() }), { maxLength: 5 }),
        metadataOf,
        (length, specs, frameMetadata) => {
          const columns = specs.map((spec) => {
            const values = Array.from({ length }, (_, row) => (spec.nulls && (row * 7 + spec.seed) % 5 === 0 ? null : ((row + 1) * (spec.seed % 1000)) / 7));
            return spec.time ? timeColumn(values.map((v) => (v === null ? null : Math.abs(v)))) : numberColumn(values);
          });
          // Unique names: apache-arrow's writer refuses some frames with shared ones (frameToArrow.test.ts).
          const fields = specs.map((spec, k): NumericField => ({ name: `${spec.name}${k}`, type: columns[k].type, nullable: columns[k].nullCount > 0, metadata: spec.metadata }));
          const ours = numericRecordBatchFile(fields, columns, length, frameMetadata);
          expect(Buffer.from(ours).equals(Buffer.from(arrowWriterBytes(fields, columns, length, frameMetadata)))).toBe(true);
        }
      ),
      { numRuns: 400, seed: 18 }
    );
  });

  it('writes series frames as apache-arrow writes them, through frameToArrow', () => {
    const frame: Frame = {
      name: 'run 1 plant.T [K]',
      refId: 'A',
      meta: { preferredVisualisationType: 'graph', notices: [{ severity: 'info', text: 'run 1 plant.T: 4 of 9 points shown' }] },
      fields: [
        { name: 'Time', type: 'time', values: Float64Values.of(Float64Array.of(0, 100, 250.5, 1e3)), config: {} },
        { name: 'plant.T', type: 'number', values: Float64Values.fromSamples(Float64Array.of(300, NaN, 301.5, Infinity)), labels: { simulation: 'run 1', variable: 'plant.T' }, config: { unit: 'kelvin', displayNameFromDS: 'run 1 plant.T' } },
      ],
    };
    // The same frame with a field of another kind goes through apache-arrow: drop that field's bytes by comparing with the table it reads as.
    const table = tableFromIPC(frameToArrow(frame));
    expect(table.getChild('plant.T')!.toJSON()).toEqual([300, null, 301.5, null]);
    const time = timeColumn(frame.fields[0].values);
    const number = numberColumn(frame.fields[1].values);
    const fields: NumericField[] = [
      { name: 'Time', type: 'timestamp-ns', nullable: false, metadata: new Map([['tstype', 'time']]) },
      {
        name: 'plant.T',
        type: 'float64',
        nullable: true,
        metadata: new Map([
          ['tstype', 'number'],
          ['labels', JSON.stringify(frame.fields[1].labels)],
          ['config', JSON.stringify(frame.fields[1].config)],
        ]),
      },
    ];
    const metadata = new Map([
      ['name', frame.name!],
      ['refId', 'A'],
      ['meta', JSON.stringify(frame.meta)],
    ]);
    expect(Buffer.from(frameToArrow(frame)).equals(Buffer.from(arrowWriterBytes(fields, [time, number], 4, metadata)))).toBe(true);
  });
});
