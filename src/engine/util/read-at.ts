import { read, readSync } from 'node:fs';

/**
 * A positioned read on an open descriptor (e.g. `FileHandle.fd`). The callback API, not
 * `FileHandle.read`: measured here, 21 reads of 40 KB took 1.2-1.8 ms through it and 4-10 ms
 * through FileHandle's promise wrapper, which dominated repeated reads of short columns.
 */
export function readAt(fd: number, target: Uint8Array, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, target, offset, length, position, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead)));
  });
}

/** Builds the error for a file that ended at byte `position` before a read was complete. */
export type EndedAt = (position: number) => Error;

/** Fills all of `target` from `position` of `fd`, or fails with `endedAt` where the file ends. */
export async function fillAt(fd: number, target: Uint8Array, position: number, endedAt: EndedAt): Promise<void> {
  for (let done = 0; done < target.byteLength; ) {
    const bytesRead = await readAt(fd, target, done, target.byteLength - done, position + done);
    if (bytesRead === 0) {
      throw endedAt(position + done);
    }
    done += bytesRead;
  }
}

/** fillAt, blocking: for reads small enough, or known to come from the page cache. */
export function fillAtSync(fd: number, target: Uint8Array, position: number, endedAt: EndedAt): void {
  for (let done = 0; done < target.byteLength; ) {
    const bytesRead = readSync(fd, target, done, target.byteLength - done, position + done);
    if (bytesRead === 0) {
      throw endedAt(position + done);
    }
    done += bytesRead;
  }
}
