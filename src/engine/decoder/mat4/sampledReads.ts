/** Streamed M4 reads of large binTrans files: the read path that never holds whole columns in memory. */
import { scratchPool } from '../../util/scratch';
import { clipRange, clipRangeAt, type SampleRange } from '../clip';
import { withFile, type FileSource } from '../file-source';
import type { SampledRead } from '../types';
import { readStoreSummaries, type ColumnStoreLayout } from './columnStore';
import type { FileLayout, OpenedFile } from './layoutBuild';
import type { Location } from './locations';
import { readSignals } from './matrix';
import { readStats } from './memo';
import { elementSize } from './records';
import { sampleRows, sampleStore, type SampledSeries } from './sampled';
import { planSummarized, sampleSummarized, summariesPayOff, summaryScratchBytes } from './summarized';
import type { SignalSummaries, SummarizedPlan } from './summaryTypes';
import { summariesInMemory } from './summaryMemory';

/**
 * Streaming M4 (from the layout's block summaries where they read less) pays off once the columns
 * of a read would be this large: below it, whole columns are cheap to hold and downsample. At
 * 16 MiB, the load benchmark (binary answers, four queries at a time) served 1,330-1,410
 * requests/s with a p99 of 129-143 ms; at 1 MiB, 1,520-1,700 requests/s and 104-122 ms.
 */
const STREAMED_READ_MIN_BYTES = 1024 * 1024;

export class SampledReads {
  /** Whether the time vector never decreases and has no NaN (block summaries need bucket edges by binary search). */
  private timeOrdered: boolean | undefined;

  constructor(
    private readonly file: OpenedFile,
    private readonly layout: FileLayout
  ) {}

  async sampleInMemoryTime(
    time: Float64Array,
    wanted: Location[],
    maxPoints: number,
    from?: number,
    to?: number
  ): Promise<SampledRead | undefined> {
    const range = clipRange(time, from, to);
    const count = range.end - range.first;
    if (!this.worthStreaming(count, wanted.length, maxPoints)) {
      return undefined;
    }
    const ends = Float64Array.of(time[range.first], time[range.end - 1]);
    const store = this.layout.store;
    readStats[store ? 'layoutReads' : 'fileReads']++;
    const series = store
      ? await this.sampleLayout(store, time, wanted, range, maxPoints).catch((error: unknown) =>
          this.layout.drop(error)
        )
      : await withFile(this.file.path, this.file.displayName, (source) =>
          sampleRows(source, this.file.data2, wanted, range, [ends[0], ends[1]], maxPoints)
        );
    if (!series) {
      // The layout went away under us (cache limit): fall back to the whole-column path.
      return undefined;
    }
    return { pointsInRange: count, ends, series };
  }

  /** First read of the file: the range is found with a few single-value reads, then one pass. */
  async sampleFromFile(
    wanted: Location[],
    maxPoints: number,
    from?: number,
    to?: number
  ): Promise<SampledRead | undefined> {
    const { data2 } = this.file;
    readStats.fileReads++;
    const result = await withFile(this.file.path, this.file.displayName, async (source) => {
      const timeAt = async (index: number) => (await readSignals(source, data2, [0], index, index + 1))[0][0];
      const range = await clipRangeAt(data2.samples, timeAt, from, to);
      const count = range.end - range.first;
      // A first read passes over the whole range either way; streaming it saves the columns.
      if (count <= maxPoints) {
        return undefined;
      }
      const ends: [number, number] = [await timeAt(range.first), await timeAt(range.end - 1)];
      const series = await sampleRows(source, data2, wanted, range, ends, maxPoints);
      return { pointsInRange: count, ends: Float64Array.from(ends), series };
    });
    if (result) {
      // Only after a read: a build racing the caller's fallback read would slow both down.
      this.layout.start();
    }
    return result;
  }

  /** From the block summaries where they read less than the stored columns, else from the columns. */
  private async sampleLayout(
    store: ColumnStoreLayout,
    time: Float64Array,
    wanted: Location[],
    range: SampleRange,
    maxPoints: number
  ): Promise<SampledSeries> {
    const { data2 } = this.file;
    this.timeOrdered ??= isOrdered(time);
    if (this.timeOrdered) {
      const rowBytes = data2.signals * elementSize(data2.elementType);
      const storeBytes = elementSize(store.storeType);
      const plan = planSummarized(time, range, maxPoints, data2.samples, rowBytes);
      const kept = wanted.map((w) => summariesInMemory(store, w.signal));
      const allKept = kept.every((summaries) => summaries !== undefined);
      if (summariesPayOff(plan, range, wanted.length, data2, storeBytes, allKept)) {
        const { path, sizeBytes, modifiedMs } = this.file;
        const series = allKept
          ? await this.sampleSummaries(
              time,
              wanted,
              plan,
              kept as SignalSummaries[],
              // Edges are kept per version, range and width: a dashboard's next panel reads the same ones.
              [path, sizeBytes, modifiedMs, range.first, range.end, maxPoints].join('\0')
            )
          : await this.sampleStoredSummaries(store, time, wanted, plan);
        if (series) {
          return series;
        }
      }
    }
    return sampleStore(store, time, wanted, range, maxPoints);
  }

  private async sampleStoredSummaries(
    store: ColumnStoreLayout,
    time: Float64Array,
    wanted: Location[],
    plan: SummarizedPlan
  ): Promise<SampledSeries | undefined> {
    const arena = scratchPool.arena(summaryScratchBytes(plan, wanted.length, elementSize(store.storeType)));
    try {
      const signals = wanted.map((w) => w.signal);
      const summaries = await readStoreSummaries(store, signals, plan.firstBlock, plan.endBlock, arena);
      return await this.sampleSummaries(time, wanted, plan, summaries);
    } finally {
      arena.release();
    }
  }

  /** Undefined when the file is no longer the version the layout was built from: raw rows come from the file itself. */
  private sampleSummaries(
    time: Float64Array,
    wanted: Location[],
    plan: SummarizedPlan,
    summaries: readonly SignalSummaries[],
    edgeKey?: string
  ): Promise<SampledSeries | undefined> {
    return withFile(this.file.path, this.file.displayName, async (source) =>
      this.isSameVersion(source)
        ? sampleSummarized(source.pacedReader(), this.file.data2, time, wanted, plan, summaries, edgeKey)
        : undefined
    );
  }

  private isSameVersion(source: FileSource): boolean {
    return source.size === this.file.sizeBytes && source.modifiedMs === this.file.modifiedMs;
  }

  private worthStreaming(count: number, series: number, maxPoints: number): boolean {
    const minBytes = this.file.options.streamedReadMinBytes ?? STREAMED_READ_MIN_BYTES;
    return count > maxPoints && count * series * Float64Array.BYTES_PER_ELEMENT >= minBytes;
  }
}

function isOrdered(time: Float64Array): boolean {
  for (let i = 1; i < time.length; i++) {
    if (!(time[i] >= time[i - 1])) {
      return false;
    }
  }
  return time.length === 0 || time[0] === time[0];
}
