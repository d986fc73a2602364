import {
  deleteRandomRange,
  duplicateChunk,
  flipBits,
  flipBytes,
  insertRandomBytes,
  textChangeSeparator,
  textDeleteLine,
  textDuplicateLine,
  textInsertToken,
  textReplaceNumber,
  textSwapLines,
  type Mutated,
} from './mutate-bytes';
import {
  mutateAclass,
  mutateCrossover,
  mutateDataValue,
  mutateDuplicateRecord,
  mutateHeaderField,
  mutateNameLength,
  mutateRecordName,
  mutateRemoveRecord,
  mutateResizeRecord,
  mutateSpliceRecord,
  mutateSwapRecords,
  mutateTruncateAtBoundary,
  mutateTruncateInside,
  mutateTypeCode,
  mutateZeroDimension,
  type RecordContext,
} from './mutate-records';
import type { Prng } from './prng';
import { walkRecords, type RecordSpan } from './records';

export type SeedKind = 'mat4' | 'csv' | 'other';

export interface MutationSeed {
  name: string;
  kind: SeedKind;
  bytes: Uint8Array;
  records: RecordSpan[];
}

type Operator = (ctx: RecordContext) => Mutated | undefined;

/** Flips land in headers and names more often than in data, where most bytes are just numbers. */
function offsetPicker(ctx: RecordContext): () => number {
  const { bytes, records, rng } = ctx;
  return () => {
    if (records.length > 0 && rng.chance(0.6)) {
      const r = rng.pick(records);
      const spanEnd = rng.chance(0.7) ? r.dataOffset : Math.min(r.end, r.dataOffset + 64);
      return Math.min(bytes.length - 1, r.offset + rng.int(Math.max(1, spanEnd - r.offset)));
    }
    return rng.int(bytes.length);
  };
}

const byteFlip: Operator = (ctx) => flipBytes(ctx.bytes, ctx.rng, offsetPicker(ctx));
const bitFlip: Operator = (ctx) => flipBits(ctx.bytes, ctx.rng, offsetPicker(ctx));
const insertBytes: Operator = (ctx) => insertRandomBytes(ctx.bytes, ctx.rng);
const deleteBytes: Operator = (ctx) => deleteRandomRange(ctx.bytes, ctx.rng);
const copyChunk: Operator = (ctx) => duplicateChunk(ctx.bytes, ctx.rng);
const text =
  (op: (bytes: Uint8Array, rng: Prng) => Mutated | undefined): Operator =>
  (ctx) =>
    op(ctx.bytes, ctx.rng);

const MAT4_OPERATORS: ReadonlyArray<readonly [Operator, number]> = [
  [mutateTruncateAtBoundary, 8],
  [mutateTruncateInside, 5],
  [byteFlip, 10],
  [bitFlip, 8],
  [mutateHeaderField, 14],
  [mutateTypeCode, 6],
  [mutateNameLength, 5],
  [mutateZeroDimension, 4],
  [mutateResizeRecord, 6],
  [mutateDataValue, 10],
  [mutateAclass, 3],
  [mutateRecordName, 4],
  [mutateDuplicateRecord, 3],
  [mutateRemoveRecord, 3],
  [mutateSwapRecords, 2],
  [mutateSpliceRecord, 4],
  [mutateCrossover, 3],
  [insertBytes, 2],
  [deleteBytes, 2],
  [copyChunk, 2],
];

const TEXT_OPERATORS: ReadonlyArray<readonly [Operator, number]> = [
  [mutateTruncateInside, 5],
  [text(textDeleteLine), 5],
  [text(textDuplicateLine), 5],
  [text(textSwapLines), 3],
  [text(textInsertToken), 10],
  [text(textReplaceNumber), 8],
  [text(textChangeSeparator), 4],
  [byteFlip, 6],
  [bitFlip, 4],
  [insertBytes, 2],
  [deleteBytes, 3],
  [copyChunk, 2],
  [mutateCrossover, 2],
];

const OTHER_OPERATORS: ReadonlyArray<readonly [Operator, number]> = [
  [mutateTruncateInside, 5],
  [byteFlip, 10],
  [bitFlip, 8],
  [insertBytes, 3],
  [deleteBytes, 3],
  [copyChunk, 3],
  [mutateCrossover, 3],
  [text(textInsertToken), 1],
];

const OPERATORS: Record<SeedKind, ReadonlyArray<readonly [Operator, number]>> = {
  mat4: MAT4_OPERATORS,
  csv: TEXT_OPERATORS,
  other: OTHER_OPERATORS,
};

/** One mutation; an operator that does not apply to these bytes falls back to a byte flip. */
export function mutateOnce(kind: SeedKind, ctx: RecordContext): Mutated {
  const operator = ctx.rng.weighted(OPERATORS[kind]);
  return operator(ctx) ?? byteFlip(ctx) ?? { bytes: ctx.bytes, description: 'unchanged (empty file)' };
}

/** Usually one mutation; stacks of two to six reach states no single change can. */
export function stackDepth(rng: Prng): number {
  return rng.weighted([
    [1, 60],
    [2, 25],
    [3, 10],
    [rng.range(4, 6), 5],
  ]);
}

export function mutateSeed(
  seed: MutationSeed,
  donor: MutationSeed,
  rng: Prng
): { bytes: Uint8Array; mutations: string[] } {
  let bytes = seed.bytes;
  let records = seed.records;
  const mutations: string[] = [];
  for (let depth = stackDepth(rng); depth > 0; depth--) {
    const result = mutateOnce(seed.kind, { bytes, records, rng, donor });
    bytes = result.bytes;
    mutations.push(result.description);
    records = walkRecords(bytes);
  }
  return { bytes, mutations };
}
