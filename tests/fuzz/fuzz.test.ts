import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { realFixture } from '../support/fixtures';
import type { FindingKind } from './oracle';
import type { DecoderRef } from './protocol';
import { formatFinding, groupFindings, type FuzzReport } from './report';
import { runFuzz } from './runner';
import { buildSweep } from './cases';
import { loadCorpus, type SeedFile } from './corpus';
import { writeResultFile } from '../../src/engine/writer/mat4-writer';

const REPO = path.resolve(__dirname, '../..');
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

describe('the whole systematic sweep over small seeds', () => {
  let dir: string;
  afterAll(() => rm(dir, { recursive: true, force: true }));

  // The CI run above ends inside the sweep for its large corpus; on two small files the sweep ends:
  // every cut, every record resized to 0 and 2^31-1, ten bad type codes per record, mrows, ncols,
  // imagf and namlen set to 0, -1, 2^31-1 and 2^30 in every record, then the structural edits.
  it('finds nothing when every header field of every record is 0, -1, 2^31-1 or 2^30', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'simviz-sweep-'));
    const bigEndian = path.join(dir, 'big-endian-binNormal.mat');
    await writeResultFile(
      bigEndian,
      {
        startTime: 0,
        stopTime: 1,
        variables: [
          { kind: 'parameter', name: 'p', value: 2 },
          { kind: 'trajectory', name: 'x', unit: 'K' },
          { kind: 'alias', name: 'y', of: 'x', negate: true },
        ],
        options: { byteOrder: 'big', layout: 'binNormal', precision: 'float64' },
      },
      { time: [0, 0.5, 1], trajectories: { x: [1, 2, 3] } }
    );
    const seedFiles: SeedFile[] = [
      { name: 'om119_bouncingball.mat', path: realFixture('om119_bouncingball.mat') },
      { name: 'big-endian-binNormal.mat', path: bigEndian },
    ];
    const sweepLength = buildSweep(loadCorpus(seedFiles)).length;
    // Even case numbers walk the sweep, odd ones are random stacks: twice its length covers it.
    const report = await runFuzz({ seed: 'sweep', cases: 2 * sweepLength, seedFiles, timeoutMs: 2000, maxFindings: 3 });
    expect(describeFindings(report)).toBe('');
    expect(report.sweepLength).toBe(sweepLength);
    expect(sweepLength).toBeGreaterThan(200);
    expect(Object.values(report.decodeErrors).reduce((a, b) => a + b, 0)).toBeGreaterThan(sweepLength / 2);
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
