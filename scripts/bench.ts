/**
 * `npm run bench`: decoder speed and memory on generated Dymola-style binTrans files, with the
 * baselines measured in the same run (cat, a plain sequential read in Node, scipy's loadmat), then
 * the proxy under load (scripts/bench-load.ts: 100 simulations, 50 connections, autocannon).
 *
 *   npm run bench [-- --only wide-1g-f64,long-100m-f32,load,soak,index,live] [--dir .bench] [--scipy|--no-scipy] [--duration 30] [--workers 1] [--minutes 10]
 *
 * `--only` takes shape names, `load`, `soak` (the load for 60 s, plus queries on the 1 GB long file),
 * `index` (restart over 10,000 files), `backend` (QueryData through the Go Grafana host,
 * scripts/bench-backend.ts) and `compare` (the regression check of 20 variables of a 1 GB run
 * against a 1 GB reference, scripts/bench-compare.ts) and `live` (the live view's latency and a
 * load of 20 panels on 5 growing files for `--minutes`, default 10; scripts/bench-live.ts), comma-separated;
 * without it everything runs. `--duration` is the load run's length in seconds. Each file is measured in its own child process so that its
 * peak RSS is its own; the load bench runs the proxy in its own process for the same reason.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { writeBenchFile, type BenchShape } from './bench/generate';
import { openResultFile, type ResultFile } from '../src/engine/decoder';
import { querySeriesFromFile } from '../src/engine/query/run';
import { scipyPython } from '../tests/support/python';
import { benchIndex } from './bench-index';
import { formatLoadResult, parseDuration, runLoadBench, type LoadBenchResult } from './bench-load';
import { BACKEND_SHAPES, benchBackend, formatBackendResult, type BackendBenchResult } from './bench-backend';
import { benchCompare, formatCompareBench, type CompareBenchResult } from './bench-compare';
import { benchLive, formatLiveBench, type LiveBenchResult } from './bench-live';

const REPO = path.resolve(__dirname, '..');

const SHAPES: Record<string, BenchShape> = {
  'wide-100m-f32': { signals: 25_000, steps: 1_000, precision: 'float32' },
  'long-100m-f32': { signals: 100, steps: 250_000, precision: 'float32' },
  'wide-1g-f64': { signals: 25_000, steps: 5_000, precision: 'float64' },
  'long-1g-f64': { signals: 100, steps: 1_250_000, precision: 'float64' },
};

/** The proxy load bench's name in `--only`. */
const LOAD = 'load';
/** The restart-from-index bench's name in `--only` (10,000 generated files). */
const INDEX = 'index';
/** The soak's name in `--only`: the load bench for 60 s with queries on the 1 GB long file too. */
const SOAK = 'soak';
const SOAK_FILE = 'long-1g-f64';
const SOAK_SECONDS = 60;
/** The backend's name in `--only`: QueryData of the 1 GB files through the Go Grafana host (needs `go`). */
const BACKEND = 'backend';
/** The regression check's name in `--only`: ratio of comparing to reading both files. */
const COMPARE = 'compare';
/** The live view's name in `--only`: latency (watcher and polling) and 20 panels on 5 growing files for `--minutes`. */
const LIVE = 'live';
const EXTRA_BENCHES = [LOAD, INDEX, SOAK, BACKEND, COMPARE, LIVE];

const VARIABLES_PER_QUERY = 20;
/**
 * Rounds of repeated reads, each of other variables (the picks cycle through five sets). Medians
 * are reported for the first half (pieces of those variables computed for the first time, code
 * not yet optimized) and the second (steady), as the machine is noisy and GC pauses come and go.
 */
const REPEATED_ROUNDS = 20;
/** Reads at ranges not read before (a zoom or pan each), after the repeated reads. */
const NEW_RANGE_ROUNDS = 5;
const MAX_POINTS = 2_000;

interface Measurement {
  catalogueMs: number;
  /** After the first opens: what a running proxy scanning many files sees (code compiled, JIT warm). */
  catalogueWarmMs: number;
  /** The first read this process makes: its code is not compiled yet. */
  firstReadMs: number;
  /** First reads of the file opened afresh in a process that has read before: what a running proxy sees. */
  firstReadRunningMs: number;
  layoutMs: number;
  repeatedMs: number;
  repeatedFirstHalfMs: number;
  newRangeMs: number;
  repeatedSameMs: number;
  peakRssMb: number;
  points: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timeIt<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await work();
  return [performance.now() - started, result];
}

/** Evenly spread trajectory names; `round` shifts the choice so each round asks for other variables. */
function pickVariables(file: ResultFile, round: number): string[] {
  const names = file.variables.filter((v) => v.kind === 'trajectory').map((v) => v.name);
  const step = Math.max(1, Math.floor(names.length / VARIABLES_PER_QUERY));
  return Array.from({ length: VARIABLES_PER_QUERY }, (_, k) => names[(k * step + round * 7 + 3) % names.length]);
}

async function query(
  file: ResultFile,
  variables: string[],
  range: { from?: number; to?: number } = {}
): Promise<number> {
  const entries = await querySeriesFromFile(
    file,
    { id: 'bench', name: 'bench' },
    { variables, maxDataPoints: MAX_POINTS, ...range }
  );
  return entries.reduce((sum, e) => sum + ('values' in e ? e.values.length : 0), 0);
}

/** First reads of files opened afresh (no layout cache, so none builds): milliseconds each. */
async function firstReads(file: string, variables: string[], times: number): Promise<number[]> {
  const spent: number[] = [];
  for (let i = 0; i < times; i++) {
    const fresh = await openResultFile(file, path.basename(file), {});
    spent.push((await timeIt(() => query(fresh, variables)))[0]);
  }
  return spent;
}

/** Runs in the child process: everything the decoder does for one file. */
async function measure(file: string): Promise<Measurement> {
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'simviz-bench-cache-'));
  try {
    const catalogue: number[] = [];
    for (let i = 0; i < 5; i++) {
      catalogue.push((await timeIt(() => openResultFile(file, path.basename(file), { cacheDir })))[0]);
    }
    const warm: number[] = [];
    for (let i = 0; i < 10; i++) {
      warm.push((await timeIt(() => openResultFile(file, path.basename(file), { cacheDir })))[0]);
    }
    const decoded = await openResultFile(file, path.basename(file), { cacheDir });
    // Chosen before timing: a query names its variables; searching the catalogue is not part of a read.
    const [firstVariables, ...rounds] = Array.from({ length: 1 + REPEATED_ROUNDS }, (_, round) =>
      pickVariables(decoded, round)
    );
    const [[firstReadMs], runningFirstReads] = [
      await firstReads(file, firstVariables, 1),
      await firstReads(file, firstVariables, 3),
    ];
    const points = await query(decoded, firstVariables);
    const [layoutMs] = await timeIt(
      () => (decoded as ResultFile & { layoutReady?: () => Promise<boolean> }).layoutReady?.() ?? Promise.resolve(false)
    );
    const repeated: number[] = [];
    for (const variables of rounds) {
      repeated.push((await timeIt(() => query(decoded, variables)))[0]);
    }
    const newRanges: number[] = [];
    const [start, stop] = [decoded.startTime ?? 0, decoded.stopTime ?? 0];
    for (let round = 0; round < NEW_RANGE_ROUNDS; round++) {
      // Windows of 60 % of the run, each shifted: every read is of a range not read before.
      const from = start + ((stop - start) * (round + 1)) / 20;
      newRanges.push((await timeIt(() => query(decoded, rounds[round], { from, to: from + 0.6 * (stop - start) })))[0]);
    }
    const same: number[] = [];
    for (let round = 0; round < 5; round++) {
      same.push((await timeIt(() => query(decoded, rounds[0])))[0]);
    }
    return {
      catalogueMs: median(catalogue),
      catalogueWarmMs: median(warm),
      firstReadMs,
      firstReadRunningMs: median(runningFirstReads),
      layoutMs,
      repeatedMs: median(repeated.slice(REPEATED_ROUNDS / 2)),
      repeatedFirstHalfMs: median(repeated.slice(0, REPEATED_ROUNDS / 2)),
      newRangeMs: median(newRanges),
      repeatedSameMs: median(same),
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      points,
    };
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

function seconds(command: string, args: string[]): number {
  const started = performance.now();
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) {
    throw new Error(`${command} failed`);
  }
  return (performance.now() - started) / 1000;
}

function catSeconds(file: string): number {
  seconds('sh', ['-c', `cat "${file}" > /dev/null`]);
  return median([1, 2, 3].map(() => seconds('sh', ['-c', `cat "${file}" > /dev/null`])));
}

/** The raw file read in Node: sequential 16 MiB positioned reads into one reused buffer. */
async function nodeReadSeconds(file: string): Promise<number> {
  const handle = await open(file, 'r');
  const buffer = new Uint8Array(16 * 1024 * 1024);
  const started = performance.now();
  let position = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) {
      break;
    }
    position += bytesRead;
  }
  await handle.close();
  return (performance.now() - started) / 1000;
}

function scipySeconds(file: string): number | undefined {
  const script = `import time, scipy.io\nt = time.perf_counter()\nscipy.io.loadmat(${JSON.stringify(file)})\nprint(time.perf_counter() - t)`;
  const result = spawnSync(scipyPython(), ['-c', script], { encoding: 'utf8' });
  return result.status === 0 ? Number(result.stdout.trim()) : undefined;
}

function measureInChild(file: string): Measurement {
  const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), __filename, '--measure', file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  const line = result.stdout.trim().split('\n').pop() ?? '';
  if (result.status !== 0 || !line.startsWith('{')) {
    throw new Error(`measuring ${file} failed`);
  }
  return JSON.parse(line) as Measurement;
}

/** One row of the decoder's figures, as printed and written to bench.json. */
type ShapeRow = Measurement & { file: string; sizeMb: number; firstReadVsCat: number; firstReadRunningVsCat: number };

interface TargetCheck {
  target: string;
  worst: string;
  met: boolean;
}

/** Files of about 1 GB: the catalogue, first-read and memory targets are stated for them. */
const GIGABYTE_MB = 900;

/**
 * The decoder's targets (issue 3) against the worst figure of the shapes measured: catalogue,
 * first read and peak RSS over the ~1 GB files, repeated reads over every shape.
 */
function checkTargets(rows: readonly ShapeRow[]): TargetCheck[] {
  const big = rows.filter((row) => row.sizeMb >= GIGABYTE_MB);
  const worst = (of: readonly ShapeRow[], pick: (row: ShapeRow) => number) => Math.max(...of.map(pick));
  const checks: TargetCheck[] = [];
  if (big.length > 0) {
    const catalogue = worst(big, (row) => row.catalogueMs);
    const firstRead = worst(big, (row) => row.firstReadRunningVsCat);
    const rss = worst(big, (row) => row.peakRssMb);
    checks.push(
      { target: 'catalogue of a 1 GB file <= 50 ms', worst: fmt(catalogue), met: catalogue <= 50 },
      {
        target: 'first read of 20 variables (1 GB) <= 1.6x cat',
        worst: `${firstRead.toFixed(2)}x (first in a fresh process ${worst(big, (row) => row.firstReadVsCat).toFixed(2)}x)`,
        met: firstRead <= 1.6,
      },
      { target: 'peak RSS (1 GB) <= 300 MB', worst: `${rss.toFixed(0)} MB`, met: rss <= 300 }
    );
  }
  if (rows.length > 0) {
    const repeated = worst(rows, (row) => row.repeatedMs);
    checks.push({
      target: 'repeated reads of 20 variables @2000 points <= 5 ms',
      worst: fmt(repeated),
      met: repeated <= 5,
    });
  }
  return checks;
}

function formatTargets(checks: readonly TargetCheck[]): string {
  const width = Math.max(...checks.map((check) => check.target.length));
  const lines = checks.map(
    (check) => `  ${check.target.padEnd(width)}  worst ${check.worst}  ${check.met ? 'met' : 'NOT MET'}`
  );
  return ['targets (worst of the shapes measured):', ...lines].join('\n');
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      measure: { type: 'string' },
      only: { type: 'string' },
      dir: { type: 'string', default: path.join(REPO, '.bench') },
      'no-scipy': { type: 'boolean' },
      duration: { type: 'string' },
      workers: { type: 'string', default: '1' },
      minutes: { type: 'string', default: '10' },
    },
  });
  if (values.measure) {
    console.log(JSON.stringify(await measure(values.measure)));
    return;
  }
  const selected = values.only ? values.only.split(',') : [...Object.keys(SHAPES), ...EXTRA_BENCHES];
  const unknown = selected.filter((name) => !EXTRA_BENCHES.includes(name) && !SHAPES[name]);
  if (unknown.length > 0) {
    throw new Error(
      `unknown bench ${unknown.join(', ')}; known: ${[...Object.keys(SHAPES), ...EXTRA_BENCHES].join(', ')}`
    );
  }
  const names = selected.filter((name) => !EXTRA_BENCHES.includes(name));
  const durationSeconds = parseDuration(values.duration);
  mkdirSync(values.dir, { recursive: true });
  const rows: Array<ShapeRow & Record<string, string | number | undefined>> = [];
  for (const name of names) {
    const shape = SHAPES[name];
    if (!shape) {
      throw new Error(`unknown shape ${name}; known: ${Object.keys(SHAPES).join(', ')}`);
    }
    const file = path.join(values.dir, `${name}.mat`);
    if (!existsSync(file)) {
      const [ms] = await timeIt(() => writeBenchFile(file, shape));
      console.log(`generated ${file} in ${fmt(ms)}`);
    }
    const sizeMb = statSync(file).size / 1024 / 1024;
    const cat = catSeconds(file);
    const nodeRead = await nodeReadSeconds(file);
    const scipy = values['no-scipy'] ? undefined : scipySeconds(file);
    const m = measureInChild(file);
    const row = {
      file: name,
      sizeMb: Math.round(sizeMb),
      shape: `${shape.signals} x ${shape.steps} ${shape.precision}`,
      catMs: cat * 1000,
      nodeReadMs: nodeRead * 1000,
      scipyMs: scipy === undefined ? undefined : scipy * 1000,
      ...m,
      firstReadVsCat: m.firstReadMs / (cat * 1000),
      firstReadRunningVsCat: m.firstReadRunningMs / (cat * 1000),
    };
    rows.push(row);
    console.log(
      `${name} (${row.sizeMb} MB, ${row.shape}): cat ${fmt(row.catMs)}, node read ${fmt(row.nodeReadMs)}, ` +
        `scipy ${scipy === undefined ? 'n/a' : fmt(row.scipyMs!)}\n` +
        `  catalogue ${fmt(m.catalogueMs)} (warm ${fmt(m.catalogueWarmMs)}) | first read of ${VARIABLES_PER_QUERY} variables ${fmt(m.firstReadRunningMs)} = ${row.firstReadRunningVsCat.toFixed(2)}x cat` +
        ` (first in a fresh process ${fmt(m.firstReadMs)} = ${row.firstReadVsCat.toFixed(2)}x)` +
        `${scipy === undefined ? '' : ` (scipy ${(row.scipyMs! / m.firstReadRunningMs).toFixed(1)}x slower)`}\n` +
        `  per-variable layout built in ${fmt(m.layoutMs)} | repeated ${VARIABLES_PER_QUERY} other variables @${MAX_POINTS} points ${fmt(m.repeatedMs)}` +
        ` (first ${REPEATED_ROUNDS / 2} rounds ${fmt(m.repeatedFirstHalfMs)})` +
        ` | same variables again ${fmt(m.repeatedSameMs)} | at a new range ${fmt(m.newRangeMs)} | peak RSS ${m.peakRssMb.toFixed(0)} MB`
    );
  }
  const targets = checkTargets(rows);
  if (targets.length > 0) {
    console.log(formatTargets(targets));
  }
  let load: LoadBenchResult | undefined;
  if (selected.includes(LOAD)) {
    load = await runLoadBench({ dir: path.resolve(values.dir), durationSeconds, workers: Number(values.workers) });
    console.log(formatLoadResult(load));
  }
  let soak: LoadBenchResult | undefined;
  if (selected.includes(SOAK)) {
    const bigFile = path.join(values.dir, `${SOAK_FILE}.mat`);
    if (!existsSync(bigFile)) {
      await writeBenchFile(bigFile, SHAPES[SOAK_FILE]);
    }
    soak = await runLoadBench({
      dir: path.resolve(values.dir),
      durationSeconds: values.duration ? durationSeconds : SOAK_SECONDS,
      bigFile: path.resolve(bigFile),
      workers: Number(values.workers),
    });
    console.log(formatLoadResult(soak));
  }
  const index = selected.includes(INDEX) ? await benchIndex(path.resolve(values.dir)) : undefined;
  let backend: BackendBenchResult | undefined;
  if (selected.includes(BACKEND)) {
    backend = await benchBackend({ dir: path.resolve(values.dir), shapes: Object.keys(BACKEND_SHAPES) });
    console.log(formatBackendResult(backend));
    if (!backend.ran && values.only) {
      process.exitCode = 1;
    }
  }
  let compare: CompareBenchResult | undefined;
  if (selected.includes(COMPARE)) {
    compare = await benchCompare(path.resolve(values.dir));
    console.log(formatCompareBench(compare));
  }
  let live: LiveBenchResult | undefined;
  if (selected.includes(LIVE)) {
    live = await benchLive({ minutes: Number(values.minutes), latencySeconds: 30 });
    console.log(formatLiveBench(live));
  }
  const out = path.join(REPO, '.test-results', 'bench.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), rows, targets, load, soak, index, backend, compare, live }, null, 2));
  console.log(`\nwrote ${path.relative(REPO, out)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
