import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { writeResultFile } from '../../engine/writer/mat4-writer';

import { simulateBouncingBall } from './models/bouncing-ball';
import { RLC_DEFAULTS, simulateRlcCircuit } from './models/rlc-circuit';
import { simulateSpringDamper } from './models/spring-damper';
import { simulateTwoZoneBuilding } from './models/two-zone-building';
import { formatResultFileName, numberTag, type ResultFileName } from './naming';
import type { ExampleResult } from './result';

export interface ExampleFile {
  /** Topic folder below the output directory; gives the demo data a little structure. */
  folder: string;
  name: ResultFileName;
  simulate: () => ExampleResult;
  /** The run this one is checked against (regression check): written into its sidecar. */
  reference?: ExampleFile;
  tags?: string[];
}

const SWEEP_DAMPINGS = [0.5, 1, 2, 4];

function bouncingBall(e: number, stamp: string): ExampleFile {
  return {
    folder: 'mechanics',
    name: { model: 'BouncingBall', experiment: 'drop', condition: `e${numberTag(e)}`, stamp },
    simulate: () => simulateBouncingBall({ e }),
  };
}

function springDamperRun(d: number, index: number): ExampleFile {
  // Consecutive runs of one sweep, a minute apart, as a batch job would start them.
  const stamp = `20261103_10${String(index).padStart(2, '0')}00`;
  return {
    folder: 'sweep',
    name: { model: 'SpringDamper', experiment: 'sweep', condition: `d${numberTag(d)}`, stamp },
    simulate: () => simulateSpringDamper({ d }),
  };
}

/**
 * A nightly regression story: a reference run of the RLC circuit, a nightly run that reproduces it
 * and one whose resistor drifted by 15 % (it leaves the tolerance tube around the step response).
 */
const RLC_REFERENCE: ExampleFile = {
  folder: 'regression',
  name: { model: 'RLCCircuit', experiment: 'step', condition: 'reference', stamp: '20261101_000000' },
  simulate: () => simulateRlcCircuit(),
  tags: ['reference'],
};

function rlcNightly(condition: string, stamp: string, resistanceFactor: number): ExampleFile {
  return {
    folder: 'regression',
    name: { model: 'RLCCircuit', experiment: 'step', condition, stamp },
    simulate: () => simulateRlcCircuit({ R: RLC_DEFAULTS.R * resistanceFactor }),
    reference: RLC_REFERENCE,
    tags: ['nightly'],
  };
}

export const EXAMPLE_FILES: readonly ExampleFile[] = [
  bouncingBall(0.8, '20261101_090000'),
  bouncingBall(0.5, '20261101_093000'),
  {
    folder: 'electrical',
    name: { model: 'RLCCircuit', experiment: 'step', condition: 'underdamped', stamp: '20261101_091500' },
    simulate: () => simulateRlcCircuit(),
  },
  {
    folder: 'buildings',
    name: { model: 'TwoZoneBuilding', experiment: 'winter', condition: 'thermostat', stamp: '20261102_080000' },
    simulate: () => simulateTwoZoneBuilding(),
  },
  ...SWEEP_DAMPINGS.map(springDamperRun),
  RLC_REFERENCE,
  rlcNightly('nightly', '20261104_020000', 1),
  rlcNightly('drifted', '20261105_020000', 1.15),
];

export function examplePath(outDir: string, file: ExampleFile): string {
  return path.join(outDir, file.folder, formatResultFileName(file.name));
}

/** `<file>.json` with the run's reference and tags. */
async function writeSidecar(outDir: string, target: string, file: ExampleFile): Promise<void> {
  if (!file.reference && !file.tags) {
    return;
  }
  // Beside the run (`./`): the examples folder may sit anywhere below the data root (`npm start` serves `data/`).
  const reference = file.reference && `./${path.relative(path.dirname(target), examplePath(outDir, file.reference)).split(path.sep).join('/')}`;
  await writeFile(`${target}.json`, JSON.stringify({ reference, tags: file.tags }, null, 2) + '\n');
}

/** Simulates every example and writes it below `outDir`; returns the written paths. */
export async function generateExamples(outDir: string): Promise<string[]> {
  const written: string[] = [];
  for (const file of EXAMPLE_FILES) {
    const target = examplePath(outDir, file);
    await mkdir(path.dirname(target), { recursive: true });
    const { spec, data } = file.simulate();
    await writeResultFile(target, spec, data);
    await writeSidecar(outDir, target, file);
    written.push(target);
  }
  return written;
}
