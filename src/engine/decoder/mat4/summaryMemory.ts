/**
 * Block summaries of whole per-variable layouts, kept in memory with a coarse level on top.
 *
 * Without them a summarized read (summarized.ts) reads its signals' summaries from the layout each
 * time: on the long 1 GB shape about 700 KB per signal, 14 MB for 20 signals, and each bucket then
 * offers about 78 block summaries. From memory nothing is read, and with coarse blocks a bucket
 * offers about 17. Every signal of a layout is loaded at once, in the background, once the layout
 * is built or found, so that reads of any variable find them. Bounded in bytes across files;
 * least recently used first out.
 */
import { ByteBudgetLru } from '../../util/byte-lru';
import { COARSE_BLOCKS, COARSE_NUMBERS, blockCount, coarsen, type SummaryArray } from './blockSummary';
import { readAllSummaries, readStoreColumns, type ColumnStoreLayout } from './columnStore';
import { elementSize } from './records';
import type { SignalSummaries } from './summaryTypes';

/** Bytes of summaries kept across all layouts: the long 1 GB shape (100 signals of float64) needs 82 MB. */
export const SUMMARY_MEMORY_BUDGET_BYTES = 128 * 1024 * 1024;

/**
 * Layouts with fewer samples are not kept: a bucket of a 2,000-point read then spans a few blocks
 * only, and reads of such layouts stream their columns (summariesPayOff) or read few summaries.
 */
export const SUMMARY_MEMORY_MIN_SAMPLES = 100_000;

export interface KeptSummaries {
  blocks: number;
  extremes: SummaryArray;
  positions: Uint8Array;
  /** coarsen() of every signal, `COARSE_NUMBERS * groups` numbers each. */
  coarse: Float64Array;
}

const kept = new ByteBudgetLru<string, KeptSummaries>(SUMMARY_MEMORY_BUDGET_BYTES);
const loading = new Map<string, Promise<void>>();

/** Bytes the summaries of a layout take in memory. */
export function summaryMemoryBytesOf(layout: ColumnStoreLayout): number {
  const blocks = blockCount(layout.samples);
  const groups = Math.ceil(blocks / COARSE_BLOCKS);
  return (
    layout.signals *
    (2 * blocks * (elementSize(layout.storeType) + 1) + COARSE_NUMBERS * groups * Float64Array.BYTES_PER_ELEMENT)
  );
}

/** The kept summaries of `signal`, or undefined when the layout's are not in memory. */
export function summariesInMemory(layout: ColumnStoreLayout, signal: number): SignalSummaries | undefined {
  const entry = kept.get(layout.file);
  return entry && signalSummariesOf(entry, signal);
}

/** Views of one signal's kept summaries. */
export function signalSummariesOf(entry: KeptSummaries, signal: number): SignalSummaries {
  const perSignal = 2 * entry.blocks;
  const perCoarse = COARSE_NUMBERS * Math.ceil(entry.blocks / COARSE_BLOCKS);
  return {
    extremes: entry.extremes.subarray(signal * perSignal, (signal + 1) * perSignal),
    positions: entry.positions.subarray(signal * perSignal, (signal + 1) * perSignal),
    firstBlock: 0,
    coarse: entry.coarse.subarray(signal * perCoarse, (signal + 1) * perCoarse),
  };
}

/**
 * Loads every signal's summaries of `layout` into memory, unless they are there, too large, or
 * the layout too short to be read through them. Resolves when done; a layout gone meanwhile (the
 * cache limit deletes layouts) is simply not kept.
 */
export function keepSummariesInMemory(
  layout: ColumnStoreLayout,
  minSamples = SUMMARY_MEMORY_MIN_SAMPLES
): Promise<void> {
  const bytes = summaryMemoryBytesOf(layout);
  if (kept.has(layout.file) || layout.samples < minSamples || bytes > SUMMARY_MEMORY_BUDGET_BYTES) {
    return Promise.resolve();
  }
  let load = loading.get(layout.file);
  if (!load) {
    load = loadSummaries(layout, bytes)
      .catch(() => undefined)
      .finally(() => loading.delete(layout.file));
    loading.set(layout.file, load);
  }
  return load;
}

async function loadSummaries(layout: ColumnStoreLayout, bytes: number): Promise<void> {
  kept.set(layout.file, await readKeptSummaries(layout), bytes);
}

/** Every signal's summaries of `layout`, read whole, with their coarse blocks (timed by the layout's own time column). */
export async function readKeptSummaries(layout: ColumnStoreLayout): Promise<KeptSummaries> {
  const { blocks, extremes, positions } = await readAllSummaries(layout);
  const [time] = await readStoreColumns(layout, [0], 0, layout.samples);
  const perSignal = 2 * blocks;
  const perCoarse = COARSE_NUMBERS * Math.ceil(blocks / COARSE_BLOCKS);
  const coarse = new Float64Array(perCoarse * layout.signals);
  for (let signal = 0; signal < layout.signals; signal++) {
    const [from, to] = [signal * perSignal, (signal + 1) * perSignal];
    coarse.set(coarsen(extremes.subarray(from, to), positions.subarray(from, to), blocks, time), signal * perCoarse);
  }
  return { blocks, extremes, positions, coarse };
}

/** Forgets a layout's summaries (the layout was deleted or found damaged). */
export function forgetSummaries(layout: ColumnStoreLayout): void {
  kept.delete(layout.file);
}

/** Bytes held, for metrics and tests. */
export function summaryMemoryBytes(): number {
  return kept.bytes;
}
