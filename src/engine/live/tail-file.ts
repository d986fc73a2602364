/** The file a tail follows: one open handle, re-measured on every poll, and byte marks that tell a rewrite. */
import { open, stat, type FileHandle } from 'node:fs/promises';

import { DecodeError } from '../decoder/errors';
import { FileSource, fileSystemError } from '../decoder/file-source';
import { fillAt, fillAtSync } from '../util/read-at';

/** Reads up to this size block (as PacedReader's small reads); larger ones go to the thread pool. */
const SMALL_READ_BYTES = 64 * 1024;

/** The open file's length and modification time at one poll. */
export interface FileState {
  size: number;
  modifiedMs: number;
}

/**
 * One version of the file at `path`, held open by its handle. Reads always go through the handle:
 * a run that renames a new file over the path cannot slip the other file's bytes into this
 * version; `replaced()` notices the rename instead.
 */
export class LiveFile {
  private constructor(
    readonly path: string,
    readonly displayName: string,
    private readonly handle: FileHandle,
    private readonly device: number,
    private readonly inode: number
  ) {}

  /** Opens the file, or undefined while there is none at `path`. Other failures are DecodeErrors naming it. */
  static async open(path: string, displayName: string): Promise<LiveFile | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') {
        return undefined;
      }
      throw fileSystemError(displayName, error);
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) {
        throw new DecodeError(displayName, 'unreadable', 'not a regular file');
      }
      return new LiveFile(path, displayName, handle, stats.dev, stats.ino);
    } catch (error) {
      await handle.close();
      throw error instanceof DecodeError ? error : fileSystemError(displayName, error);
    }
  }

  async measure(): Promise<FileState> {
    const stats = await this.handle.stat();
    return { size: stats.size, modifiedMs: stats.mtimeMs };
  }

  /**
   * Whether `path` now names another file (renamed over it, or deleted and created again). A path
   * that is gone is not a replacement: the rows this handle reads are still the run's rows.
   */
  async replaced(): Promise<boolean> {
    try {
      const stats = await stat(this.path);
      return stats.ino !== this.inode || stats.dev !== this.device;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') {
        return false;
      }
      throw fileSystemError(this.displayName, error);
    }
  }

  /** The project's FileSource over this handle, bounded by the size measured at this poll. */
  source(state: FileState): FileSource {
    return FileSource.onHandle(this.handle, this.path, this.displayName, state.size, state.modifiedMs);
  }

  /** Exactly `length` bytes at `position`, or a 'truncated' DecodeError when the file is shorter now. */
  async read(position: number, length: number): Promise<Uint8Array> {
    const bytes = new Uint8Array(length);
    const endedAt = (at: number) =>
      new DecodeError(this.displayName, 'truncated', `file ended at byte ${at} while reading`);
    if (length <= SMALL_READ_BYTES) {
      // A poll's header and marks are bytes read moments ago, in the page cache: a blocking read
      // costs microseconds, the thread pool's round trip ~50 us each (half a poll's time).
      fillAtSync(this.handle.fd, bytes, position, endedAt);
    } else {
      await fillAt(this.handle.fd, bytes, position, endedAt);
    }
    return bytes;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}


/** Marks larger than this keep only their first bytes: a rewrite differs early in a row or header. */
const MAX_MARK_BYTES = 64 * 1024;

/**
 * Bytes remembered at fixed positions of one version (the header, the first row, the last row
 * returned). A run restarted under the same name rewrites the file from its start, so one of them
 * differs even when the new file has already grown past the old length.
 */
export class ByteMarks {
  private readonly marks = new Map<string, { position: number; bytes: Uint8Array }>();

  /** Remembers `length` bytes at `position` under `name` (replacing an earlier mark of that name). */
  async mark(file: LiveFile, name: string, position: number, length: number): Promise<void> {
    const bytes = await file.read(position, Math.min(length, MAX_MARK_BYTES));
    this.marks.set(name, { position, bytes });
  }

  /** The name of the first mark whose bytes changed or are gone, or undefined when all hold. */
  async firstChanged(file: LiveFile, state: FileState): Promise<string | undefined> {
    for (const [name, { position, bytes }] of this.marks) {
      if (position + bytes.length > state.size) {
        return name;
      }
      const now = await file.read(position, bytes.length);
      if (!sameBytes(now, bytes)) {
        return name;
      }
    }
    return undefined;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/**
 * A version reader's refresh: why its version is void (once it is, it stays so), else what a fresh
 * measure says. A file cut shorter while it was being read is a reset, not an error.
 */
export async function refreshed(voided: string | undefined, measure: () => Promise<string | undefined>): Promise<string | undefined> {
  if (voided !== undefined) {
    return voided;
  }
  try {
    return await measure();
  } catch (error) {
    if (error instanceof DecodeError && error.code === 'truncated') {
      return 'the file became shorter while it was read';
    }
    throw error;
  }
}
