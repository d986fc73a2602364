/**
 * The regression comparison's speed and memory (src/engine/compare): 20 variables of a 1 GB run
 * against a 1 GB reference, against the decoder's own read of those 20 variables from both files
 * (all rows, in the comparison's chunks), with a 0.5 s time tolerance and with the default tolerances.
 * Targets, for both: compare <= 2x read-both, peak RSS < 300 MB.
 *
 *   npx tsx scripts/bench-compare.ts [--dir .bench]
 *
 * Each measurement runs in a child process, so its peak RSS is its own.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { openResultFile, type ResultFile, type VariableInfo } from '../src/engine/decoder';
import { compareRuns, resolveTolerances } from '../src/engine/compare';
import { CHUNK_ROWS } from '../src/engine/compare/stream';
import { writeBenchFile, type BenchShape } from './bench/generate';

const SHAPE_NAME = 'long-1g-f64';
const SHAPE: BenchShape = { signals: 100, steps: 1_250_000, precision: 'float64' };
const VARIABLES = 20;
/** The reference differs from the run by 0.05 % of every value: inside the default 0.2 % tube. */
const REFERENCE_SCALE = 1.0005;
/**
 * The tolerances compared with. `0.5s`: the defaults but half a step (0.5 s) in time, a window
 * of one or two points (ConstantTube scans them). `defaults`: csv-compare's 0.2 % of the
 * 1.25e6 s duration, a window of 5001 points (ConstantTube keeps monotone deques); it spans
 * hundreds of periods of these curves and would let almost any run pass, but it is what a
 * request without tolerances gets, so it must be as fast.
 */
const SETTINGS = {
  '0.5s': { label: 'time tolerance 0.5 s', tolerances: resolveTolerances({ time: 0.5 }) },
  defaults: { label: 'defaults', tolerances: resolveTolerances({}) },
} as const;
type SettingName = keyof typeof SETTINGS;
const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];
const ROUNDS = 3;

/** What a child measures: the read of both files, or a comparison with one setting. */
type Phase = 'read' | SettingName;

interface PhaseMeasurement {
  ms: number;
  peakRssMb: number;
  /** What the phase found: values read, or the comparison's verdict. */
  detail: string;
}

interface Target {
  target: string;
  value: string;
  met: boolean;
}

/** One setting's comparison, against the read of both files. */
export interface CompareSettingResult {
  setting: SettingName;
  label: string;
  /** The time tolerance as given (null: relative to the duration). */
  timeTolerance: number | null;
  compareMs: number;
  ratio: number;
  comparePeakRssMb: number;
  detail: string;
  targets: Target[];
}

export interface CompareBenchResult {
  shape: string;
  sizeMb: number;
  variables: number;
  readBothMs: number;
  readPeakRssMb: number;
  settings: CompareSettingResult[];
  /** Every setting's targets, prefixed with its label. */
  targets: Target[];
}

/** Evenly spread trajectories, as the decoder bench picks them. */
function pickVariables(file: ResultFile): VariableInfo[] {
  const all = file.variables.filter((v) => v.kind === 'trajectory');
  const step = Math.max(1, Math.floor(all.length / VARIABLES));
  return Array.from({ length: VARIABLES }, (_, k) => all[(k * step + 3) % all.length]);
}

/** All rows of `variables`, in the comparison's chunks; returns a checksum so the work is kept. */
async function readAll(file: ResultFile, variables: VariableInfo[]): Promise<number> {
  let sum = 0;
  for (let first = 0; first < file.timePointCount; first += CHUNK_ROWS) {
    const columns = await file.readValues(variables, first, Math.min(file.timePointCount, first + CHUNK_ROWS));
    sum += columns.reduce((s, c) => s + c[0], 0);
  }
  return sum;
}

/** Runs in the child: one phase on fresh opens of both files. */
async function measurePhase(phase: Phase, runPath: string, referencePath: string): Promise<PhaseMeasurement> {
  const run = await openResultFile(runPath, path.basename(runPath));
  const reference = await openResultFile(referencePath, path.basename(referencePath));
  const runVariables = pickVariables(run);
  const started = performance.now();
  let detail: string;
  if (phase === 'read') {
    await run.readTime();
    await reference.readTime();
    const sum =
      (await readAll(run, runVariables)) +
      (await readAll(
        reference,
        runVariables.map((v) => reference.findVariable(v.name)!)
      ));
    detail = `checksum ${sum.toFixed(3)}`;
  } else {
    const variables = runVariables.map((v) => ({ name: v.name, run: v, reference: reference.findVariable(v.name) }));
    const { tolerances } = SETTINGS[phase];
    const result = await compareRuns(run, reference, { variables, tolerances, maxIntervals: 10 });
    const failing = result.variables.filter((v) => v.status !== 'pass').length;
    const worst = Math.max(...result.variables.map((v) => v.worst?.relative ?? 0));
    detail = `${result.passed ? 'passed' : 'failed'}, ${failing} of ${variables.length} failing, worst relative ${worst.toFixed(3)}, time tolerance ${result.timeTolerance} s`;
  }
  return { ms: performance.now() - started, peakRssMb: process.resourceUsage().maxRSS / 1024, detail };
}

function measureInChild(phase: Phase, runPath: string, referencePath: string): PhaseMeasurement {
  const result = spawnSync(
    process.execPath,
    [require.resolve('tsx/cli'), __filename, '--measure', phase, runPath, referencePath],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    }
  );
  const line = result.stdout.trim().split('\n').pop() ?? '';
  if (result.status !== 0 || !line.startsWith('{')) {
    throw new Error(`measuring the ${phase} phase failed`);
  }
  return JSON.parse(line) as PhaseMeasurement;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function settingResult(setting: SettingName, readBothMs: number, compares: PhaseMeasurement[]): CompareSettingResult {
  const compareMs = median(compares.map((m) => m.ms));
  const ratio = compareMs / readBothMs;
  const comparePeakRssMb = Math.max(...compares.map((m) => m.peakRssMb));
  return {
    setting,
    label: SETTINGS[setting].label,
    timeTolerance: SETTINGS[setting].tolerances.time,
    compareMs,
    ratio,
    comparePeakRssMb,
    detail: compares[compares.length - 1].detail,
    targets: [
      {
        target: 'compare 20 variables <= 2x reading them from both files',
        value: `${ratio.toFixed(2)}x`,
        met: ratio <= 2,
      },
      {
        target: 'peak RSS of the comparison < 300 MB',
        value: `${comparePeakRssMb.toFixed(0)} MB`,
        met: comparePeakRssMb < 300,
      },
    ],
  };
}

/** Writes (or reuses) the run and its reference in `dir`, then measures the read and every setting, alternating. */
export async function benchCompare(dir: string): Promise<CompareBenchResult> {
  mkdirSync(dir, { recursive: true });
  const runPath = path.join(dir, `compare-run-${SHAPE_NAME}.mat`);
  const referencePath = path.join(dir, `compare-reference-${SHAPE_NAME}.mat`);
  if (!existsSync(runPath)) {
    await writeBenchFile(runPath, SHAPE);
  }
  if (!existsSync(referencePath)) {
    await writeBenchFile(referencePath, SHAPE, { scale: REFERENCE_SCALE });
  }
  // A first read brings both files into the page cache, so every round reads from memory alike.
  measureInChild('read', runPath, referencePath);
  const reads: PhaseMeasurement[] = [];
  const compares = new Map<SettingName, PhaseMeasurement[]>(SETTING_NAMES.map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    reads.push(measureInChild('read', runPath, referencePath));
    for (const name of SETTING_NAMES) {
      compares.get(name)!.push(measureInChild(name, runPath, referencePath));
    }
  }
  const readBothMs = median(reads.map((m) => m.ms));
  const settings = SETTING_NAMES.map((name) => settingResult(name, readBothMs, compares.get(name)!));
  return {
    shape: `${SHAPE_NAME} (${SHAPE.signals} x ${SHAPE.steps} ${SHAPE.precision}) x 2`,
    sizeMb: Math.round((statSync(runPath).size + statSync(referencePath).size) / 1e6),
    variables: VARIABLES,
    readBothMs,
    readPeakRssMb: Math.max(...reads.map((m) => m.peakRssMb)),
    settings,
    targets: settings.flatMap((s) => s.targets.map((t) => ({ ...t, target: `${s.label}: ${t.target}` }))),
  };
}

export function formatCompareBench(result: CompareBenchResult): string {
  return [
    `compare: ${result.shape}, ${result.sizeMb} MB, ${result.variables} variables`,
    `  read both ${result.readBothMs.toFixed(0)} ms (peak RSS ${result.readPeakRssMb.toFixed(0)} MB)`,
    ...result.settings.flatMap((s) => [
      `  ${s.label}: compare ${s.compareMs.toFixed(0)} ms (peak RSS ${s.comparePeakRssMb.toFixed(0)} MB) = ${s.ratio.toFixed(2)}x`,
      `    ${s.detail}`,
      ...s.targets.map((t) => `    ${t.met ? 'MET    ' : 'NOT MET'} ${t.target}: ${t.value}`),
    ]),
  ].join('\n');
}

function phaseOf(name: string): Phase {
  if (name === 'read' || name in SETTINGS) {
    return name as Phase;
  }
  throw new Error(`unknown phase ${name} (read, ${SETTING_NAMES.join(', ')})`);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { dir: { type: 'string', default: '.bench' }, measure: { type: 'string' } },
    allowPositionals: true,
  });
  if (values.measure) {
    const measured = await measurePhase(phaseOf(values.measure), positionals[0], positionals[1]);
    console.log(JSON.stringify(measured));
    return;
  }
  console.log(formatCompareBench(await benchCompare(path.resolve(values.dir))));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
