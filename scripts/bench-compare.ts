/**
 * The regression comparison's speed and memory (src/engine/compare): 20 variables of a 1 GB run
 * against a 1 GB reference, against the decoder's own read of those 20 variables from both files
 * (all rows, in the comparison's chunks). Targets: compare <= 2x read-both, peak RSS < 300 MB.
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
 * The default tolerances but half a step (0.5 s) in time: the default, 0.2 % of the 1.25e6 s
 * duration, spans hundreds of periods of these curves and would let any run pass.
 */
const TOLERANCES = resolveTolerances({ time: 0.5 });
const ROUNDS = 3;

type Phase = 'read' | 'compare';

interface PhaseMeasurement {
  ms: number;
  peakRssMb: number;
  /** What the phase found: values read, or the comparison's verdict. */
  detail: string;
}

export interface CompareBenchResult {
  shape: string;
  sizeMb: number;
  variables: number;
  readBothMs: number;
  compareMs: number;
  ratio: number;
  readPeakRssMb: number;
  comparePeakRssMb: number;
  detail: string;
  targets: Array<{ target: string; value: string; met: boolean }>;
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
    const result = await compareRuns(run, reference, { variables, tolerances: TOLERANCES, maxIntervals: 10 });
    const failing = result.variables.filter((v) => v.status !== 'pass').length;
    const worst = Math.max(...result.variables.map((v) => v.worst?.relative ?? 0));
    detail = `${result.passed ? 'passed' : 'failed'}, ${failing} of ${variables.length} failing, worst relative ${worst.toFixed(3)}`;
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

/** Writes (or reuses) the run and its reference in `dir`, then measures both phases, alternating. */
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
  const compares: PhaseMeasurement[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    reads.push(measureInChild('read', runPath, referencePath));
    compares.push(measureInChild('compare', runPath, referencePath));
  }
  const readBothMs = median(reads.map((m) => m.ms));
  const compareMs = median(compares.map((m) => m.ms));
  const ratio = compareMs / readBothMs;
  const comparePeakRssMb = Math.max(...compares.map((m) => m.peakRssMb));
  return {
    shape: `${SHAPE_NAME} (${SHAPE.signals} x ${SHAPE.steps} ${SHAPE.precision}) x 2`,
    sizeMb: Math.round((statSync(runPath).size + statSync(referencePath).size) / 1e6),
    variables: VARIABLES,
    readBothMs,
    compareMs,
    ratio,
    readPeakRssMb: Math.max(...reads.map((m) => m.peakRssMb)),
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

export function formatCompareBench(result: CompareBenchResult): string {
  return [
    `compare: ${result.shape}, ${result.sizeMb} MB, ${result.variables} variables`,
    `  read both ${result.readBothMs.toFixed(0)} ms (peak RSS ${result.readPeakRssMb.toFixed(0)} MB) | compare ${result.compareMs.toFixed(0)} ms (peak RSS ${result.comparePeakRssMb.toFixed(0)} MB) = ${result.ratio.toFixed(2)}x`,
    `  ${result.detail}`,
    ...result.targets.map((t) => `  ${t.met ? 'MET    ' : 'NOT MET'} ${t.target}: ${t.value}`),
  ].join('\n');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { dir: { type: 'string', default: '.bench' }, measure: { type: 'string' } },
    allowPositionals: true,
  });
  if (values.measure) {
    const measured = await measurePhase(values.measure as Phase, positionals[0], positionals[1]);
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
