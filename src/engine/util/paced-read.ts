import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

import { othersAreWaiting } from './activity';
import { fillAt, fillAtSync, type EndedAt } from './read-at';

/** Longest stretch that synchronous reads (and the work between them) hold the event loop. */
const BURST_MS = 4;
/** A synchronous read slower than this did not come from the page cache... */
const SLOW_READ_MS = 2;
/** ...unless it was a one-off (first touch of the buffer's pages, a scheduling hiccup). */
const SLOW_READS_TO_GO_ASYNC = 3;
/**
 * Reads this small stay synchronous under concurrency too: copying them costs less than the trip
 * through the thread pool, which under load waits a whole event-loop turn. A downsampled read of
 * the 1 GB long file makes about a thousand such reads (the rows at pixel-column edges); on the
 * thread pool, under the soak's load, one took 3.6 s (median), against tens of milliseconds alone.
 */
const SMALL_READ_BYTES = 64 * 1024;

/**
 * Sequential chunked reads of one file for a streaming pass. While the bytes come from the page
 * cache the reads are synchronous, in small chunks, yielding to the event loop every few
 * milliseconds: the kernel then copies into a buffer that is still in this core's cache when the
 * gather reads it. Measured on the long 1 GB file (20 of 100 signals), gathering through 512 KB
 * synchronous reads took 125 ms; through 8 MB reads on libuv's thread pool, 350 ms (`cat`: 110).
 * Slow reads in a row mean a cold cache or a network share: the rest of the pass reads
 * asynchronously, so that the disk, not the event loop, waits. Reads also go to the thread pool
 * while other requests wait for the event loop (see util/activity.ts).
 */
export interface PacingOptions {
  burstMs: number;
  slowReadMs: number;
  /** Whether the event loop is contended: then reads larger than `smallReadBytes` go to the thread pool. */
  contended: () => boolean;
  smallReadBytes: number;
}

const DEFAULT_PACING: PacingOptions = { burstMs: BURST_MS, slowReadMs: SLOW_READ_MS, contended: othersAreWaiting, smallReadBytes: SMALL_READ_BYTES };

export class PacedReader {
  private slowReadsInARow = 0;
  private burstStarted = performance.now();

  constructor(
    private readonly fd: number,
    /** The error for a file that ended before `position`. */
    private readonly endedAt: EndedAt,
    private readonly pacing: PacingOptions = DEFAULT_PACING
  ) {}

  /** Fills all of `target` from `position`. */
  async fill(target: Uint8Array, position: number): Promise<void> {
    const large = target.byteLength > this.pacing.smallReadBytes;
    if (this.slowReadsInARow >= SLOW_READS_TO_GO_ASYNC || (large && this.pacing.contended())) {
      await fillAt(this.fd, target, position, this.endedAt);
      return;
    }
    if (performance.now() - this.burstStarted >= this.pacing.burstMs) {
      await yieldToEventLoop();
      this.burstStarted = performance.now();
    }
    const started = performance.now();
    fillAtSync(this.fd, target, position, this.endedAt);
    this.slowReadsInARow = performance.now() - started < this.pacing.slowReadMs ? 0 : this.slowReadsInARow + 1;
  }
}
