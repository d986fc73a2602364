import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { CaseGenerator, type FuzzCase } from './cases';
import { FuzzChild, type BatchEnd } from './child-process';
import { loadCorpus, prepareSeedFiles, type SeedFile } from './corpus';
import { DEFAULT_LIMITS, type FindingKind, type OracleLimits, type Outcome, type Stage } from './oracle';
import { caseDisplayName, type ChildMessage, type ChildSettings, type DecoderRef } from './protocol';
import { FindingStore, signatureOf, type Finding, type FuzzReport, type FuzzTotals } from './report';

export const DEFAULT_DECODER: DecoderRef = {
  module: path.resolve(__dirname, '../../src/engine/decoder/index.ts'),
  exportName: 'openResultFile',
};

export interface FuzzOptions {
  /** Run seed: with the same seed, corpus and decoder, case N is always the same bytes. */
  seed: string;
  /** Stop after this many cases... */
  cases?: number;
  /** ...or after this many seconds, whichever comes first (at least one of the two is needed). */
  seconds?: number;
  /** Time bound of one case. */
  timeoutMs?: number;
  /** Child processes decoding in parallel. */
  jobs?: number;
  batchSize?: number;
  decoder?: DecoderRef;
  limits?: OracleLimits;
  /** Where findings are saved; nothing is written when absent. */
  outDir?: string;
  /** Replaces the default corpus (real fixtures + generated seeds). */
  seedFiles?: SeedFile[];
  onProgress?: (totals: FuzzTotals, elapsedMs: number) => void;
  progressEveryMs?: number;
  onFinding?: (finding: Finding) => void;
  /** Stops taking new batches once this many findings are in (CI wants the first, not all of them). */
  maxFindings?: number;
}

/** Kinds that depend on timing or the machine's state: a finding only if a re-run in a fresh process repeats it. */
const RECHECKED: ReadonlySet<FindingKind> = new Set(['hang', 'crash', 'memory']);
/**
 * Past this many confirmed findings of one kind the decoder clearly has that bug: later ones are
 * kept without a re-run, which costs a child start and another full time bound per case.
 */
const MAX_RECHECKS_PER_KIND = 10;

type ResultMessage = Extract<ChildMessage, { type: 'result' }>;

class FuzzRun {
  readonly totals: FuzzTotals = { cases: 0, ok: 0, decodeErrors: {}, findings: 0 };
  readonly findings: Finding[] = [];
  readonly unconfirmed: FuzzReport['unconfirmed'] = [];
  /** Findings still being re-checked in a fresh child; the batch goes on meanwhile. */
  readonly pending: Array<Promise<void>> = [];
  /** Findings confirmed by a re-run, per kind. */
  private readonly confirmed = new Map<FindingKind, number>();
  private next = 0;
  private readonly started = Date.now();
  private readonly store: FindingStore;
  private readonly limit: number;
  private readonly deadline: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly options: FuzzOptions,
    private readonly settings: ChildSettings,
    readonly generator: CaseGenerator
  ) {
    if (options.cases === undefined && options.seconds === undefined) {
      throw new Error('fuzz needs a case count or a duration');
    }
    this.store = new FindingStore(options.outDir);
    this.limit = options.cases ?? Number.MAX_SAFE_INTEGER;
    this.deadline = options.seconds === undefined ? Infinity : this.started + options.seconds * 1000;
    this.timeoutMs = options.timeoutMs ?? 2000;
  }

  get elapsedMs(): number {
    return Date.now() - this.started;
  }

  /** The next batch of case indices, until the case count or the deadline is reached. */
  private claim(): [number, number] | undefined {
    const enough = this.totals.findings >= (this.options.maxFindings ?? Infinity);
    if (enough || this.next >= this.limit || Date.now() >= this.deadline) {
      return undefined;
    }
    const from = this.next;
    this.next = Math.min(this.limit, from + (this.options.batchSize ?? 50));
    return [from, this.next];
  }

  /** One lane: a child process that takes batches until there are none, replaced after a hang or crash. */
  async lane(): Promise<void> {
    let child = await FuzzChild.start(this.settings);
    try {
      for (let batch = this.claim(); batch; batch = this.claim()) {
        let from = batch[0];
        while (from < batch[1]) {
          const end: BatchEnd = await child.runBatch(from, batch[1], this.timeoutMs, (m) => this.record(m));
          if (end.kind === 'done') {
            break;
          }
          child.kill();
          await this.recordFailure(end);
          from = end.index + 1;
          child = await FuzzChild.start(this.settings);
        }
      }
    } finally {
      await child.stop();
    }
  }

  private record(m: ResultMessage): void {
    this.totals.cases++;
    const outcome: Outcome =
      m.ms > this.timeoutMs && m.outcome.kind !== 'finding'
        ? {
            kind: 'finding',
            finding: 'hang',
            stage: 'process',
            message: `took ${m.ms.toFixed(0)} ms, over the bound of ${this.timeoutMs} ms`,
          }
        : m.outcome;
    if (outcome.kind === 'ok') {
      this.totals.ok++;
    } else if (outcome.kind === 'decode-error') {
      this.totals.decodeErrors[outcome.code] = (this.totals.decodeErrors[outcome.code] ?? 0) + 1;
    } else {
      this.pending.push(this.addFinding(m.index, outcome.finding, outcome.stage, outcome.message, outcome.stack, m.ms));
    }
  }

  private async recordFailure(end: Exclude<BatchEnd, { kind: 'done' }>): Promise<void> {
    this.totals.cases++;
    const message =
      end.kind === 'hang'
        ? `no result within ${this.timeoutMs} ms; the child was killed`
        : `the child process died: ${end.detail}`;
    await this.addFinding(end.index, end.kind, 'process', message, undefined, undefined);
  }

  private async addFinding(
    index: number,
    kind: FindingKind,
    stage: Stage,
    message: string,
    stack?: string,
    ms?: number
  ): Promise<void> {
    const fuzzCase = this.generator.make(index);
    const confirmed = await this.confirm(fuzzCase, kind, message, stack);
    if (!confirmed) {
      return;
    }
    ({ message, stack } = confirmed);
    const displayName = caseDisplayName(index, fuzzCase.seedName);
    const finding: Finding = {
      rootSeed: this.options.seed,
      index,
      seedName: fuzzCase.seedName,
      mutations: fuzzCase.mutations,
      kind,
      stage,
      message,
      stack,
      ms,
      sizeBytes: fuzzCase.bytes.length,
      displayName,
      signature: signatureOf(kind, stage, message, stack, displayName),
    };
    finding.savedAs = this.store.save(finding, fuzzCase);
    this.totals.findings++;
    this.findings.push(finding);
    this.options.onFinding?.(finding);
  }

  /** Hangs, crashes and memory findings count only if a re-run repeats them (up to a cap, see above). */
  private async confirm(
    fuzzCase: FuzzCase,
    kind: FindingKind,
    message: string,
    stack: string | undefined
  ): Promise<{ message: string; stack?: string } | undefined> {
    if (!RECHECKED.has(kind)) {
      return { message, stack };
    }
    const confirmed = this.confirmed.get(kind) ?? 0;
    if (confirmed >= MAX_RECHECKS_PER_KIND) {
      return { message: `${message} (not re-run: ${confirmed} ${kind} findings confirmed already)`, stack };
    }
    const recheck = await this.recheck(fuzzCase, kind);
    if (!recheck.recurred) {
      this.unconfirmed.push({ index: fuzzCase.index, kind, message });
      return undefined;
    }
    this.confirmed.set(kind, confirmed + 1);
    return { message, stack: stack ?? recheck.stack };
  }

  /**
   * Re-runs one case alone in a fresh child: does it hang, crash or blow memory again? The child
   * has its inspector open, so a case that hangs again is paused and its stack kept.
   */
  private async recheck(fuzzCase: FuzzCase, kind: FindingKind): Promise<{ recurred: boolean; stack?: string }> {
    const file = path.join(this.settings.workDir, `recheck-${fuzzCase.index}${fuzzCase.ext}`);
    writeFileSync(file, fuzzCase.bytes);
    const child = await FuzzChild.start({ ...this.settings, inspect: kind === 'hang' });
    try {
      const end = await child.replay(file, caseDisplayName(fuzzCase.index, fuzzCase.seedName), this.timeoutMs);
      if (end.kind === 'hang') {
        return { recurred: kind === 'hang', stack: end.stack };
      }
      if (end.kind === 'crash') {
        return { recurred: kind === 'crash' };
      }
      const slow = end.ms > this.timeoutMs;
      return {
        recurred: (kind === 'hang' && slow) || (end.outcome.kind === 'finding' && end.outcome.finding === kind),
      };
    } finally {
      child.kill();
      rmSync(file, { force: true });
    }
  }
}

/**
 * Runs the fuzzer: builds the corpus, starts `jobs` child processes and feeds them batches of
 * case indices until the case count or the time is up. Never throws for a finding; only for a
 * broken harness (corpus, child start-up).
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'simviz-fuzz-'));
  try {
    const seeds = options.seedFiles ?? (await prepareSeedFiles(workDir));
    const corpus = loadCorpus(seeds);
    const generator = new CaseGenerator(corpus, options.seed);
    const settings: ChildSettings = {
      rootSeed: options.seed,
      seeds,
      decoder: options.decoder ?? DEFAULT_DECODER,
      workDir,
      limits: options.limits ?? DEFAULT_LIMITS,
    };
    const run = new FuzzRun(options, settings, generator);
    const progress = setInterval(
      () => options.onProgress?.(run.totals, run.elapsedMs),
      options.progressEveryMs ?? 5000
    );
    try {
      await Promise.all(Array.from({ length: Math.max(1, options.jobs ?? 1) }, () => run.lane()));
      await Promise.all(run.pending);
    } finally {
      clearInterval(progress);
    }
    return {
      ...run.totals,
      rootSeed: options.seed,
      elapsedMs: run.elapsedMs,
      corpusSize: corpus.length,
      sweepLength: generator.sweepLength,
      findingList: [...run.findings].sort((a, b) => a.index - b.index),
      unconfirmed: run.unconfirmed,
    };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

export interface ReplayResult {
  outcome: Outcome | { kind: 'hang'; stack?: string } | { kind: 'crash'; detail: string };
  ms?: number;
}

/** Decodes one saved file in a child process under the same oracles and time bound. */
export async function replayFile(
  file: string,
  displayName: string,
  options: { timeoutMs?: number; decoder?: DecoderRef; limits?: OracleLimits } = {}
): Promise<ReplayResult> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'simviz-fuzz-replay-'));
  const child = await FuzzChild.start({
    rootSeed: 'replay',
    seeds: [],
    decoder: options.decoder ?? DEFAULT_DECODER,
    workDir,
    limits: options.limits ?? DEFAULT_LIMITS,
    inspect: true,
  });
  try {
    const end = await child.replay(file, displayName, options.timeoutMs ?? 2000);
    return end.kind === 'done' ? { outcome: end.outcome, ms: end.ms } : { outcome: end };
  } finally {
    child.kill();
    rmSync(workDir, { recursive: true, force: true });
  }
}
