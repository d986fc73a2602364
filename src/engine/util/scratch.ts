/**
 * Reused scratch memory for reads that need many megabytes for a few milliseconds.
 *
 * Large ArrayBuffers go back to the system when collected, so each request would touch fresh
 * pages, and on the test VM a fresh page costs a fault about as dear as copying it: a summarized
 * read of the long 1 GB shape (25 MB of scratch) spent more time in those faults than in its
 * work. Buffers released here are kept (a few, bounded in bytes) for the next request.
 */

/** Bump allocation of typed arrays from one buffer; past its end, arrays are allocated on their own. */
export class Arena {
  private used = 0;

  constructor(
    private readonly buffer: ArrayBuffer,
    private readonly onRelease: (buffer: ArrayBuffer) => void = () => undefined
  ) {}

  float64(length: number): Float64Array {
    const at = this.take(length * Float64Array.BYTES_PER_ELEMENT);
    return at === undefined ? new Float64Array(length) : new Float64Array(this.buffer, at, length);
  }

  float32(length: number): Float32Array {
    const at = this.take(length * Float32Array.BYTES_PER_ELEMENT);
    return at === undefined ? new Float32Array(length) : new Float32Array(this.buffer, at, length);
  }

  bytes(length: number): Uint8Array {
    const at = this.take(length);
    return at === undefined ? new Uint8Array(length) : new Uint8Array(this.buffer, at, length);
  }

  /** Hands the buffer back: no array taken from this arena may be used afterwards. */
  release(): void {
    this.onRelease(this.buffer);
  }

  /** Offset of `bytes` more (8-byte aligned for any typed array), or undefined when they do not fit. */
  private take(bytes: number): number | undefined {
    const at = Math.ceil(this.used / 8) * 8;
    if (at + bytes > this.buffer.byteLength) {
      return undefined;
    }
    this.used = at + bytes;
    return at;
  }
}

/** Bytes an arena needs for the given typed-array sizes (in bytes), alignment included. */
export function arenaBytes(sizes: readonly number[]): number {
  return sizes.reduce((sum, bytes) => sum + Math.ceil(bytes / 8) * 8, 0);
}

export class ScratchPool {
  private readonly free: ArrayBuffer[] = [];

  constructor(
    /** Buffers kept while not in use. */
    private readonly maxKept: number,
    /** Larger buffers are not kept: they would hold memory for a rare request. */
    private readonly maxBufferBytes: number
  ) {}

  /** An arena of at least `bytes`: a kept buffer when one is large enough, else a new one. */
  arena(bytes: number): Arena {
    const fit = this.smallestFitting(bytes);
    const buffer = fit >= 0 ? this.free.splice(fit, 1)[0] : new ArrayBuffer(bytes);
    return new Arena(buffer, (released) => this.keep(released));
  }

  /** Buffers kept right now (for tests and metrics). */
  get keptBytes(): number {
    return this.free.reduce((sum, buffer) => sum + buffer.byteLength, 0);
  }

  /** Kept largest first: the last that fits is the smallest that does. */
  private smallestFitting(bytes: number): number {
    for (let i = this.free.length - 1; i >= 0; i--) {
      if (this.free[i].byteLength >= bytes) {
        return i;
      }
    }
    return -1;
  }

  private keep(buffer: ArrayBuffer): void {
    if (buffer.byteLength > this.maxBufferBytes) {
      return;
    }
    this.free.push(buffer);
    // Past the limit, the smallest go: a large buffer serves any later request.
    this.free.sort((a, b) => b.byteLength - a.byteLength);
    this.free.length = Math.min(this.free.length, this.maxKept);
  }
}

/** Shared by the proxy's reads: two concurrent large reads keep their scratch, up to 64 MiB each. */
export const scratchPool = new ScratchPool(2, 64 * 1024 * 1024);
