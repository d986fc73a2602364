import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { realFixturesDir } from '../support/fixtures';
import {
  Mat4TrajectoryWriter,
  writeResultFile,
  type ResultData,
  type ResultSpec,
  type VariableSpec,
  type WriterOptions,
} from '../../src/engine/writer/mat4-writer';
import type { MutationSeed, SeedKind } from './mutations';
import { concatBytes, encodeRecord, walkRecords } from './records';

/** A seed on disk: the real fixtures are read in place, generated seeds live in the run's work folder. */
export interface SeedFile {
  name: string;
  path: string;
}

export interface Seed extends MutationSeed {
  ext: string;
}

const VARIABLES: VariableSpec[] = [
  { kind: 'parameter', name: 'm', description: 'Mass', unit: 'kg', value: 2.5 },
  { kind: 'parameter', name: 'n', valueType: 'Integer', value: 3 },
  { kind: 'trajectory', name: 'x', description: 'Position', unit: 'm', displayUnit: 'mm' },
  { kind: 'trajectory', name: 'der(x)', unit: 'm/s' },
  { kind: 'trajectory', name: 'on', valueType: 'Boolean' },
  { kind: 'alias', name: 'y', of: 'x' },
  { kind: 'alias', name: 'minusX', of: 'x', negate: true },
  { kind: 'alias', name: 'minusM', of: 'm', negate: true },
];

/** Six time points with one event (0.5 stored twice), as simulators write them. */
const TIME = [0, 0.25, 0.5, 0.5, 0.75, 1];

function sampleData(time: readonly number[]): ResultData {
  return {
    time,
    trajectories: {
      x: time.map((t) => t * t),
      'der(x)': time.map((t) => 2 * t),
      on: time.map((t, i) => (t > 0.5 || (t === 0.5 && time[i - 1] === 0.5) ? 1 : 0)),
    },
  };
}

function spec(options: WriterOptions, variables = VARIABLES): ResultSpec {
  return { variables, startTime: 0, stopTime: 1, options };
}

/** Every layout x precision x byte order x flavour, then the rarer element types. */
function writerVariants(): Array<[string, WriterOptions]> {
  const variants: Array<[string, WriterOptions]> = [];
  for (const layout of ['binTrans', 'binNormal'] as const) {
    for (const precision of ['float32', 'float64'] as const) {
      for (const byteOrder of ['little', 'big'] as const) {
        for (const flavour of ['dymola', 'openmodelica'] as const) {
          variants.push([`${layout}-${precision}-${byteOrder}-${flavour}`, { layout, precision, byteOrder, flavour }]);
        }
      }
    }
  }
  variants.push(
    ['binTrans-text-float64', { textType: 'float64' }],
    ['binNormal-text-float64-big', { layout: 'binNormal', textType: 'float64', byteOrder: 'big' }],
    ['binTrans-dataInfo-float64', { dataInfoType: 'float64', flavour: 'openmodelica' }],
    ['binNormal-dataInfo-float64', { layout: 'binNormal', dataInfoType: 'float64', precision: 'float64' }],
    ['binTrans-data1-one-sample', { data1Samples: 1 }],
    ['binNormal-data1-one-sample', { layout: 'binNormal', data1Samples: 1, flavour: 'openmodelica' }]
  );
  return variants;
}

async function writeVariantSeeds(dir: string): Promise<SeedFile[]> {
  const files: SeedFile[] = [];
  for (const [name, options] of writerVariants()) {
    const file = path.join(dir, `gen-${name}.mat`);
    await writeResultFile(file, spec(options), sampleData(TIME));
    files.push({ name: `gen-${name}.mat`, path: file });
  }
  return files;
}

/** Zero time points, no parameters, and simulations still running (data_2 ncols not yet patched). */
async function writeEdgeSeeds(dir: string): Promise<SeedFile[]> {
  const trajectoriesOnly = VARIABLES.filter((v) => v.kind === 'trajectory');
  const edges: Array<[string, (file: string) => Promise<void>]> = [
    ['gen-no-time-points.mat', (f) => writeResultFile(f, spec({}), sampleData([]))],
    ['gen-no-time-points-binNormal.mat', (f) => writeResultFile(f, spec({ layout: 'binNormal' }), sampleData([]))],
    [
      'gen-no-parameters.mat',
      (f) => writeResultFile(f, spec({ precision: 'float64' }, trajectoriesOnly), sampleData(TIME)),
    ],
    ['gen-running.mat', (f) => writeRunning(f, spec({ flavour: 'openmodelica', precision: 'float64' }), 4)],
    ['gen-running-empty.mat', (f) => writeRunning(f, spec({}), 0)],
  ];
  const files: SeedFile[] = [];
  for (const [name, write] of edges) {
    const file = path.join(dir, name);
    await write(file);
    files.push({ name, path: file });
  }
  return files;
}

async function writeRunning(file: string, resultSpec: ResultSpec, steps: number): Promise<void> {
  const writer = await Mat4TrajectoryWriter.create(file, resultSpec);
  const data = sampleData(TIME);
  for (let i = 0; i < steps; i++) {
    const t = TIME[i];
    await writer.writeStep(t, [data.trajectories.x[i], data.trajectories['der(x)'][i], data.trajectories.on[i]]);
  }
  await writer.abandon();
}

function textMatrixNormal(strings: string[]): { rows: number; cols: number; payload: Uint8Array } {
  const width = Math.max(1, ...strings.map((s) => s.length));
  const payload = new Uint8Array(width * strings.length);
  strings.forEach((s, r) => [...s].forEach((ch, c) => (payload[c * strings.length + r] = ch.charCodeAt(0))));
  return { rows: strings.length, cols: width, payload };
}

/** Atrajectory 1.0 ("export as plotted"): Aclass, names, data. The project's writer only writes 1.1. */
function version10Seed(): Uint8Array {
  const aclass = textMatrixNormal(['Atrajectory', '1.0', 'Stored by Dymola', 'binNormal']);
  const names = textMatrixNormal(['Time', 'x', 'y']);
  const data = new Float64Array(TIME.length * 3);
  TIME.forEach((t, i) => {
    data[i] = t;
    data[TIME.length + i] = t * t;
    data[2 * TIME.length + i] = 1 - t;
  });
  return concatBytes([
    encodeRecord('Aclass', 51, aclass.rows, aclass.cols, aclass.payload),
    encodeRecord('names', 51, names.rows, names.cols, names.payload),
    encodeRecord('data', 0, TIME.length, 3, new Uint8Array(data.buffer)),
  ]);
}

function csvRows(separator: string, quote: boolean, newline: string): string {
  const q = (s: string): string => (quote ? `"${s}"` : s);
  const header = ['time', 'x', 'der(x)', 'a[1,1]'].map(q).join(separator);
  const rows = TIME.map((t) => [t, t * t, 2 * t, -t].map(String).join(separator));
  return [header, ...rows].join(newline) + newline;
}

function writeTextSeeds(dir: string): SeedFile[] {
  const seeds: Array<[string, string | Uint8Array]> = [
    ['gen-openmodelica.csv', csvRows(',', true, '\n')],
    ['gen-semicolon.csv', csvRows(';', false, '\n').replace('a[1,1]', 'a[1;1]')],
    ['gen-crlf.csv', csvRows(',', true, '\r\n')],
    ['gen-v10.mat', version10Seed()],
  ];
  return seeds.map(([name, content]) => {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    return { name, path: file };
  });
}

/** The real .mat and .csv fixtures, read where they are (never copied into the repository). */
export function realSeedFiles(dir = realFixturesDir()): SeedFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.mat') || f.endsWith('.csv'))
    .sort()
    .map((name) => ({ name, path: path.join(dir, name) }));
}

/** Real fixtures plus the generated seeds, in a fixed order (case generation depends on it). */
export async function prepareSeedFiles(workDir: string): Promise<SeedFile[]> {
  const dir = path.join(workDir, 'seeds');
  mkdirSync(dir, { recursive: true });
  const generated = [...(await writeVariantSeeds(dir)), ...(await writeEdgeSeeds(dir)), ...writeTextSeeds(dir)];
  return [...realSeedFiles(), ...generated];
}

function kindOf(name: string, records: unknown[]): SeedKind {
  if (records.length > 0) {
    return 'mat4';
  }
  return name.endsWith('.csv') ? 'csv' : 'other';
}

export function loadCorpus(files: readonly SeedFile[]): Seed[] {
  return files.map(({ name, path: file }) => {
    const bytes = new Uint8Array(readFileSync(file));
    const records = walkRecords(bytes);
    return { name, ext: path.extname(name) || '.bin', bytes, records, kind: kindOf(name, records) };
  });
}
