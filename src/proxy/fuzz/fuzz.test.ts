import path from 'node:path';

import { realFixture } from '../testing/fixtures';
import type { FindingKind } from './oracle';
import type { DecoderRef } from './protocol';
import { formatFinding, groupFindings, type FuzzReport } from './report';
import { runFuzz } from './runner';

const REPO = path.resolve(__dirname, '../../..');
const FAKES = path.join(__dirname, 'fake-decoders.ts');

/** Fixed: the same cases on every run, so a red build is a decoder change, not luck. */
const CI_SEED = 'ci-1';
const CI_CASES = 4000;

function describeFindings(report: FuzzReport): string {
  return groupFindings(report.findingList)
    .map((group) => formatFinding(group.first, group.count))
    .join('\n\n');
}

function fake(exportName: string): DecoderRef {
  return { module: FAKES, exportName };
}

describe('decoder fuzzing', () => {
  it(`finds nothing in ${CI_CASES} cases of seed ${CI_SEED}`, async () => {
    const report = await runFuzz({
      seed: CI_SEED,
      cases: CI_CASES,
      timeoutMs: 2000,
      // The first findings say enough; each hang costs seconds to confirm.
      maxFindings: 3,
      outDir: path.join(REPO, '.test-results', 'fuzz-ci'),
    });
    // Comparing the text (not a count) puts seed, mutations and stack into the failure message.
    expect(describeFindings(report)).toBe('');
    expect(report.cases).toBe(CI_CASES);
    expect(report.ok).toBeGreaterThan(0);
  }, 120_000);
});

describe('the fuzzer reports a decoder that breaks a contract', () => {
  // One small real seed keeps these runs fast; what matters is the decoder, not the input.
  const seedFiles = [{ name: 'om119_bouncingball.mat', path: realFixture('om119_bouncingball.mat') }];

  it.each<[string, FindingKind]>([
    ['throwsTypeError', 'exception'],
    ['wrapsException', 'wrapped-exception'],
    ['badMessage', 'bad-message'],
    ['wrongLengths', 'length'],
    ['allocatesHugely', 'memory'],
    ['strayRejection', 'exception'],
  ])(
    '%s: a %s finding in every case',
    async (exportName, kind) => {
      // A generous case timeout: these check how a finding is classified, and filling 256 MiB of
      // fresh pages on a loaded 2-core machine once took long enough to be re-run as a hang.
      const report = await runFuzz({ seed: 'oracle', cases: 2, decoder: fake(exportName), seedFiles, timeoutMs: 20_000 });
      expect(report.findingList.map((f) => f.kind)).toEqual([kind, kind]);
    },
    60_000
  );

  it('hangs: a hang finding with the stack it was stuck in, and the run goes on', async () => {
    const report = await runFuzz({ seed: 'oracle', cases: 2, timeoutMs: 500, decoder: fake('hangs'), seedFiles });
    expect(report.findingList.map((f) => [f.kind, f.index])).toEqual([
      ['hang', 0],
      ['hang', 1],
    ]);
    expect(report.findingList[0].stack).toContain('at hangs');
  }, 60_000);

  it('neverSettles: a hang finding, although the process is idle', async () => {
    const report = await runFuzz({
      seed: 'oracle',
      cases: 1,
      timeoutMs: 500,
      decoder: fake('neverSettles'),
      seedFiles,
    });
    expect(report.findingList.map((f) => f.kind)).toEqual(['hang']);
  }, 60_000);

  it('accepts a decoder whose only failure is a DecodeError naming the file', async () => {
    const report = await runFuzz({ seed: 'oracle', cases: 20, decoder: fake('alwaysDecodeError'), seedFiles });
    expect(report.findingList).toEqual([]);
    expect(report.decodeErrors).toEqual({ corrupt: 20 });
  }, 60_000);
});
