/**
 * Growth reads for the live view: the rows a running simulation appends to its result file, read
 * without reading the file again from its start, never a partial row, never garbage.
 *
 * - MAT v4 binTrans (Dymola, OpenModelica): data_2's rows by position (tail-mat4.ts).
 * - CSV: complete lines (tail-csv.ts).
 * - Files that cannot grow row by row (binNormal, Atrajectory 1.0, MAT v5/v7.3, HDF5): read whole
 *   once they decode, again after any change (tail-whole.ts).
 *
 * A file that is missing, empty or only partly written (the catalogue not complete yet) is waited
 * for: polls return []. A truncation, a rewrite by a restarted run or a rename over the path voids
 * every row returned: a 'reset' event, then the new file's rows from row 0.
 */
import { DecodeError, sniffFormat } from '../decoder';
import type { VariableInfo } from '../decoder/types';
import { CsvLineReader } from './tail-csv';
import { LiveFile, type FileState } from './tail-file';
import { openMat4 } from './tail-mat4';
import {
  DEFAULT_ROWS_PER_BATCH,
  type ExperimentSpan,
  type TailEvent,
  type TailOptions,
  type TailRows,
  type VersionReader,
} from './tail-types';
import { WholeFileReader } from './tail-whole';

export type { ExperimentSpan, TailEvent, TailOptions, TailRows } from './tail-types';

/** As openResultFile: enough of the head to tell the format. */
const SNIFF_BYTES = 520;
/** A MAT v4 file shorter than one record header cannot be told from anything else yet. */
const RECORD_HEADER_BYTES = 20;

export class ResultTail {
  private version: VersionReader | undefined;
  private delivered = 0;
  private pendingReset: string | undefined;
  private stoppedAtLimit = false;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly batchRows: number;
  private readonly pollRows: number;

  private constructor(
    readonly path: string,
    private readonly options: TailOptions
  ) {
    this.batchRows = positiveOr(options.maxRowsPerBatch, DEFAULT_ROWS_PER_BATCH);
    this.pollRows = positiveOr(options.maxRowsPerPoll, Infinity);
  }

  /**
   * Opens a tail and reads the file's catalogue if it is written yet. Fails only for a file that
   * cannot be read or is hostile (a DecodeError naming it); a missing or incomplete file is waited for.
   */
  static async open(absolutePath: string, options: TailOptions): Promise<ResultTail> {
    const tail = new ResultTail(absolutePath, options);
    try {
      await tail.connect();
    } catch (error) {
      throw asDecodeError(options.displayName, error);
    }
    return tail;
  }

  /** Rows returned so far since the last reset. */
  get rowCount(): number {
    return this.delivered;
  }

  /** The requested variables found in the current file, with units ([] until its catalogue is written). */
  get variables(): readonly VariableInfo[] {
    return this.version?.selection.variables ?? [];
  }

  /** Requested names the current file does not have ([] until its catalogue is written). */
  get missing(): readonly string[] {
    return this.version?.selection.missing ?? [];
  }

  /** The experiment's declared start and stop time, when the current file states them (undefined until its catalogue is written). */
  get span(): ExperimentSpan | undefined {
    return this.version?.span;
  }

  /** False when the last poll stopped at maxRowsPerPoll: more rows may be on disk already. */
  get caughtUp(): boolean {
    return !this.stoppedAtLimit;
  }

  /**
   * Complete rows appended since the last call (possibly several batches), or a reset followed by
   * the new file's rows. Returns [] for a file that is merely incomplete; throws a DecodeError
   * naming the file for one that is hostile or corrupt (and the next poll that succeeds starts
   * with a reset).
   */
  poll(): Promise<TailEvent[]> {
    return this.serialized(() => this.pollOnce());
  }

  close(): Promise<void> {
    return this.serialized(async () => {
      this.closed = true;
      await this.drop();
    });
  }

  private async pollOnce(): Promise<TailEvent[]> {
    if (this.closed) {
      throw new Error(`${this.options.displayName}: poll() after close()`);
    }
    try {
      return await this.advance();
    } catch (error) {
      const failure = asDecodeError(this.options.displayName, error);
      await this.discard(`the file could not be read (${failure.problem})`);
      throw failure;
    }
  }

  private async advance(): Promise<TailEvent[]> {
    if (this.version) {
      const reason = await this.version.refresh();
      if (reason !== undefined) {
        await this.discard(reason);
      }
    }
    if (!this.version) {
      await this.connect();
    }
    const events: TailEvent[] = [];
    if (this.pendingReset !== undefined) {
      events.push({ kind: 'reset', reason: this.pendingReset });
      this.pendingReset = undefined;
    }
    if (this.version) {
      await this.collect(this.version, events);
    }
    return events;
  }

  private async collect(version: VersionReader, events: TailEvent[]): Promise<void> {
    let budget = this.pollRows;
    this.stoppedAtLimit = false;
    for (;;) {
      if (budget <= 0) {
        this.stoppedAtLimit = true;
        return;
      }
      const rows = await this.nextBatch(version, Math.min(this.batchRows, budget));
      if (!rows) {
        return;
      }
      events.push({ kind: 'rows', rows });
      this.delivered += rows.time.length;
      budget -= rows.time.length;
    }
  }

  /** The next batch, or undefined when the file shrank under the read: the next refresh resets. */
  private async nextBatch(version: VersionReader, maxRows: number): Promise<TailRows | undefined> {
    try {
      return await version.nextBatch(maxRows);
    } catch (error) {
      if (error instanceof DecodeError && error.code === 'truncated') {
        return undefined;
      }
      throw error;
    }
  }

  /** Opens the file at the path as the current version, if it is there and written far enough. */
  private async connect(): Promise<void> {
    const file = await LiveFile.open(this.path, this.options.displayName);
    if (!file) {
      return;
    }
    let version: VersionReader | undefined;
    try {
      version = await openVersion(file, await file.measure(), this.options);
      // A version that changed while it was opened is taken at the next poll.
      if (version && (await version.refresh()) !== undefined) {
        version = undefined;
      }
    } catch (error) {
      await file.close();
      throw error;
    }
    if (!version) {
      await file.close();
      return;
    }
    this.version = version;
  }

  /** Voids the current version: its rows were returned, so the next poll starts with a reset. */
  private async discard(reason: string): Promise<void> {
    if (this.version) {
      this.pendingReset ??= reason;
    }
    await this.drop();
  }

  private async drop(): Promise<void> {
    const version = this.version;
    this.version = undefined;
    this.delivered = 0;
    await version?.close();
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** Picks the reader by the bytes (never the name), or undefined while the file cannot be told yet. */
async function openVersion(file: LiveFile, state: FileState, options: TailOptions): Promise<VersionReader | undefined> {
  if (state.size === 0) {
    return undefined;
  }
  const head = await file.read(0, Math.min(state.size, SNIFF_BYTES));
  switch (sniffFormat(head)) {
    case 'mat4': {
      const opening = await openMat4(file, state, options);
      if (opening === 'incomplete') {
        return undefined;
      }
      return opening === 'whole' ? WholeFileReader.open(file, state, options) : opening;
    }
    case 'csv':
      return CsvLineReader.open(file, state, options);
    case 'mat5':
    case 'mat73':
    case 'hdf5':
      return WholeFileReader.open(file, state, options);
    case 'unknown':
      if (mayStillBecomeAResult(head, state.size)) {
        return undefined;
      }
      throw new DecodeError(
        options.displayName,
        'unknown_format',
        'unknown format: not a MAT, HDF5 or CSV result file'
      );
  }
}

/** Too short for a MAT v4 record header, or a first line of text still being written (no separator yet). */
function mayStillBecomeAResult(head: Uint8Array, size: number): boolean {
  if (size < RECORD_HEADER_BYTES) {
    return true;
  }
  const printable = head.every((byte) => byte >= 0x20 || byte === 0x09);
  return printable && size === head.length;
}

/** As openResultFile: a failure that is not the file's (a bug, an I/O error) still names the file. */
function asDecodeError(displayName: string, error: unknown): DecodeError {
  if (error instanceof DecodeError) {
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DecodeError(displayName, 'unreadable', `could not be read (${message})`);
}

function positiveOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}
