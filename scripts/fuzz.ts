/**
 * Mutation fuzzer for the result-file decoder (see tests/fuzz/).
 *
 *   npm run fuzz -- [--seconds N] [--cases N] [--seed S] [--out DIR] [--jobs N] [--timeout MS]
 *   npm run fuzz -- --replay FILE      (a saved finding: its bytes or its .json)
 *
 * Exits 1 when there are findings (or the replayed file is still a finding), 0 otherwise.
 */
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { formatFinding, formatProgress, formatSummary, groupFindings, type Finding } from '../tests/fuzz/report';
import { replayFile, runFuzz, type ReplayResult } from '../tests/fuzz/runner';

const REPO = path.resolve(__dirname, '..');

function options() {
  return parseArgs({
    options: {
      seconds: { type: 'string' },
      cases: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string', default: path.join(REPO, '.test-results', 'fuzz') },
      jobs: { type: 'string', default: '1' },
      timeout: { type: 'string', default: '2000' },
      replay: { type: 'string' },
    },
    strict: true,
  }).values;
}

function positive(value: string | undefined, name: string): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new Error(`--${name} must be a positive number, got "${value}"`);
  }
  return n;
}

async function fuzz(args: ReturnType<typeof options>): Promise<number> {
  const cases = positive(args.cases, 'cases');
  const seconds = positive(args.seconds, 'seconds') ?? (cases === undefined ? 60 : undefined);
  const seed = args.seed ?? String(randomInt(1, 2 ** 31));
  const jobs = positive(args.jobs, 'jobs') ?? 1;
  const budget = [cases !== undefined ? `${cases} cases` : '', seconds !== undefined ? `${seconds} s` : '']
    .filter(Boolean)
    .join(' or ');
  console.log(`fuzz: seed ${seed}, ${budget}, ${jobs} job(s), findings to ${path.relative(REPO, args.out) || '.'}`);
  const report = await runFuzz({
    seed,
    cases,
    seconds,
    jobs,
    timeoutMs: positive(args.timeout, 'timeout'),
    outDir: args.out,
    progressEveryMs: 10_000,
    onProgress: (totals, elapsedMs) => console.log(formatProgress(totals, elapsedMs)),
    onFinding: (f: Finding) =>
      console.log(`finding: ${f.kind} at ${f.stage} in case ${f.index} (${f.seedName}): ${f.message}`),
  });
  console.log(
    `corpus: ${report.corpusSize} seeds, systematic sweep of ${report.sweepLength} cases (on even case numbers)`
  );
  for (const group of groupFindings(report.findingList)) {
    console.log(`\n${formatFinding(group.first, group.count)}`);
  }
  for (const u of report.unconfirmed) {
    console.log(`unconfirmed ${u.kind} in case ${u.index} (did not recur when re-run alone): ${u.message}`);
  }
  console.log(`\n${formatSummary(report)}`);
  return report.findings > 0 ? 1 : 0;
}

interface SavedFinding {
  displayName?: string;
  savedAs?: string;
  rootSeed?: string;
  index?: number;
  seedName?: string;
  mutations?: string[];
  kind?: string;
  message?: string;
}

/** The bytes and, when present, the JSON saved with them; either file may be given. */
function locateFinding(file: string): { bytesPath: string; meta: SavedFinding } {
  const dir = path.dirname(file);
  const stem = path.basename(file, path.extname(file));
  const jsonPath = path.join(dir, `${stem}.json`);
  const meta: SavedFinding = existsSync(jsonPath) ? (JSON.parse(readFileSync(jsonPath, 'utf8')) as SavedFinding) : {};
  if (!file.endsWith('.json')) {
    return { bytesPath: file, meta };
  }
  if (!meta.savedAs) {
    throw new Error(`${file} does not name the saved bytes (savedAs)`);
  }
  // Findings may have been moved since they were saved: look next to the JSON first.
  const beside = path.join(dir, path.basename(meta.savedAs));
  return { bytesPath: existsSync(beside) ? beside : meta.savedAs, meta };
}

function describeReplay(result: ReplayResult): { text: string; finding: boolean } {
  const { outcome } = result;
  const ms = result.ms === undefined ? '' : ` in ${result.ms.toFixed(1)} ms`;
  switch (outcome.kind) {
    case 'ok':
      return {
        text: `decoded ok${ms}: ${outcome.variables} variables, ${outcome.timePoints} time points`,
        finding: false,
      };
    case 'decode-error':
      return { text: `DecodeError ${outcome.code} at ${outcome.stage}${ms} (accepted)`, finding: false };
    case 'finding':
      return {
        text: `FINDING ${outcome.finding} at ${outcome.stage}${ms}: ${outcome.message}\n${outcome.stack ?? ''}`,
        finding: true,
      };
    case 'hang':
      return {
        text: `FINDING hang: no result within the time bound; stack when paused:\n${outcome.stack ?? '(unknown)'}`,
        finding: true,
      };
    case 'crash':
      return { text: `FINDING crash: ${outcome.detail}`, finding: true };
  }
}

async function replay(file: string, timeoutMs: number | undefined): Promise<number> {
  const { bytesPath, meta } = locateFinding(path.resolve(file));
  if (meta.index !== undefined) {
    console.log(
      `finding ${meta.kind} from case ${meta.index} of seed ${meta.rootSeed} (seed file ${meta.seedName}): ${meta.message}`
    );
    meta.mutations?.forEach((m) => console.log(`  mutation: ${m}`));
  }
  const displayName = meta.displayName ?? path.basename(bytesPath);
  const { text, finding } = describeReplay(await replayFile(bytesPath, displayName, { timeoutMs }));
  console.log(`replay of ${path.relative(REPO, bytesPath)}: ${text}`);
  return finding ? 1 : 0;
}

async function main(): Promise<number> {
  const args = options();
  return args.replay ? replay(args.replay, positive(args.timeout, 'timeout')) : fuzz(args);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(2);
  }
);
