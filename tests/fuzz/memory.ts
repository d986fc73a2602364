import { getHeapStatistics } from 'node:v8';

import { takeLargestAllocation } from './alloc-trace';

const MiB = 1024 * 1024;

/** Old garbage above this is collected before a measurement, so it cannot mask new allocations. */
const GC_THRESHOLD = 32 * MiB;

/** Heap plus ArrayBuffers (V8 counts buffers as external memory as soon as they are allocated). */
function allocatedBytes(): number {
  const stats = getHeapStatistics();
  return stats.used_heap_size + stats.external_memory;
}

/** Peak resident size of the process, which also sees buffers that were touched and freed in between. */
function maxRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
}

/** How much a step grew memory at its peak, and where its largest buffer was allocated (when large). */
export interface Growth {
  bytes: number;
  stack?: string;
}

/**
 * Measures how much memory one step of a case takes: the peak of heap + ArrayBuffers sampled every
 * millisecond while the step awaits I/O, the growth of the process's peak RSS, and the largest
 * single buffer the step allocated (seen by the allocation tracer, when installed). Sampling alone
 * misses a buffer allocated and dropped inside one synchronous stretch.
 */
export class MemoryMeter {
  private baseline = 0;
  private peak = 0;
  private rssBaseline = 0;
  private afterLastGc = 0;
  private timer: NodeJS.Timeout | undefined;

  start(): void {
    if (allocatedBytes() > this.afterLastGc + GC_THRESHOLD) {
      collectGarbage();
      this.afterLastGc = allocatedBytes();
    }
    takeLargestAllocation();
    this.baseline = allocatedBytes();
    this.peak = this.baseline;
    this.rssBaseline = maxRssBytes();
    this.timer = setInterval(() => this.sample(), 1);
  }

  stop(): Growth {
    clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    const largest = takeLargestAllocation();
    const sampled = Math.max(this.peak - this.baseline, maxRssBytes() - this.rssBaseline, 0);
    return { bytes: Math.max(largest.bytes, sampled), stack: largest.stack };
  }

  private sample(): void {
    this.peak = Math.max(this.peak, allocatedBytes());
  }
}

export type Measured<T> = { ok: true; value: T; growth: Growth } | { ok: false; error: unknown; growth: Growth };

/** Runs `work` under the meter; a failing step is measured too (allocating then throwing is no excuse). */
export async function measured<T>(meter: MemoryMeter, work: () => Promise<T>): Promise<Measured<T>> {
  meter.start();
  try {
    const value = await work();
    return { ok: true, value, growth: meter.stop() };
  } catch (error) {
    return { ok: false, error, growth: meter.stop() };
  }
}
