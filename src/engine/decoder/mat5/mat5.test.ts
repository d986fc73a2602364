import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { realFixture } from '../../../../tests/support/fixtures';
import { withFile } from '../file-source';
import { DecodeError, openResultFile, type ResultFile } from '../index';
import { MAT5_MAX_BYTES, openMat5Result } from './index';
import { writeMatFilesWithScipy } from '../../../../tests/support/scipy-writer';

async function valuesOf(file: ResultFile, name: string): Promise<number[]> {
  const variable = file.findVariable(name);
  if (!variable) {
    throw new Error(`${file.displayName} has no ${name}`);
  }
  const [values] = await file.readValues([variable], 0, file.timePointCount);
  return Array.from(values);
}

const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

/** Everything a MATLAB/scipy file may hold: usable variables and the kinds that must be skipped. */
const ALL_KINDS = `{
  'time': np.arange(11) * 0.1,
  'x': (np.arange(11) * 0.1) ** 2,
  'col': (np.arange(11) * 3.0).reshape(11, 1),
  'M': np.column_stack([np.arange(11) * 1.0, np.arange(11) * 2.0, np.arange(11) * 3.0]),
  'R': np.vstack([np.arange(11) * -1.0, np.arange(11) * 0.5]),
  'st': {'a': np.arange(11) + 1.0, 'inner': {'b': np.arange(11) * 4.0, 'gain': 2.5}, 'label': 'abc'},
  'k': 3.5,
  'n': np.int32(7),
  'flag': np.array([True, False] * 5 + [True]),
  'u8': np.arange(11, dtype=np.uint8),
  'big': np.arange(11, dtype=np.int64) * 1000,
  'text': 'hello',
  'unicode': 'Temperatur in °C',
  'cells': np.array([1.0, 2.0], dtype=object),
  'z': np.arange(11) * (1 + 1j),
  'short': np.arange(5.0),
  'cube': np.zeros((11, 2, 2)),
  'empty': np.zeros((0, 0)),
  'sp': sparse.eye(3).tocsc(),
  'spv': sparse.csc_matrix(np.ones((1, 11))),
  'obj': MatlabObject(np.array([[(np.arange(11.0),)]], dtype=[('v', 'O')]), 'myclass'),
}`;

let dir: string;
const file = (name: string): string => path.join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'simviz-mat5-'));
  writeMatFilesWithScipy([
    { path: file('all.mat'), variables: ALL_KINDS, compress: false },
    { path: file('all-compressed.mat'), variables: ALL_KINDS, compress: true },
    {
      path: file('no-time.mat'),
      variables: `{'a': np.arange(4.0), 'b': np.arange(4.0) * 2, 'c': np.arange(7.0), 'sample': 1.0}`,
      compress: true,
    },
    { path: file('t.mat'), variables: `{'y': np.arange(3.0) * 5, 't': np.array([0.0, 0.5, 0.5])}`, compress: false },
    {
      path: file('decreasing-time.mat'),
      variables: `{'time': np.array([2.0, 1.0, 0.0]), 'y': np.arange(3.0)}`,
      compress: false,
    },
    {
      path: file('nothing.mat'),
      variables: `{'k': 1.0, 's': 'text', 'c': np.array([1.0, 2.0], dtype=object)}`,
      compress: true,
    },
    { path: file('zeros.mat'), variables: `{'time': np.arange(2.0), 'z': np.zeros(200000)}`, compress: true },
  ]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('MAT v5 real fixture', () => {
  // Reference values read from the same file with scipy 1.17.1:
  // scipy.io.loadmat('matv5_missing_aclass.mat')['noi'][0,0]['Data'][0,0]['sig1'].ravel()[40:50] etc.
  const NOI_SIG1_40_TO_49 = [
    0.04256476595945414, -0.009815451870066785, -0.06070156524358223, 0.00038936636503804475, 0.0028549145942381895,
    0.012661432550740329, 0.019993026711859135, 0.05112336586856439, -0.021912645876846312, 0.010432335955162984,
  ];
  const NOI_SIG2_40_TO_42 = [-0.0005270668749404624, -0.0232105600856781, 0.08545233691221235];

  it('decodes the MATLAB 5.0 file: struct fields of length 50 over noi.Time, T_s as a parameter', async () => {
    const result = await openResultFile(realFixture('matv5_missing_aclass.mat'), 'matv5_missing_aclass.mat');
    expect(result.format).toBe('mat5');
    expect(result.timePointCount).toBe(50);
    expect(result.variables.map((v) => `${v.name}:${v.kind}`)).toEqual([
      'noi.Time:time',
      'T_s:parameter',
      'noi.Data.sig1:trajectory',
      'noi.Data.sig2:trajectory',
      'ref.Time:trajectory',
      'ref.Data.sig1:trajectory',
      'ref.Data.sig2:trajectory',
      'dis.Time:trajectory',
      'dis.Data.sig1:trajectory',
      'dis.Data.sig2:trajectory',
    ]);
    expect(Array.from(await result.readTime())).toEqual(range(50, (i) => i + 1));
    expect(result.findVariable('T_s')?.value).toBe(0.1);
    expect((await valuesOf(result, 'noi.Data.sig1')).slice(40)).toEqual(NOI_SIG1_40_TO_49);
    expect((await valuesOf(result, 'noi.Data.sig1')).slice(0, 40)).toEqual(range(40, () => 0));
    expect((await valuesOf(result, 'noi.Data.sig2')).slice(40, 43)).toEqual(NOI_SIG2_40_TO_42);
    expect(await valuesOf(result, 'ref.Data.sig1')).toEqual(range(50, (i) => (i < 20 ? 0 : 1)));
    expect(await valuesOf(result, 'dis.Data.sig1')).toEqual(range(50, (i) => (i < 30 ? 0 : -0.1)));
  });
});

describe.each([
  ['uncompressed', 'all.mat'],
  ['compressed', 'all-compressed.mat'],
])('MAT v5 written by scipy (%s)', (_kind, name) => {
  let result: ResultFile;
  beforeAll(async () => {
    result = await openResultFile(file(name), name);
  });

  it('lists vectors, matrix columns/rows and struct fields as trajectories and scalars as parameters', () => {
    expect(result.format).toBe('mat5');
    expect(result.timePointCount).toBe(11);
    expect(result.variables.map((v) => `${v.name}:${v.kind}:${v.valueType}`)).toEqual([
      'time:time:null',
      'x:trajectory:null',
      'col:trajectory:null',
      'M[1]:trajectory:null',
      'M[2]:trajectory:null',
      'M[3]:trajectory:null',
      'R[1]:trajectory:null',
      'R[2]:trajectory:null',
      'st.a:trajectory:null',
      'st.inner.b:trajectory:null',
      'st.inner.gain:parameter:null',
      'k:parameter:null',
      'n:parameter:Integer',
      'flag:trajectory:Boolean',
      'u8:trajectory:Integer',
      'big:trajectory:Integer',
    ]);
    expect(result.variables[0].unit).toBe('s');
  });

  it('gives the values scipy wrote', async () => {
    expect(Array.from(await result.readTime())).toEqual(range(11, (i) => i * 0.1));
    expect(await valuesOf(result, 'x')).toEqual(range(11, (i) => (i * 0.1) ** 2));
    expect(await valuesOf(result, 'col')).toEqual(range(11, (i) => i * 3));
    expect(await valuesOf(result, 'M[3]')).toEqual(range(11, (i) => i * 3));
    expect(await valuesOf(result, 'R[1]')).toEqual(range(11, (i) => i * -1));
    expect(await valuesOf(result, 'R[2]')).toEqual(range(11, (i) => i * 0.5));
    expect(await valuesOf(result, 'st.a')).toEqual(range(11, (i) => i + 1));
    expect(await valuesOf(result, 'st.inner.b')).toEqual(range(11, (i) => i * 4));
    expect(await valuesOf(result, 'flag')).toEqual(range(11, (i) => (i % 2 === 0 ? 1 : 0)));
    expect(await valuesOf(result, 'big')).toEqual(range(11, (i) => i * 1000));
    expect(result.findVariable('st.inner.gain')?.value).toBe(2.5);
    expect(result.findVariable('n')?.value).toBe(7);
  });

  it('skips text, cells, complex, sparse, N-D, empty, objects and vectors of another length', () => {
    for (const skipped of ['st.label', 'text', 'unicode', 'cells', 'z', 'short', 'cube', 'empty', 'sp', 'spv', 'obj']) {
      expect(result.findVariable(skipped)).toBeUndefined();
    }
  });
});

describe('MAT v5 abscissa', () => {
  it('uses the sample index over the most common vector length when there is no time', async () => {
    const result = await openResultFile(file('no-time.mat'));
    expect(result.variables.map((v) => `${v.name}:${v.kind}:${v.unit}`)).toEqual([
      '_sample:time:null',
      'a:trajectory:null',
      'b:trajectory:null',
      'sample:parameter:null',
    ]);
    expect(Array.from(await result.readTime())).toEqual([0, 1, 2, 3]);
    expect(await valuesOf(result, 'b')).toEqual([0, 2, 4, 6]);
  });

  it('takes `t` as time and keeps duplicated stamps', async () => {
    const result = await openResultFile(file('t.mat'));
    expect(result.variables[0]).toMatchObject({ name: 't', kind: 'time' });
    expect(Array.from(await result.readTime())).toEqual([0, 0.5, 0.5]);
    expect(await valuesOf(result, 'y')).toEqual([0, 5, 10]);
  });

  it('does not take a decreasing vector named time as the abscissa', async () => {
    const result = await openResultFile(file('decreasing-time.mat'));
    expect(result.variables.map((v) => `${v.name}:${v.kind}`)).toEqual([
      'sample:time',
      'time:trajectory',
      'y:trajectory',
    ]);
  });

  it('reports a file without anything to plot, naming what it skipped', async () => {
    await expect(openResultFile(file('nothing.mat'), 'nothing.mat')).rejects.toMatchObject({
      code: 'not_a_trajectory',
      message:
        'nothing.mat: MAT v5 file without a real numeric vector or matrix to use as a trajectory (1 scalars; skipped "s" (text), "c" (cell array))',
    });
  });
});

describe('MAT v5 size bound', () => {
  it('refuses files above the bound before reading them', async () => {
    expect(MAT5_MAX_BYTES).toBe(64 * 1024 * 1024);
    const failure = withFile(file('all.mat'), 'all.mat', (source) => openMat5Result(source, { maxBytes: 1024 }));
    await expect(failure).rejects.toMatchObject({
      code: 'unsupported_format',
      message: expect.stringMatching(
        /^all\.mat: MAT v5 files above 0\.000977 MiB are not supported: mat-for-js builds them in memory \(this one is 0\.\d+ MiB\)$/
      ),
    });
  });

  it('refuses compressed files that inflate beyond the bound', async () => {
    const failure = withFile(file('zeros.mat'), 'zeros.mat', (source) =>
      openMat5Result(source, { maxBytes: 1024 * 1024 })
    );
    await expect(failure).rejects.toMatchObject({
      code: 'unsupported_format',
      message:
        'zeros.mat: MAT v5 files holding more than 1 MiB once decompressed are not supported: mat-for-js builds them in memory',
    });
  });
});

describe('MAT v5 damage', () => {
  /** Opens `bytes` as a file and returns what happened: a result or a DecodeError, anything else is a failure. */
  async function outcome(bytes: Uint8Array, scratch: string): Promise<'ok' | DecodeError> {
    await writeFile(scratch, bytes);
    try {
      await openResultFile(scratch, 'damaged.mat');
      return 'ok';
    } catch (error) {
      if (error instanceof DecodeError) {
        expect(error.message.startsWith('damaged.mat: ')).toBe(true);
        return error;
      }
      throw error;
    }
  }

  /** mulberry32: a small seeded generator, so that a failing flip can be replayed. */
  function seeded(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it('reads a bare empty-array tag (MATLAB writes [] so) without misreading what follows', async () => {
    const original = await readFile(file('all.mat'));
    const bareEmpty = Buffer.from([14, 0, 0, 0, 0, 0, 0, 0]);
    expect(await outcome(Buffer.concat([original, bareEmpty]), file('bare-empty.mat'))).toBe('ok');
  });

  it.each(['all.mat', 'all-compressed.mat'])('gives only DecodeErrors for %s cut at any length', async (name) => {
    const original = await readFile(file(name));
    const started = Date.now();
    let errors = 0;
    for (let length = 0; length < original.length; length += length < 200 ? 1 : 7) {
      errors += (await outcome(original.subarray(0, length), file('cut.mat'))) === 'ok' ? 0 : 1;
    }
    expect(errors).toBeGreaterThan(100);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it.each([
    ['all.mat', 1],
    ['all-compressed.mat', 2],
  ])('gives only DecodeErrors or results for %s with flipped bits (seed %d)', async (name, seed) => {
    const original = await readFile(file(name));
    const random = seeded(seed);
    const started = Date.now();
    const codes = new Set<string>();
    for (let flip = 0; flip < 300; flip++) {
      const damaged = Buffer.from(original);
      // Flip one to three bits after the sniffed header, where the decoder, not the sniffer, must cope.
      for (let bit = 0; bit < 1 + Math.floor(random() * 3); bit++) {
        const at = 128 + Math.floor(random() * (damaged.length - 128));
        damaged[at] ^= 1 << Math.floor(random() * 8);
      }
      const result = await outcome(damaged, file('flipped.mat'));
      codes.add(result === 'ok' ? 'ok' : result.code);
    }
    expect(codes.has('corrupt')).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
