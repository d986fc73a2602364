/**
 * The live view's latency and its behaviour under load (issue 20), in one process: result files
 * grow on disk as solvers write them (tests/support/growing.ts), and the backend's own live feeds
 * (src/backend/live/feed.ts) follow them through the REST rows route, as Grafana's RunStream does.
 *
 *   npm run bench -- --only live [--minutes 10]
 *   npx tsx scripts/bench-live.ts [--minutes 10] [--latency-seconds 30]
 *
 * - Latency: from a batch of rows written (the write returned) to the packet that carries them
 *   leaving the feed, per batch. With the watcher on (folder mode, inotify) the target is p95 <= 1 s;
 *   with `--watch poll` (a proxy polling every 2 s) it is p95 <= the poll interval + 1 s.
 * - Load: 20 live panels (distinct streams) on 5 growing files for `--minutes`: at the end every
 *   panel must hold every row exactly once (its row count equals the file's, no update missed, its
 *   view equals the feed's snapshot), and retained memory (heap after a full GC, sampled every
 *   30 s) must stay level: its growth over the run's second half is reported.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import pino from 'pino';

import { GrowingFile, matImage, oscillatorRun } from '../tests/support/growing';
import { startTestProxy } from '../tests/support/proxy';
import { openInstance, type Instance } from '../src/backend/connection/instance';
import type { Frame } from '../src/backend/frames/frame';
import { LiveFeed } from '../src/backend/live/feed';
import type { LiveFrameMeta } from '../src/backend/live/frames';
import { parseSettings } from '../src/backend/settings';
import { applyLiveUpdate, emptyLiveView, type LiveView } from '../src/datasource/live/merge';
import { livePath, type LiveParams } from '../src/shared/liveChannel';
import { updateFromPoints } from '../src/shared/live';

const logger = pino({ level: 'silent' });
/** chokidar's polling interval as the proxy uses it (src/engine/catalog/watcher.ts). */
const POLL_INTERVAL_MS = 2_000;
const STEP_MS = 100;
const ROWS_PER_STEP = 20;
const FILES = 5;
const PANELS_PER_FILE = 4;
const MEMORY_SAMPLE_MS = 30_000;
export const LIVE_TARGETS = { watchP95Ms: 1_000, pollP95Ms: POLL_INTERVAL_MS + 1_000 };

const gc: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

function settingsFor(uid: string, jsonData: Record<string, unknown>, secure: Record<string, string> = {}) {
  return parseSettings({ id: 1, name: uid, url: '', uid, jsonData: Buffer.from(JSON.stringify(jsonData)), decryptedSecureJsonData: secure, lastUpdatedMS: 1 });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** What a panel holds, applying each packet with the browser's merge. */
class Panel {
  readonly views = new Map<string, LiveView>();
  gaps = 0;

  apply(frames: readonly Frame[]): number {
    let rows = 0;
    for (const frame of frames) {
      const live = frame.meta?.custom?.live as LiveFrameMeta;
      const header = live.update!;
      const update = updateFromPoints(header, frame.fields[0].values as ArrayLike<number>, frame.fields[1].values as ArrayLike<number | null>);
      const view = applyLiveUpdate(this.views.get(live.variable) ?? emptyLiveView(), update);
      this.gaps += view.gap ? 1 : 0;
      this.views.set(live.variable, view);
      rows = Math.max(rows, header.rows);
    }
    return rows;
  }
}

interface Growing {
  name: string;
  file: GrowingFile;
  rows: number;
  /** When each batch's write returned, by the row count it brought the file to. */
  written: Array<{ rows: number; atMs: number }>;
}

async function createGrowing(folder: string, name: string, rows: number): Promise<Growing> {
  const run = oscillatorRun(rows);
  const file = new GrowingFile(path.join(folder, `${name}.mat`), await matImage(run.spec, run.data));
  await file.create();
  await file.appendRows(ROWS_PER_STEP);
  return { name, file, rows, written: [] };
}

/** Writes the rest of the file in steps, as a solver does. */
async function grow(growing: Growing, stepMs: number): Promise<void> {
  for (let rows = 2 * ROWS_PER_STEP; rows <= growing.rows; rows += ROWS_PER_STEP) {
    await pause(stepMs);
    await growing.file.appendRows(rows);
    growing.written.push({ rows, atMs: performance.now() });
  }
  await growing.file.finish();
}

async function listedId(instance: Instance, name: string): Promise<string> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const found = (await instance.client().listSimulations({ search: name })).items.find((s) => s.name === name);
    if (found) {
      return found.id;
    }
    await pause(100);
  }
  throw new Error(`${name} was never listed`);
}

interface Followed {
  panel: Panel;
  feed: LiveFeed;
  running: Promise<void>;
  /** Latency of each written batch, measured when the first packet carrying it left the feed. */
  latenciesMs: number[];
}

function follow(instance: Instance, id: string, growing: Growing, variables: string[], maxDataPoints: number, signal: AbortSignal): Followed {
  const params: LiveParams = { simulation: id, variables, maxDataPoints, timeAxis: 'simulation' };
  const feed = new LiveFeed({ path: livePath(params), params, client: instance.client(signal), logger, waitMs: 10_000 });
  const panel = new Panel();
  const latenciesMs: number[] = [];
  let matched = 0;
  const running = feed.run(signal, (frames) => {
    const now = performance.now();
    const rows = panel.apply(frames);
    while (matched < growing.written.length && growing.written[matched].rows <= rows) {
      latenciesMs.push(now - growing.written[matched].atMs);
      matched++;
    }
  });
  return { panel, feed, running, latenciesMs };
}

export interface LatencyResult {
  mode: string;
  batches: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  targetP95Ms: number;
  met: boolean;
}

async function measureLatency(mode: string, instance: Instance, folder: string, seconds: number, targetP95Ms: number, beforeFollow?: () => Promise<void>): Promise<LatencyResult> {
  const rows = Math.round((seconds * 1000) / STEP_MS) * ROWS_PER_STEP;
  const growing = await createGrowing(folder, `latency_${mode.replace(/\W/g, '_')}`, rows);
  await beforeFollow?.();
  const id = await listedId(instance, growing.name);
  const abort = new AbortController();
  const followed = follow(instance, id, growing, ['x', 'der(x)'], 1_000, abort.signal);
  await grow(growing, STEP_MS);
  await withTimeout(followed.running, 60_000, abort);
  const latencies = followed.latenciesMs;
  const p95Ms = quantile(latencies, 0.95);
  return { mode, batches: latencies.length, p50Ms: quantile(latencies, 0.5), p95Ms, maxMs: Math.max(...latencies), targetP95Ms, met: p95Ms <= targetP95Ms };
}

async function withTimeout(running: Promise<void>, ms: number, abort: AbortController): Promise<void> {
  const timer = setTimeout(() => abort.abort(), ms);
  await running.finally(() => clearTimeout(timer));
  if (abort.signal.aborted) {
    throw new Error(`a live feed did not settle within ${ms / 1000} s of its file`);
  }
}

export interface LoadResult {
  minutes: number;
  panels: number;
  files: number;
  rowsPerFile: number;
  packets: number;
  /** Panels whose row count, update sequence and snapshot all check out. */
  faithfulPanels: number;
  problems: string[];
  /** Heap after a full GC, MB, every 30 s. */
  retainedMb: number[];
  /** Retained heap growth over the second half of the run, MB. */
  secondHalfGrowthMb: number;
  latencyP95Ms: number;
}

function checkPanel(followed: Followed, rows: number, label: string): string[] {
  const problems: string[] = [];
  const snapshot = new Panel();
  snapshot.apply(followed.feed.snapshot() ?? []);
  for (const [variable, view] of followed.panel.views) {
    const late = snapshot.views.get(variable);
    if (view.rows !== rows) {
      problems.push(`${label} ${variable}: ${view.rows} rows, the file has ${rows}`);
    }
    if (!view.settled || view.gap) {
      problems.push(`${label} ${variable}: settled ${view.settled}, gap ${view.gap}`);
    }
    if (!late || late.time.length !== view.time.length || late.time.some((t, i) => t !== view.time[i]) || late.values.some((v, i) => !Object.is(v, view.values[i]))) {
      problems.push(`${label} ${variable}: the panel differs from the feed's snapshot`);
    }
  }
  if (followed.panel.views.size === 0 || followed.panel.gaps > 0) {
    problems.push(`${label}: ${followed.panel.views.size} variables followed, ${followed.panel.gaps} gaps`);
  }
  return problems;
}

async function runLoad(folder: string, minutes: number): Promise<LoadResult> {
  const instance = await openInstance(settingsFor('live-load', { mode: 'folder', folder: `load=${folder}`, cacheFolder: mkdtempSync(path.join(tmpdir(), 'simviz-live-load-cache-')) }), logger);
  try {
    const rows = Math.round((minutes * 60_000) / STEP_MS) * ROWS_PER_STEP;
    const files = await Promise.all(Array.from({ length: FILES }, (_, k) => createGrowing(folder, `load_run_${k}`, rows)));
    const ids = await Promise.all(files.map((f) => listedId(instance, f.name)));
    const abort = new AbortController();
    // Four distinct panels per file: different variable sets and widths, so that no two share a stream.
    const shapes: Array<{ variables: string[]; points: number }> = [
      { variables: ['x'], points: 300 },
      { variables: ['der(x)'], points: 500 },
      { variables: ['x', 'der(x)'], points: 1_000 },
      { variables: ['y', 'minusV'], points: 2_000 },
    ];
    const followed = files.flatMap((growing, k) => shapes.slice(0, PANELS_PER_FILE).map((shape) => follow(instance, ids[k], growing, shape.variables, shape.points, abort.signal)));
    const retainedMb: number[] = [];
    const sampler = setInterval(() => {
      gc();
      retainedMb.push(process.memoryUsage().heapUsed / 1024 / 1024);
    }, MEMORY_SAMPLE_MS);
    try {
      await Promise.all(files.map((growing) => grow(growing, STEP_MS)));
      await withTimeout(Promise.all(followed.map((f) => f.running)).then(() => undefined), 120_000, abort);
    } finally {
      clearInterval(sampler);
    }
    const problems = followed.flatMap((f, i) => checkPanel(f, rows, `panel ${i + 1}`));
    const half = retainedMb.slice(Math.floor(retainedMb.length / 2));
    return {
      minutes,
      panels: followed.length,
      files: files.length,
      rowsPerFile: rows,
      packets: followed.reduce((sum, f) => sum + f.latenciesMs.length, 0),
      faithfulPanels: followed.length - new Set(problems.map((p) => p.split(' ').slice(0, 2).join(' '))).size,
      problems,
      retainedMb,
      secondHalfGrowthMb: half.length > 1 ? half[half.length - 1] - half[0] : 0,
      latencyP95Ms: quantile(followed.flatMap((f) => f.latenciesMs), 0.95),
    };
  } finally {
    await instance.close();
  }
}

export interface LiveBenchResult {
  latency: LatencyResult[];
  load: LoadResult;
}

export async function benchLive(options: { minutes: number; latencySeconds: number }): Promise<LiveBenchResult> {
  const root = mkdtempSync(path.join(tmpdir(), 'simviz-bench-live-'));
  try {
    const latency: LatencyResult[] = [];
    const watched = path.join(root, 'watched');
    const folderInstance = await openInstance(
      settingsFor('live-watch', { mode: 'folder', folder: `watched=${mkdir(watched)}`, cacheFolder: mkdtempSync(path.join(tmpdir(), 'simviz-live-cache-')) }),
      logger
    );
    try {
      latency.push(await measureLatency('folder mode, watcher on (inotify)', folderInstance, watched, options.latencySeconds, LIVE_TARGETS.watchP95Ms));
    } finally {
      await folderInstance.close();
    }
    const polled = mkdir(path.join(root, 'polled'));
    const proxy = await startTestProxy([{ name: 'polled', path: polled }], [], { config: { watch: 'poll', settleMs: 3_000 } });
    const proxyInstance = await openInstance(settingsFor('live-poll', { mode: 'proxy', proxyUrl: proxy.url }), logger);
    try {
      latency.push(await measureLatency(`proxy mode, --watch poll (${POLL_INTERVAL_MS / 1000} s)`, proxyInstance, polled, options.latencySeconds, LIVE_TARGETS.pollP95Ms));
    } finally {
      await proxyInstance.close();
      await proxy.close();
    }
    const load = await runLoad(mkdir(path.join(root, 'load')), options.minutes);
    return { latency, load };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function mkdir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

const ms = (value: number) => `${Math.round(value)} ms`;

export function formatLiveBench(result: LiveBenchResult): string {
  const lines = ['', 'Live view (a row written -> the packet carrying it leaving the backend feed):'];
  for (const l of result.latency) {
    lines.push(`  ${l.mode}: ${l.batches} batches, p50 ${ms(l.p50Ms)}, p95 ${ms(l.p95Ms)}, max ${ms(l.maxMs)} | target p95 <= ${ms(l.targetP95Ms)}: ${l.met ? 'met' : 'NOT MET'} (${(l.p95Ms / l.targetP95Ms).toFixed(2)}x the target)`);
  }
  const load = result.load;
  lines.push(
    `  load: ${load.panels} panels on ${load.files} files for ${load.minutes} min (${load.rowsPerFile} rows each), ${load.packets} batches delivered, p95 ${ms(load.latencyP95Ms)}`,
    `    panels holding every row exactly once (rows, update sequence, snapshot): ${load.faithfulPanels}/${load.panels}${load.problems.length ? `; ${load.problems.slice(0, 5).join('; ')}` : ''}`,
    `    retained heap after GC every 30 s: ${load.retainedMb.map((mb) => mb.toFixed(0)).join(', ')} MB; growth over the second half ${load.secondHalfGrowthMb.toFixed(1)} MB`
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, 'latency-seconds': { type: 'string', default: '30' } } });
  const result = await benchLive({ minutes: Number(values.minutes), latencySeconds: Number(values['latency-seconds']) });
  console.log(formatLiveBench(result));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
