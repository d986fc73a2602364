/**
 * Cross-check against an independent reader: Debian's python3-scipy (scipy.io.loadmat) reads the
 * raw matrices of generated files; applying the Atrajectory rules (dataInfo block and signed column)
 * to them must give exactly the decoder's values, bit for bit.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { scipyPython } from '../../../tests/support/python';
import { writeResultFile, type ResultSpec, type VariableSpec, type WriterOptions } from '../writer/mat4-writer';
import { openResultFile } from './index';

interface ScipyView {
  orientation: string;
  names: string[];
  dataInfo: number[][];
  data1: string[][];
  data2: string[][];
}

const SCIPY_SCRIPT = `
import json, struct, sys
import scipy.io
m = scipy.io.loadmat(sys.argv[1], chars_as_strings=False)
aclass = [''.join(row).split('\\0')[0].strip() for row in m['Aclass']]
trans = aclass[3] == 'binTrans'
chars = m['name']
count = chars.shape[1] if trans else chars.shape[0]
names = [''.join(chars[:, j] if trans else chars[j, :]).split('\\0')[0].rstrip() for j in range(count)]
bits = lambda matrix: [[struct.pack('>d', float(x)).hex() for x in row] for row in matrix.astype('float64')]
print(json.dumps({
  'orientation': aclass[3],
  'names': names,
  'dataInfo': m['dataInfo'].astype('float64').tolist(),
  'data1': bits(m['data_1']) if 'data_1' in m else [],
  'data2': bits(m['data_2']),
}))
`;

function readWithScipy(file: string): ScipyView {
  const result = spawnSync(scipyPython(), ['-c', SCIPY_SCRIPT, file], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(
      `python3 with scipy is needed for this cross-check (Debian: apt-get install python3-scipy): ${result.error?.message ?? result.stderr}`
    );
  }
  return JSON.parse(result.stdout) as ScipyView;
}

function fromBits(hex: string): number {
  return Buffer.from(hex, 'hex').readDoubleBE(0);
}

function bitsOf(value: number): string {
  const buffer = Buffer.alloc(8);
  buffer.writeDoubleBE(value);
  return buffer.toString('hex');
}

/** The values scipy's raw matrices give for variable `i`, by the Atrajectory rules. */
function expectedValues(view: ScipyView, i: number): number[] {
  const trans = view.orientation === 'binTrans';
  const [block, k] = trans ? [view.dataInfo[0][i], view.dataInfo[1][i]] : [view.dataInfo[i][0], view.dataInfo[i][1]];
  const sign = k < 0 ? -1 : 1;
  const signal = i === 0 || block === 0 ? 0 : Math.abs(k) - 1;
  const matrix = block === 1 ? view.data1 : view.data2;
  const samples = trans ? matrix[0]?.length ?? 0 : matrix.length;
  const raw = Array.from({ length: block === 1 ? 1 : samples }, (_, t) => fromBits(trans ? matrix[signal][t] : matrix[t][signal]));
  return raw.map((v) => (sign < 0 ? -v : v));
}

/** Deterministic awkward values: signed zeros, subnormals, infinities, huge and tiny magnitudes. */
function awkwardValues(count: number, seed: number): number[] {
  const special = [0, -0, Infinity, -Infinity, 5e-324, -1e-310, 1.7976931348623157e308, 3.4028234663852886e38, 1e-45, -1e-40];
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: count }, (_, i) => (i % 7 === 3 ? special[i % special.length] : (random() - 0.5) * 10 ** Math.floor(random() * 12 - 6)));
}

const SPEC_VARIABLES: VariableSpec[] = [
  { kind: 'parameter', name: 'p.R', description: 'Resistance', unit: 'Ohm', value: 4.7 },
  { kind: 'parameter', name: 'p.zero', description: 'Zero', value: 0 },
  { kind: 'trajectory', name: 'x', description: 'First state', unit: 'm' },
  { kind: 'trajectory', name: 'y[1, 2]', description: 'Matrix element', unit: 'K', displayUnit: 'degC' },
  { kind: 'alias', name: 'minus_x', of: 'x', negate: true },
  { kind: 'alias', name: 'same_y', of: 'y[1, 2]' },
  { kind: 'alias', name: 'minus_zero', of: 'p.zero', negate: true },
  { kind: 'alias', name: 'minus_R', of: 'p.R', negate: true },
];

const VARIANTS: Array<[string, WriterOptions]> = [
  ['Dymola binTrans float32', {}],
  ['binTrans float64', { precision: 'float64' }],
  ['binNormal float64', { layout: 'binNormal', precision: 'float64' }],
  ['binNormal float32', { layout: 'binNormal' }],
  ['big-endian float64', { byteOrder: 'big', precision: 'float64' }],
  ['big-endian float32 OpenModelica', { byteOrder: 'big', flavour: 'openmodelica' }],
  ['float64 text and dataInfo', { textType: 'float64', dataInfoType: 'float64', precision: 'float64', data1Samples: 1 }],
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'simviz-scipy-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('bit-for-bit agreement with scipy.io.loadmat', () => {
  it.each(VARIANTS)('%s', async (label, options) => {
    const file = path.join(dir, `${label.replace(/\W+/g, '_')}.mat`);
    const time = [0, 0.25, 0.5, 0.5, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9];
    const spec: ResultSpec = { startTime: 0, stopTime: 9, variables: SPEC_VARIABLES, options };
    await writeResultFile(file, spec, {
      time,
      trajectories: { x: awkwardValues(time.length, 1), 'y[1, 2]': awkwardValues(time.length, 2) },
    });
    const view = readWithScipy(file);
    const decoded = await openResultFile(file);
    expect(decoded.variables.map((v) => v.name)).toEqual(view.names);
    for (const [i, name] of view.names.entries()) {
      const variable = decoded.findVariable(name)!;
      const expected = expectedValues(view, i).map(bitsOf);
      if (variable.kind === 'parameter') {
        expect([name, bitsOf(variable.value!)]).toEqual([name, expected[0]]);
      } else {
        const [values] = await decoded.readValues([variable], 0, decoded.timePointCount);
        expect([name, Array.from(values, bitsOf)]).toEqual([name, expected]);
      }
    }
  });
});
