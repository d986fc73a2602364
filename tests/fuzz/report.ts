import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { FuzzCase } from './cases';
import type { FindingKind, Stage } from './oracle';

export interface Finding {
  rootSeed: string;
  index: number;
  seedName: string;
  mutations: string[];
  kind: FindingKind;
  stage: Stage;
  message: string;
  stack?: string;
  ms?: number;
  sizeBytes: number;
  displayName: string;
  /** Same signature = very likely the same bug; used to group and to limit saved files. */
  signature: string;
  /** The saved bytes, when an output folder was given and this signature was not saved too often. */
  savedAs?: string;
}

export interface FuzzTotals {
  cases: number;
  ok: number;
  decodeErrors: Record<string, number>;
  findings: number;
}

export interface FuzzReport extends FuzzTotals {
  rootSeed: string;
  elapsedMs: number;
  corpusSize: number;
  sweepLength: number;
  findingList: Finding[];
  /** Hangs, crashes and memory findings that did not happen again when the case was re-run. */
  unconfirmed: Array<{ index: number; kind: FindingKind; message: string }>;
}

/** Files saved per signature: a systematic bug must not fill the disk with copies of itself. */
const MAX_SAVED_PER_SIGNATURE = 5;

/** The top two frames outside the fuzzer, without positions (they move with every edit of the decoder). */
function topFrames(stack: string | undefined): string {
  const frames = (stack ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at ') && !line.includes('/fuzz/') && !line.includes('node:internal'));
  return frames
    .slice(0, 2)
    .map((frame) => frame.replace(/^at /, '').replace(/ \(.*\)$/, ''))
    .join(' < ');
}

/** Kind, stage, message with numbers and the case name blanked, and where it was thrown. */
export function signatureOf(
  kind: FindingKind,
  stage: Stage,
  message: string,
  stack: string | undefined,
  displayName: string
): string {
  const text = message
    .split(displayName)
    .join('<file>')
    .replace(/-?\d+(\.\d+)?/g, 'N');
  return [kind, stage, text, topFrames(stack)].join(' | ');
}

export class FindingStore {
  private readonly savedPerSignature = new Map<string, number>();

  constructor(private readonly outDir: string | undefined) {}

  /** Writes the case's bytes and a JSON description next to them; returns the bytes' path. */
  save(finding: Finding, fuzzCase: FuzzCase): string | undefined {
    const saved = this.savedPerSignature.get(finding.signature) ?? 0;
    if (!this.outDir || saved >= MAX_SAVED_PER_SIGNATURE) {
      return undefined;
    }
    this.savedPerSignature.set(finding.signature, saved + 1);
    mkdirSync(this.outDir, { recursive: true });
    const stem = `${finding.kind}-${sanitize(finding.rootSeed)}-${finding.index}`;
    const bytesPath = path.join(this.outDir, `${stem}${fuzzCase.ext}`);
    writeFileSync(bytesPath, fuzzCase.bytes);
    const replay = `npx tsx scripts/fuzz.ts --replay ${path.relative(process.cwd(), bytesPath)}`;
    writeFileSync(
      path.join(this.outDir, `${stem}.json`),
      JSON.stringify({ ...finding, savedAs: bytesPath, replay }, null, 2)
    );
    return bytesPath;
  }
}

function sanitize(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40);
}

export function formatDecodeErrors(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort(([, a], [, b]) => b - a);
  return entries.length === 0 ? 'none' : entries.map(([code, n]) => `${code} ${n}`).join(', ');
}

export function formatProgress(totals: FuzzTotals, elapsedMs: number): string {
  const rate = totals.cases / Math.max(elapsedMs / 1000, 1e-3);
  const errors = Object.values(totals.decodeErrors).reduce((a, b) => a + b, 0);
  return `[${(elapsedMs / 1000).toFixed(0)}s] ${totals.cases} cases (${rate.toFixed(0)}/s): ok ${totals.ok}, DecodeError ${errors}, findings ${totals.findings}`;
}

/** The one line a CI log needs. */
export function formatSummary(report: FuzzReport): string {
  const seconds = report.elapsedMs / 1000;
  const rate = report.cases / Math.max(seconds, 1e-3);
  return (
    `fuzz summary: seed ${report.rootSeed}, ${report.cases} cases in ${seconds.toFixed(1)} s (${rate.toFixed(1)} cases/s); ` +
    `decoded ok ${report.ok}; DecodeError by code: ${formatDecodeErrors(report.decodeErrors)}; ` +
    `findings ${report.findings} (${groupFindings(report.findingList).length} distinct)` +
    (report.unconfirmed.length > 0 ? `; unconfirmed timeouts/crashes ${report.unconfirmed.length}` : '')
  );
}

export function groupFindings(
  findings: readonly Finding[]
): Array<{ signature: string; count: number; first: Finding }> {
  const groups = new Map<string, { signature: string; count: number; first: Finding }>();
  for (const finding of findings) {
    const group = groups.get(finding.signature);
    if (group) {
      group.count++;
    } else {
      groups.set(finding.signature, { signature: finding.signature, count: 1, first: finding });
    }
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

/** A finding as a report paragraph: where it came from, what happened, and how to replay it. */
export function formatFinding(finding: Finding, count = 1): string {
  const lines = [
    `${finding.kind} at ${finding.stage} (${count} case${count === 1 ? '' : 's'}): ${finding.message}`,
    `  case ${finding.index} of seed ${finding.rootSeed}: seed file ${finding.seedName}, ${finding.sizeBytes} bytes`,
    ...finding.mutations.map((m) => `  mutation: ${m}`),
  ];
  if (finding.stack) {
    lines.push(
      ...finding.stack
        .split('\n')
        .slice(0, 8)
        .map((l) => `  | ${l}`)
    );
  }
  if (finding.savedAs) {
    lines.push(`  replay: npx tsx scripts/fuzz.ts --replay ${path.relative(process.cwd(), finding.savedAs)}`);
  }
  return lines.join('\n');
}
