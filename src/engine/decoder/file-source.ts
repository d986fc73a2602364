import { open, type FileHandle } from 'node:fs/promises';

import { PacedReader } from '../util/paced-read';
import { fillAt } from '../util/read-at';
import { DecodeError } from './errors';

/**
 * Positioned reads on an open file. Result files can be many gigabytes, so nothing here ever
 * reads a whole file; offsets are plain numbers, exact up to 2^53 bytes.
 */
export class FileSource {
  private constructor(
    readonly path: string,
    readonly displayName: string,
    readonly size: number,
    readonly modifiedMs: number,
    private readonly handle: FileHandle
  ) {}

  static async open(path: string, displayName = path): Promise<FileSource> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw fileSystemError(displayName, error);
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) {
        throw new DecodeError(displayName, 'unreadable', 'not a regular file');
      }
      return new FileSource(path, displayName, stats.size, stats.mtimeMs, handle);
    } catch (error) {
      await handle.close();
      throw error instanceof DecodeError ? error : fileSystemError(displayName, error);
    }
  }

  /**
   * A FileSource on a handle its caller keeps open, with the size the caller has just measured:
   * for a file that grows while it is open (live/tail.ts re-measures it under one handle, so that
   * a rename cannot swap the file between two reads). The caller closes the handle; never call
   * `close` on the returned source.
   */
  static onHandle(handle: FileHandle, path: string, displayName: string, size: number, modifiedMs: number): FileSource {
    return new FileSource(path, displayName, size, modifiedMs, handle);
  }

  private readonly endedAt = (position: number) => new DecodeError(this.displayName, 'truncated', `file ended at byte ${position} while reading`);

  /** Reads exactly `length` bytes at `position` into `target` (from its offset 0), or fails as truncated. */
  async readInto(target: Uint8Array, position: number, length = target.byteLength): Promise<Uint8Array> {
    if (position < 0 || length < 0 || position + length > this.size) {
      throw new DecodeError(
        this.displayName,
        'truncated',
        `needs bytes ${position}..${position + length} but the file has only ${this.size} bytes`
      );
    }
    const bytes = target.subarray(0, length);
    await fillAt(this.handle.fd, bytes, position, this.endedAt);
    return bytes;
  }

  /** A reader for one sequential streaming pass over this file (see PacedReader). */
  pacedReader(): PacedReader {
    return new PacedReader(this.handle.fd, this.endedAt);
  }

  /** Reads `length` bytes at `position` into a fresh buffer. */
  read(position: number, length: number): Promise<Uint8Array> {
    return this.readInto(new Uint8Array(length), position, length);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** A failed open, stat or read as the DecodeError that names the file and the problem. */
export function fileSystemError(displayName: string, error: unknown): DecodeError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    return new DecodeError(displayName, 'not_found', 'file does not exist');
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new DecodeError(displayName, 'unreadable', 'permission denied');
  }
  if (code === 'EISDIR') {
    return new DecodeError(displayName, 'unreadable', 'is a directory, not a file');
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DecodeError(displayName, 'unreadable', `cannot be read (${message})`);
}

/** Runs `work` with the file open and always closes it. */
export async function withFile<T>(path: string, displayName: string, work: (file: FileSource) => Promise<T>): Promise<T> {
  const file = await FileSource.open(path, displayName);
  try {
    return await work(file);
  } finally {
    await file.close();
  }
}
