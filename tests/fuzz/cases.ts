import type { Seed } from './corpus';
import { truncate, type Mutated } from './mutate-bytes';
import {
  boundaries,
  canResize,
  duplicateRecord,
  INT32_EDGES,
  removeRecord,
  resizeRecord,
  setField,
} from './mutate-records';
import { mutateSeed } from './mutations';
import { caseRng } from './prng';
import { HEADER_FIELDS } from './records';

/** One generated input: which seed it came from and what was done to it, enough to explain a finding. */
export interface FuzzCase {
  index: number;
  seedName: string;
  ext: string;
  bytes: Uint8Array;
  mutations: string[];
}

interface SweepItem {
  seed: number;
  apply: (seed: Seed) => Mutated;
}

/** The systematic part: type codes the sweep writes into every header, besides the random ones. */
const SWEEP_TYPE_CODES = [4053, 9999, -1, 2000, 3000, 4000, 60, 90, 2, 1000];
const SWEEP_FIELD_VALUES = INT32_EDGES.slice(0, 4);

function truncationItems(seed: Seed): Array<SweepItem['apply']> {
  const marks = boundaries(seed.records, seed.bytes.length);
  marks.push([seed.bytes.length - 1, 'last byte missing']);
  return marks.map(([at, where]) => () => ({
    bytes: truncate(seed.bytes, at),
    description: `truncate to ${at} bytes (${where})`,
  }));
}

function typeCodeItems(seed: Seed): Array<SweepItem['apply']> {
  return seed.records.flatMap((record) =>
    SWEEP_TYPE_CODES.map((code) => () => setField(seed.bytes, record, 'type', code))
  );
}

function headerFieldItems(seed: Seed): Array<SweepItem['apply']> {
  return seed.records.flatMap((record) =>
    HEADER_FIELDS.filter((f) => f !== 'type').flatMap((field) =>
      SWEEP_FIELD_VALUES.map((value) => () => setField(seed.bytes, record, field, value))
    )
  );
}

/** Zero-width and zero-count text, and a transposed matrix, with the data resized to keep the walk in step. */
function resizeItems(seed: Seed): Array<SweepItem['apply']> {
  return seed.records.flatMap((record) =>
    [
      [0, 0x7fffffff],
      [0x7fffffff, 0],
      [record.cols, record.rows],
    ]
      .filter(([rows, cols]) => canResize(seed.bytes, record, rows, cols))
      .map(
        ([rows, cols]) =>
          () =>
            resizeRecord(seed.bytes, record, rows, cols) ?? { bytes: seed.bytes, description: 'unchanged' }
      )
  );
}

function structureItems(seed: Seed): Array<SweepItem['apply']> {
  return seed.records.flatMap((record, i) => [
    () => removeRecord(seed.bytes, record),
    () => duplicateRecord(seed.bytes, seed.records, i, Math.min(record.end, seed.bytes.length)),
    () => {
      const zeroRows = setField(seed.bytes, record, 'mrows', 0);
      const hugeCols = setField(zeroRows.bytes, record, 'ncols', 0x7fffffff);
      return { bytes: hugeCols.bytes, description: `${zeroRows.description}; ${hugeCols.description}` };
    },
    () => {
      const zeroCols = setField(seed.bytes, record, 'ncols', 0);
      const hugeRows = setField(zeroCols.bytes, record, 'mrows', 0x7fffffff);
      return { bytes: hugeRows.bytes, description: `${zeroCols.description}; ${hugeRows.description}` };
    },
  ]);
}

/** Group by group (truncations first), seeds taken in turn within a group so short runs see every seed. */
export function buildSweep(corpus: readonly Seed[]): SweepItem[] {
  const groups = [truncationItems, resizeItems, typeCodeItems, headerFieldItems, structureItems];
  const sweep: SweepItem[] = [];
  for (const group of groups) {
    const perSeed = corpus.map((seed, i) => ({ i, items: seed.kind === 'mat4' ? group(seed) : [] }));
    const longest = Math.max(0, ...perSeed.map((s) => s.items.length));
    for (let k = 0; k < longest; k++) {
      for (const { i, items } of perSeed) {
        if (k < items.length) {
          sweep.push({ seed: i, apply: items[k] });
        }
      }
    }
  }
  return sweep;
}

/** Small generated seeds are picked most: their headers are a larger share of their bytes. */
function seedWeight(seed: Seed): number {
  if (seed.kind === 'mat4') {
    return seed.name.startsWith('gen-') ? 3 : 2;
  }
  return seed.kind === 'csv' ? 2 : 1;
}

/**
 * Case `index` of a run is a pure function of the corpus, the run's seed and the index: even
 * indices walk the systematic sweep until it is exhausted, all others are random mutation stacks.
 */
export class CaseGenerator {
  private readonly sweep: SweepItem[];
  private readonly weights: ReadonlyArray<readonly [number, number]>;

  constructor(
    private readonly corpus: readonly Seed[],
    private readonly rootSeed: string
  ) {
    this.sweep = buildSweep(corpus);
    this.weights = corpus.map((seed, i) => [i, seedWeight(seed)] as const);
  }

  /** The file extensions cases can have (one per seed format). */
  get extensions(): string[] {
    return this.corpus.map((seed) => seed.ext);
  }

  get sweepLength(): number {
    return this.sweep.length;
  }

  make(index: number): FuzzCase {
    const sweepIndex = index / 2;
    if (index % 2 === 0 && sweepIndex < this.sweep.length) {
      const item = this.sweep[sweepIndex];
      const seed = this.corpus[item.seed];
      const mutated = item.apply(seed);
      return {
        index,
        seedName: seed.name,
        ext: seed.ext,
        bytes: mutated.bytes,
        mutations: [`sweep: ${mutated.description}`],
      };
    }
    const rng = caseRng(this.rootSeed, index);
    const seed = this.corpus[rng.weighted(this.weights)];
    const donor = rng.pick(this.corpus);
    const { bytes, mutations } = mutateSeed(seed, donor, rng);
    return { index, seedName: seed.name, ext: seed.ext, bytes, mutations };
  }
}
