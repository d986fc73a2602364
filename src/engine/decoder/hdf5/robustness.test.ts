import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DecodeError } from '../errors';
import { withFile } from '../file-source';
import { configureHdf5Worker, openHdf5Result, shutdownHdf5Worker } from '.';
import { writeHdf5Fixtures } from '../../../../tests/support/hdf5-fixtures';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'simviz-hdf5-fuzz-'));
  writeHdf5Fixtures(dir);
}, 60_000);

afterAll(async () => {
  await shutdownHdf5Worker();
  await rm(dir, { recursive: true, force: true });
});

// A looping library is stopped after this long; corrupt inputs can make HDF5 loop forever.
beforeEach(() => configureHdf5Worker({ timeoutMs: 3000 }));
afterEach(() => configureHdf5Worker({}));

type Kind = 'mat73' | 'hdf5';

/** Opens a file and reads all of it; resolves to the error code, or 'ok'. Any other error rejects. */
async function decodeFully(file: string, kind: Kind): Promise<string> {
  try {
    const result = await withFile(file, path.basename(file), (source) => openHdf5Result(source, kind));
    await result.readTime();
    await result.readValues(result.variables, 0, result.timePointCount);
    return 'ok';
  } catch (error) {
    if (error instanceof DecodeError && error.message.startsWith(`${path.basename(file)}: `)) {
      return error.code;
    }
    throw error;
  }
}

async function contentOf(file: string, kind: Kind): Promise<unknown> {
  const result = await withFile(file, path.basename(file), (source) => openHdf5Result(source, kind));
  const values = await result.readValues(result.variables, 0, result.timePointCount);
  return {
    variables: result.variables,
    time: Array.from(await result.readTime()),
    values: values.map((v) => Array.from(v)),
  };
}

/** xorshift32: the same flips on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
}

const CASES = 150;

describe.each([
  ['small-sdf.h5', 'hdf5'],
  ['small.mat', 'mat73'],
] as const)('corrupted copies of %s', (name, kind) => {
  let original: Buffer;
  let expected: unknown;
  let variants: string;

  beforeAll(async () => {
    original = await readFile(path.join(dir, name));
    expected = await contentOf(path.join(dir, name), kind);
    variants = path.join(dir, `${name}-variants`);
    await mkdir(variants);
  });

  it(`fails every one of ${CASES} truncations with a DecodeError`, async () => {
    const outcomes: string[] = [];
    for (let k = 0; k < CASES; k++) {
      const file = path.join(variants, `cut-${k}`);
      await writeFile(file, original.subarray(0, Math.floor((k * original.length) / CASES)));
      outcomes.push(await decodeFully(file, kind));
    }
    expect(outcomes.filter((outcome) => outcome === 'ok')).toEqual([]);
    expect(outcomes).toContain('truncated');
  }, 300_000);

  it(`answers ${CASES} seeded bit flips with values or a DecodeError, never anything else`, async () => {
    const random = seededRandom(kind === 'hdf5' ? 0x5eed : 0xbeef);
    const outcomes = new Map<string, number>();
    for (let k = 0; k < CASES; k++) {
      const bytes = Buffer.from(original);
      bytes[Math.floor(random() * bytes.length)] ^= 1 << Math.floor(random() * 8);
      const file = path.join(variants, `flip-${k}`);
      await writeFile(file, bytes);
      const outcome = await decodeFully(file, kind);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    expect(outcomes.get('ok')).toBeGreaterThan(0);
    expect([...outcomes.keys()].filter((outcome) => outcome !== 'ok').length).toBeGreaterThan(0);
  }, 300_000);

  it('still decodes the intact file exactly afterwards', async () => {
    expect(await contentOf(path.join(dir, name), kind)).toEqual(expected);
  });
});

it('reads a file rewritten in place after a failed read as the new file, not from stale library state', async () => {
  const damaged = await readFile(path.join(dir, 'checksummed.h5'));
  const sample = Buffer.alloc(8);
  sample.writeDoubleLE(12345.678);
  damaged[damaged.indexOf(sample) + 3] ^= 0x10;
  const file = path.join(dir, 'rewritten.h5');
  await writeFile(file, damaged);
  const opened = await withFile(file, 'rewritten.h5', (source) => openHdf5Result(source, 'hdf5'));
  await expect(opened.readValues(opened.variables, 0, opened.timePointCount)).rejects.toThrow(
    'rewritten.h5: cannot read dataset "/x" (HDF5: filter returned failure during read)'
  );
  // The library keeps the failed file open; the same inode with other contents must not reuse it.
  await writeFile(file, await readFile(path.join(dir, 'small-sdf.h5')));
  expect(await contentOf(file, 'hdf5')).toEqual(await contentOf(path.join(dir, 'small-sdf.h5'), 'hdf5'));
});
