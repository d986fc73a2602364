import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { CsvError, parse, type Info } from 'csv-parse';

import { DecodeError } from '../errors';
import type { FileSource } from '../file-source';
import { InMemoryResultFile, type MemoryVariable } from '../memory';
import type { ResultFile } from '../types';
import { detectDelimiter, type CsvDelimiter } from './dialect';
import { CsvTableBuilder, type CsvColumn, type CsvTable } from './table';

/** CSV results are decoded into memory, so larger files are refused before reading. */
export const CSV_MAX_BYTES = 512 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;
const MIB = 1024 * 1024;
const LF = 0x0a;
const CR = 0x0d;

export interface CsvDecodeOptions {
  /** Files above this size are refused (default CSV_MAX_BYTES). */
  maxBytes?: number;
  /** Bytes per positioned read (small values exercise chunk boundaries in tests). */
  chunkBytes?: number;
}

function formatMiB(bytes: number): string {
  return String(Number((bytes / MIB).toPrecision(3)));
}

/**
 * CSV results (OpenModelica -outputFormat=csv, Dymola/FMPy/pandas exports): a header of names,
 * then one row per time point. Separator `,`, `;` or tab; optional BOM, CRLF, quoted names,
 * `name [unit]` headers, an optional second header row of units.
 */
export async function openCsvResult(source: FileSource, options: CsvDecodeOptions = {}): Promise<ResultFile> {
  const maxBytes = options.maxBytes ?? CSV_MAX_BYTES;
  if (source.size > maxBytes) {
    throw new DecodeError(
      source.displayName,
      'unsupported_format',
      `CSV files above ${formatMiB(maxBytes)} MiB are not supported (it is ${formatMiB(source.size)} MiB)`
    );
  }
  const table = await readTable(source, options.chunkBytes ?? CHUNK_BYTES);
  return new InMemoryResultFile({
    path: source.path,
    displayName: source.displayName,
    format: 'csv',
    sizeBytes: source.size,
    modifiedMs: source.modifiedMs,
    time: table.time.values,
    variables: toMemoryVariables(table),
  });
}

function toMemoryVariables({ time, variables }: CsvTable): MemoryVariable[] {
  const timeVariable: MemoryVariable = {
    info: { ...catalogueEntry(time), kind: 'time', unit: time.unit ?? 's' },
    values: time.values,
  };
  return [timeVariable, ...variables.map((column) => ({ info: catalogueEntry(column), values: column.values }))];
}

/** A CSV column as a catalogue entry (shared with the live tail, which builds the same catalogue). */
export function catalogueEntry(column: CsvColumn): MemoryVariable['info'] {
  return {
    name: column.name,
    description: '',
    unit: column.unit,
    displayUnit: column.displayUnit,
    valueType: column.valueType,
    kind: 'trajectory',
  };
}

async function readTable(source: FileSource, chunkBytes: number): Promise<CsvTable> {
  const head = await source.read(0, Math.min(source.size, chunkBytes));
  const delimiter = detectDelimiter(head);
  const lastByte = source.size > head.length ? (await source.read(source.size - 1, 1))[0] : head[head.length - 1];
  const builder = new CsvTableBuilder(source.displayName, delimiter, lastByte === LF || lastByte === CR);
  try {
    await parseRecords(readChunks(source, head, chunkBytes), delimiter, (record, info) =>
      builder.accept(record, info.lines)
    );
  } catch (error) {
    throw asDecodeError(source.displayName, error);
  }
  return builder.finish();
}

/** Feeds the file through csv-parse; `onRecord` runs synchronously inside the parser. Also reads the lines appended to a growing file (live/tail-csv.ts). */
export async function parseRecords(
  chunks: AsyncIterable<Uint8Array>,
  delimiter: CsvDelimiter,
  onRecord: (record: string[], info: Info) => void
): Promise<void> {
  const parser = parse({
    delimiter,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    on_record: (record: string[], info) => {
      onRecord(record, info);
      // Nothing is pushed downstream: the builder keeps the values.
      return null;
    },
  });
  parser.resume();
  await pipeline(Readable.from(chunks), parser);
}

async function* readChunks(source: FileSource, head: Uint8Array, chunkBytes: number): AsyncGenerator<Uint8Array> {
  yield head;
  for (let position = head.length; position < source.size; position += chunkBytes) {
    yield await source.read(position, Math.min(chunkBytes, source.size - position));
  }
}

function asDecodeError(file: string, error: unknown): DecodeError {
  if (error instanceof DecodeError) {
    return error;
  }
  if (error instanceof CsvError) {
    return new DecodeError(file, 'corrupt', `CSV syntax error: ${error.message}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DecodeError(file, 'corrupt', `CSV file could not be read (${message})`);
}
