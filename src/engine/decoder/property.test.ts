/**
 * Property-based round trip: whatever the writer is given (names, units, aliases, values, layout,
 * precision, byte order), the decoder returns it exactly (float32 files: the float32 value).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import fc from 'fast-check';

import { writeResultFile, type VariableSpec, type WriterOptions } from '../writer/mat4-writer';
import { openResultFile } from './index';

let dir: string;
let counter = 0;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'simviz-property-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const nameArbitrary = fc
  .tuple(fc.stringMatching(/^[a-z][A-Za-z0-9_]{0,12}$/), fc.option(fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), { nil: undefined }), fc.option(fc.nat(20), { nil: undefined }))
  .map(([base, child, index]) => `${base}${child ? `.${child}` : ''}${index === undefined ? '' : `[${index + 1}]`}`);

const unitArbitrary = fc.option(fc.constantFrom('K', 'Pa', 'm/s', 'W', '1', 'kg/m3', 'rad'), { nil: undefined });

const optionsArbitrary: fc.Arbitrary<WriterOptions> = fc.record({
  layout: fc.constantFrom('binTrans' as const, 'binNormal' as const),
  precision: fc.constantFrom('float32' as const, 'float64' as const),
  byteOrder: fc.constantFrom('little' as const, 'big' as const),
  flavour: fc.constantFrom('dymola' as const, 'openmodelica' as const),
  textType: fc.constantFrom('uint8' as const, 'float64' as const),
  dataInfoType: fc.constantFrom('int32' as const, 'float64' as const),
  data1Samples: fc.constantFrom(1 as const, 2 as const),
});

interface Case {
  names: string[];
  parameters: number[];
  trajectories: number[][];
  aliases: Array<{ of: number; negate: boolean }>;
  units: Array<string | undefined>;
  time: number[];
  options: WriterOptions;
}

const caseArbitrary: fc.Arbitrary<Case> = fc
  .record({
    steps: fc.nat(12),
    parameterCount: fc.nat(3),
    trajectoryCount: fc.integer({ min: 1, max: 4 }),
    aliasCount: fc.nat(3),
    options: optionsArbitrary,
  })
  .chain(({ steps, parameterCount, trajectoryCount, aliasCount, options }) => {
    const total = parameterCount + trajectoryCount + aliasCount;
    return fc.record({
      names: fc.uniqueArray(nameArbitrary, { minLength: total, maxLength: total, selector: (n) => n.toLowerCase() }),
      parameters: fc.array(fc.double(), { minLength: parameterCount, maxLength: parameterCount }),
      trajectories: fc.array(fc.array(fc.double(), { minLength: steps, maxLength: steps }), {
        minLength: trajectoryCount,
        maxLength: trajectoryCount,
      }),
      aliases: fc.array(fc.record({ of: fc.nat(parameterCount + trajectoryCount - 1), negate: fc.boolean() }), {
        minLength: aliasCount,
        maxLength: aliasCount,
      }),
      units: fc.array(unitArbitrary, { minLength: total, maxLength: total }),
      time: fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: steps, maxLength: steps }).map((t) => [...t].sort((a, b) => a - b)),
      options: fc.constant(options),
    });
  })
  // The time variable's own name must stay free.
  .filter((c) => !c.names.some((n) => n.toLowerCase() === 'time'));

function specOf(c: Case): VariableSpec[] {
  const base = c.parameters.length + c.trajectories.length;
  const specs: VariableSpec[] = [];
  c.parameters.forEach((value, i) => specs.push({ kind: 'parameter', name: c.names[i], value, unit: c.units[i], description: `parameter ${i}` }));
  c.trajectories.forEach((_, j) => {
    const i = c.parameters.length + j;
    specs.push({ kind: 'trajectory', name: c.names[i], unit: c.units[i], description: `trajectory ${j}` });
  });
  c.aliases.forEach((alias, a) => specs.push({ kind: 'alias', name: c.names[base + a], of: c.names[alias.of], negate: alias.negate }));
  return specs;
}

describe('writer → decoder round trip', () => {
  it('returns exactly what was written, for every layout and precision', async () => {
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async (c) => {
        const file = path.join(dir, `case-${counter++}.mat`);
        const precise = (v: number) => (c.options.precision === 'float32' ? Math.fround(v) : v);
        const trajectories = Object.fromEntries(c.trajectories.map((values, j) => [c.names[c.parameters.length + j], values]));
        await writeResultFile(file, { startTime: c.time[0] ?? 0, stopTime: c.time[c.time.length - 1] ?? 1, variables: specOf(c), options: c.options }, { time: c.time, trajectories });
        const decoded = await openResultFile(file);
        expect(decoded.timePointCount).toBe(c.time.length);
        expect(Array.from(await decoded.readTime())).toEqual(c.time.map(precise));
        for (const spec of specOf(c)) {
          const variable = decoded.findVariable(spec.name);
          expect(variable?.name).toBe(spec.name);
          const target = spec.kind === 'alias' ? c.names.indexOf(spec.of) : c.names.indexOf(spec.name);
          const sign = spec.kind === 'alias' && spec.negate ? -1 : 1;
          const isParameter = target < c.parameters.length;
          expect(variable?.kind).toBe(isParameter ? 'parameter' : 'trajectory');
          if (isParameter) {
            expect(Object.is(variable!.value, sign * precise(c.parameters[target]))).toBe(true);
          } else {
            const [values] = await decoded.readValues([variable!], 0, c.time.length);
            const expected = c.trajectories[target - c.parameters.length].map((v) => sign * precise(v));
            expect(Array.from(values)).toEqual(expected);
          }
        }
      }),
      { numRuns: 150, seed: 20261122 }
    );
  }, 60_000);
});
