/**
 * One record batch as an Arrow IPC file, byte for byte what apache-arrow's
 * `tableToIPC(table, 'file')` writes (its RecordBatchFileWriter): the magic and two bytes of
 * padding, the batch's message and body, the end-of-stream marker, the footer (which holds the
 * schema), the footer's length and the magic again. The writer itself queues each of those pieces
 * as a chunk, joins them into one buffer and compares the schema with itself on the way; for a
 * series frame that machinery cost about three times the encoding, so the pieces are encoded here
 * and written once, into one buffer: with apache-arrow's own message and footer encoders, or for
 * frames of time and number fields with ipcMetadata.ts, which writes the same bytes.
 */
import { MetadataVersion, RecordBatch, type Data, type Schema, type Struct } from 'apache-arrow';
import { FileBlock, Footer } from 'apache-arrow/ipc/metadata/file';
import { Message, RecordBatch as RecordBatchHeader } from 'apache-arrow/ipc/metadata/message';
import { VectorAssembler } from 'apache-arrow/visitor/vectorassembler';

import { fileFooter, recordBatchMessage, type Block, type FieldLayout, type NumericField } from './ipcMetadata';
import type { NumericColumn } from './numericColumns';

const MAGIC = Uint8Array.from('ARROW1', (c) => c.charCodeAt(0));
/** The file starts with the magic padded to 8 bytes; the first message follows. */
const FILE_START_BYTES = 8;
/** Before each message: the continuation marker (-1) and the metadata's length, int32 each. */
const MESSAGE_PREFIX_BYTES = 8;
/** The end-of-stream marker: the continuation marker and a length of 0. */
const END_OF_STREAM_BYTES = 8;
const FOOTER_LENGTH_BYTES = 4;
const CONTINUATION = -1;

const align8 = (bytes: number) => (bytes + 7) & ~7;

/** The IPC file of one record batch of `schema`, whose columns are the children of `rows`. */
export function recordBatchFile(schema: Schema, rows: Data<Struct>): Uint8Array {
  const body = VectorAssembler.assemble(new RecordBatch(schema, rows));
  const header = new RecordBatchHeader(rows.length, body.nodes, body.bufferRegions, null, body.variadicBufferCounts);
  const message = Message.encode(Message.from(header, body.byteLength));
  const footer = (block: Block) => Footer.encode(new Footer(schema, MetadataVersion.V5, [new FileBlock(block.metadataBytes, block.bodyBytes, block.offset)], []));
  // Each buffer padded to 8 bytes, as the body regions in the message say (empty validity buffers take none).
  const buffers = body.buffers.map((buffer) => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
  return fileOf(message, body.byteLength, (out, at) => writeBuffers(out, at, buffers), footer);
}

/**
 * The same file for a frame of time and number fields only, written without apache-arrow's
 * objects (ipcMetadata.ts): each column's validity bitmap (none without nulls) and values, as
 * apache-arrow's VectorAssembler lays them out.
 */
export function numericRecordBatchFile(
  fields: readonly NumericField[],
  columns: readonly NumericColumn[],
  length: number,
  metadata: ReadonlyMap<string, string>
): Uint8Array {
  const buffers: Uint8Array[] = [];
  let bodyBytes = 0;
  const region = (bytes: Uint8Array) => {
    const at = { offset: bodyBytes, length: align8(bytes.byteLength) };
    buffers.push(bytes);
    bodyBytes += at.length;
    return at;
  };
  const layouts: FieldLayout[] = columns.map((column) => ({
    length,
    nullCount: column.nullCount,
    validity: region(column.nullCount > 0 && column.validity ? column.validity : NO_BYTES),
    values: region(new Uint8Array(column.values.buffer, column.values.byteOffset, column.values.byteLength)),
  }));
  const message = recordBatchMessage(length, layouts, bodyBytes);
  return fileOf(message, bodyBytes, (out, at) => writeBuffers(out, at, buffers), (block) => fileFooter(fields, metadata, block));
}

const NO_BYTES = new Uint8Array(0);

function writeBuffers(out: Uint8Array, at: number, buffers: readonly Uint8Array[]): void {
  for (const bytes of buffers) {
    out.set(bytes, at);
    at += align8(bytes.byteLength);
  }
}

/** Magic, the message, the body (`writeBody` fills it at the offset given), end of stream, footer, its length, magic. */
function fileOf(message: Uint8Array, bodyBytes: number, writeBody: (out: Uint8Array, at: number) => void, footerOf: (block: Block) => Uint8Array): Uint8Array {
  const messageBytes = align8(MESSAGE_PREFIX_BYTES + message.byteLength);
  const footer = footerOf({ offset: FILE_START_BYTES, metadataBytes: messageBytes, bodyBytes });
  const total = FILE_START_BYTES + messageBytes + bodyBytes + END_OF_STREAM_BYTES + footer.byteLength + FOOTER_LENGTH_BYTES + MAGIC.length;
  // Zero-filled: every padding byte the writer adds is a zero.
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  let at = FILE_START_BYTES;
  view.setInt32(at, CONTINUATION, true);
  view.setInt32(at + 4, messageBytes - MESSAGE_PREFIX_BYTES, true);
  out.set(message, at + MESSAGE_PREFIX_BYTES);
  at += messageBytes;
  writeBody(out, at);
  at += bodyBytes;
  view.setInt32(at, CONTINUATION, true);
  view.setInt32(at + 4, 0, true);
  at += END_OF_STREAM_BYTES;
  out.set(footer, at);
  at += footer.byteLength;
  view.setInt32(at, footer.byteLength, true);
  out.set(MAGIC, at + FOOTER_LENGTH_BYTES);
  return out;
}
