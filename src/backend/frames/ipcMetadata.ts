/**
 * The Arrow IPC metadata of a frame whose fields are all time (timestamp[ns]) or number (float64):
 * the record batch's Message and the file's Footer (with the schema), encoded with FlatWriter in
 * the order of apache-arrow's own encoders (ipc/metadata/message.js encodeRecordBatch,
 * encodeSchema, encodeField and Message.encode, ipc/metadata/file.js Footer.encode, and the
 * generated fb/*.js tables), so that the bytes are the ones apache-arrow writes. Series frames,
 * the bulk of every query, take this way; other frames go through apache-arrow (ipcFile.ts).
 */
import { MessageHeader, MetadataVersion, Precision, TimeUnit, Type } from 'apache-arrow';

import { FlatWriter } from './flatWriter';

export type NumericArrowType = 'timestamp-ns' | 'float64';

export interface NumericField {
  name: string;
  type: NumericArrowType;
  nullable: boolean;
  metadata: ReadonlyMap<string, string>;
}

/** A field's place in the body: its row and null counts, and where its validity bitmap and values lie. */
export interface FieldLayout {
  length: number;
  nullCount: number;
  validity: { offset: number; length: number };
  values: { offset: number; length: number };
}

export interface Block {
  offset: number;
  metadataBytes: number;
  bodyBytes: number;
}

const LITTLE_ENDIAN = 0;
const BIG_ENDIAN = 1;
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Slots and sizes of the fb tables used (Arrow's Schema.fbs, Message.fbs, File.fbs). */
const STRUCT_OF_TWO_INT64 = 16;
const BLOCK_BYTES = 24;

/** The Message of a record batch of `length` rows with these fields, whose body has `bodyBytes`. */
export function recordBatchMessage(length: number, fields: readonly FieldLayout[], bodyBytes: number): Uint8Array {
  const b = new FlatWriter();
  b.startVector(STRUCT_OF_TWO_INT64, fields.length, 8);
  for (let k = fields.length - 1; k >= 0; k--) {
    // FieldNode { length, null_count }, written back to front.
    b.prep(8, STRUCT_OF_TWO_INT64);
    b.writeInt64(fields[k].nullCount);
    b.writeInt64(fields[k].length);
  }
  const nodes = b.endVector();
  const regions = fields.flatMap((field) => [field.validity, field.values]);
  b.startVector(STRUCT_OF_TWO_INT64, regions.length, 8);
  for (let k = regions.length - 1; k >= 0; k--) {
    // Buffer { offset, length }.
    b.prep(8, STRUCT_OF_TWO_INT64);
    b.writeInt64(regions[k].length);
    b.writeInt64(regions[k].offset);
  }
  const buffers = b.endVector();
  // RecordBatch { length: 0, nodes: 1, buffers: 2, compression: 3, variadicBufferCounts: 4 }.
  b.startObject(5);
  b.addFieldInt64(0, length, 0);
  b.addFieldOffset(1, nodes, 0);
  b.addFieldOffset(2, buffers, 0);
  const header = b.endObject();
  // Message { version: 0, header_type: 1, header: 2, bodyLength: 3, custom_metadata: 4 }.
  b.startObject(5);
  b.addFieldInt16(0, MetadataVersion.V5, MetadataVersion.V1);
  b.addFieldOffset(2, header, 0);
  b.addFieldInt8(1, MessageHeader.RecordBatch, MessageHeader.NONE);
  b.addFieldInt64(3, bodyBytes, 0);
  return b.finish(b.endObject());
}

/** The Footer of a file of one record batch (`block`) with this schema. */
export function fileFooter(fields: readonly NumericField[], metadata: ReadonlyMap<string, string>, block: Block): Uint8Array {
  const b = new FlatWriter();
  const schema = encodeSchema(b, fields, metadata);
  b.startVector(BLOCK_BYTES, 1, 8);
  // Block { offset: int64, metaDataLength: int32, (4 bytes of padding), bodyLength: int64 }.
  b.prep(8, BLOCK_BYTES);
  b.writeInt64(block.bodyBytes);
  b.pad(4);
  b.writeInt32(block.metadataBytes);
  b.writeInt64(block.offset);
  const recordBatches = b.endVector();
  b.startVector(BLOCK_BYTES, 0, 8);
  const dictionaries = b.endVector();
  // Footer { version: 0, schema: 1, dictionaries: 2, recordBatches: 3, custom_metadata: 4 }.
  b.startObject(5);
  b.addFieldOffset(1, schema, 0);
  b.addFieldInt16(0, MetadataVersion.V5, MetadataVersion.V1);
  b.addFieldOffset(3, recordBatches, 0);
  b.addFieldOffset(2, dictionaries, 0);
  return b.finish(b.endObject());
}

function encodeSchema(b: FlatWriter, fields: readonly NumericField[], metadata: ReadonlyMap<string, string>): number {
  const offsets = fields.map((field) => encodeField(b, field));
  // apache-arrow starts the fields vector twice (startFieldsVector, then createFieldsVector): the same alignment, twice.
  b.startVector(4, offsets.length, 4);
  const fieldsVector = offsetVector(b, offsets);
  const custom = metadata.size > 0 ? keyValues(b, metadata) : -1;
  // Schema { endianness: 0, fields: 1, custom_metadata: 2, features: 3 }.
  b.startObject(4);
  b.addFieldOffset(1, fieldsVector, 0);
  b.addFieldInt16(0, HOST_IS_LITTLE_ENDIAN ? LITTLE_ENDIAN : BIG_ENDIAN, LITTLE_ENDIAN);
  if (custom !== -1) {
    b.addFieldOffset(2, custom, 0);
  }
  return b.endObject();
}

function encodeField(b: FlatWriter, field: NumericField): number {
  const type = encodeType(b, field.type);
  const children = offsetVector(b, []);
  const custom = field.metadata.size > 0 ? keyValues(b, field.metadata) : -1;
  const name = field.name ? b.createString(field.name) : -1;
  // Field { name: 0, nullable: 1, type_type: 2, type: 3, dictionary: 4, children: 5, custom_metadata: 6 }.
  b.startObject(7);
  b.addFieldOffset(3, type, 0);
  b.addFieldInt8(2, field.type === 'timestamp-ns' ? Type.Timestamp : Type.Float, Type.NONE);
  b.addFieldOffset(5, children, 0);
  b.addFieldInt8(1, field.nullable ? 1 : 0, 0);
  if (name !== -1) {
    b.addFieldOffset(0, name, 0);
  }
  if (custom !== -1) {
    b.addFieldOffset(6, custom, 0);
  }
  return b.endObject();
}

function encodeType(b: FlatWriter, type: NumericArrowType): number {
  if (type === 'timestamp-ns') {
    // Timestamp { unit: 0, timezone: 1 }, without a timezone.
    b.startObject(2);
    b.addFieldInt16(0, TimeUnit.NANOSECOND, TimeUnit.SECOND);
    return b.endObject();
  }
  // FloatingPoint { precision: 0 }.
  b.startObject(1);
  b.addFieldInt16(0, Precision.DOUBLE, Precision.HALF);
  return b.endObject();
}

function keyValues(b: FlatWriter, metadata: ReadonlyMap<string, string>): number {
  const offsets: number[] = [];
  for (const [key, value] of metadata) {
    const keyAt = b.createString(key);
    const valueAt = b.createString(value);
    // KeyValue { key: 0, value: 1 }.
    b.startObject(2);
    b.addFieldOffset(0, keyAt, 0);
    b.addFieldOffset(1, valueAt, 0);
    offsets.push(b.endObject());
  }
  return offsetVector(b, offsets);
}

function offsetVector(b: FlatWriter, offsets: readonly number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let k = offsets.length - 1; k >= 0; k--) {
    b.addOffset(offsets[k]);
  }
  return b.endVector();
}
