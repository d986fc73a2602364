import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { compareRuns, DEFAULT_TOLERANCES } from '../../engine/compare';
import { openResultFile, type ResultFile } from '../../engine/decoder';

import { generateExamples } from './generate';
import { parseResultFileName } from './naming';

let outDir: string;
let files: string[];

beforeAll(async () => {
  outDir = await mkdtemp(path.join(os.tmpdir(), 'simviz-examples-'));
  files = await generateExamples(outDir);
});

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

function fileOf(model: string, condition?: string): string {
  const found = files.filter((f) => {
    const name = parseResultFileName(path.basename(f));
    return name?.model === model && (condition === undefined || name.condition === condition);
  });
  expect(found).toHaveLength(1);
  return found[0];
}

interface Run {
  file: ResultFile;
  time: Float64Array;
  values: Record<string, Float64Array>;
}

async function readRun(filePath: string, names: string[]): Promise<Run> {
  const file = await openResultFile(filePath);
  const variables = names.map((name) => {
    const variable = file.findVariable(name);
    if (!variable) {
      throw new Error(`${name} missing in ${filePath}`);
    }
    return variable;
  });
  const columns = await file.readValues(variables, 0, file.timePointCount);
  const values = Object.fromEntries(names.map((name, k) => [name, columns[k]]));
  return { file, time: await file.readTime(), values };
}

function parameterValue(file: ResultFile, name: string): number {
  const value = file.findVariable(name)?.value;
  if (value === undefined) {
    throw new Error(`parameter ${name} missing`);
  }
  return value;
}

/** Index of the left limit of every event: stored time stamps that repeat. */
function eventIndices(time: Float64Array): number[] {
  const events: number[] = [];
  for (let i = 1; i < time.length; i++) {
    if (time[i] === time[i - 1]) {
      events.push(i - 1);
    }
  }
  return events;
}

/** float32 keeps about 7 significant digits. */
const FLOAT32 = 2 ** -23;

describe('generateExamples', () => {
  it('writes a small set of conventionally named files in topic folders', async () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
    let total = 0;
    for (const file of files) {
      expect(parseResultFileName(path.basename(file))).toBeDefined();
      total += (await stat(file)).size;
    }
    expect(total).toBeLessThan(5 * 1024 * 1024);
    expect(new Set(files.map((f) => path.basename(path.dirname(f))))).toEqual(
      new Set(['mechanics', 'electrical', 'buildings', 'sweep', 'regression'])
    );
  });

  it('stores time non-decreasing in every file', async () => {
    for (const file of files) {
      const time = await (await openResultFile(file)).readTime();
      expect(time.every((t, i) => i === 0 || t >= time[i - 1])).toBe(true);
    }
  });
});

describe('the regression story', () => {
  it('names the reference in each nightly sidecar: the reproduced run passes, the drifted one fails', async () => {
    const reference = fileOf('RLCCircuit', 'reference');
    for (const [condition, passes] of [['nightly', true], ['drifted', false]] as const) {
      const run = fileOf('RLCCircuit', condition);
      const sidecar = JSON.parse(await readFile(`${run}.json`, 'utf8')) as { reference: string; tags: string[] };
      expect(path.join(path.dirname(run), sidecar.reference)).toBe(reference);
      expect(sidecar.reference.startsWith('./')).toBe(true);
      expect(sidecar.tags).toEqual(['nightly']);
      const [runFile, referenceFile] = [await openResultFile(run), await openResultFile(reference)];
      const variables = referenceFile.variables.filter((v) => v.kind === 'trajectory').map((v) => ({ name: v.name, run: runFile.findVariable(v.name), reference: v }));
      const comparison = await compareRuns(runFile, referenceFile, { variables, tolerances: DEFAULT_TOLERANCES, maxIntervals: 10 });
      expect(comparison.passed).toBe(passes);
    }
  });
});

describe('bouncing ball', () => {
  const names = ['ball.h', 'ball.v', 'ball.der(h)', 'ball.impacts', 'ball.flying', 'ball.E'];

  it.each(['e0p8', 'e0p5'])('bounces with v+ = -e v- at every impact (%s)', async (condition) => {
    const { file, time, values } = await readRun(fileOf('BouncingBall', condition), names);
    const e = parameterValue(file, 'ball.e');
    const h = values['ball.h'];
    const v = values['ball.v'];
    const impacts = values['ball.impacts'];
    const flying = values['ball.flying'];
    const events = eventIndices(time);
    expect(events.length).toBeGreaterThan(3);
    events.forEach((left, k) => {
      const right = left + 1;
      expect(Math.abs(h[left])).toBeLessThan(1e-6);
      expect(v[left]).toBeLessThan(0);
      expect(impacts[left]).toBe(k);
      expect(impacts[right]).toBe(k + 1);
      if (flying[right] === 1) {
        expect(v[right]).toBeGreaterThan(0);
        expect(Math.abs(v[right] - e * Math.abs(v[left]))).toBeLessThan(4 * FLOAT32 * Math.abs(v[left]));
      } else {
        // The ball comes to rest at its last impact and stays there.
        expect(k).toBe(events.length - 1);
        expect(e * Math.abs(v[left])).toBeLessThan(parameterValue(file, 'ball.v_small'));
        expect(v[right]).toBe(0);
      }
    });
    expect(Math.min(...h)).toBeGreaterThan(-1e-6);
    expect(flying[flying.length - 1]).toBe(0);
    expect(h[h.length - 1]).toBe(0);
    expect(Array.from(values['ball.der(h)'])).toEqual(Array.from(v));
  });

  it('impacts when and as often as free fall predicts', async () => {
    const { file, time } = await readRun(fileOf('BouncingBall', 'e0p8'), names);
    const g = parameterValue(file, 'ball.g');
    const e = parameterValue(file, 'ball.e');
    const vSmall = parameterValue(file, 'ball.v_small');
    let speed = Math.sqrt(2 * g * parameterValue(file, 'ball.h_start'));
    const expected = [speed / g];
    while (e * speed >= vSmall) {
      speed *= e;
      expected.push(expected[expected.length - 1] + (2 * speed) / g);
    }
    const impactTimes = eventIndices(time).map((i) => time[i]);
    expect(impactTimes).toHaveLength(expected.length);
    impactTimes.forEach((t, k) => expect(Math.abs(t - expected[k])).toBeLessThan(1e-5));
  });

  it('conserves mechanical energy between impacts and loses (1 - e^2) of it at each', async () => {
    const { file, time, values } = await readRun(fileOf('BouncingBall', 'e0p8'), names);
    const e = parameterValue(file, 'ball.e');
    const energy = values['ball.E'];
    const events = eventIndices(time);
    const starts = [0, ...events.map((i) => i + 1)];
    const ends = [...events, time.length - 1];
    starts.forEach((start, k) => {
      for (let i = start; i <= ends[k]; i++) {
        expect(Math.abs(energy[i] - energy[start])).toBeLessThan(1e-5 * energy[0]);
      }
    });
    events.slice(0, -1).forEach((left) => {
      expect(energy[left + 1] / energy[left]).toBeCloseTo(e * e, 5);
    });
  });
});

describe('RLC circuit', () => {
  const names = ['capacitor.v', 'inductor.i', 'stepVoltage.v', 'resistor.v', 'inductor.v', 'resistor.LossPower'];
  const negated = ['resistor.n.i', 'inductor.n.i', 'capacitor.n.i', 'stepVoltage.i', 'stepVoltage.p.i'];

  it('follows the analytic underdamped step response', async () => {
    const { file, time, values } = await readRun(fileOf('RLCCircuit', 'underdamped'), names);
    const [V, R, L, C, stepTime] = [
      'stepVoltage.V',
      'resistor.R',
      'inductor.L',
      'capacitor.C',
      'stepVoltage.startTime',
    ].map((name) => parameterValue(file, name));
    const alpha = R / (2 * L);
    const omega0 = 1 / Math.sqrt(L * C);
    expect(alpha).toBeLessThan(omega0);
    const omegaD = Math.sqrt(omega0 * omega0 - alpha * alpha);
    const capacitorVoltage = (t: number) => {
      const tau = t - stepTime;
      return tau <= 0
        ? 0
        : V * (1 - Math.exp(-alpha * tau) * (Math.cos(omegaD * tau) + (alpha / omegaD) * Math.sin(omegaD * tau)));
    };
    const current = (t: number) => {
      const tau = t - stepTime;
      return tau <= 0 ? 0 : (V / (L * omegaD)) * Math.exp(-alpha * tau) * Math.sin(omegaD * tau);
    };
    const vc = values['capacitor.v'];
    const il = values['inductor.i'];
    time.forEach((t, k) => {
      expect(Math.abs(vc[k] - capacitorVoltage(t))).toBeLessThan(1e-4 * V);
      expect(Math.abs(il[k] - current(t))).toBeLessThan(1e-4 * (V / (L * omegaD)));
    });
    // It rings: the first overshoot is exp(-pi alpha / omegaD) above the final value.
    expect(Math.max(...vc) / V - 1).toBeCloseTo(Math.exp((-Math.PI * alpha) / omegaD), 3);
  });

  it('stores the step as a time event and satisfies Kirchhoff and Ohm', async () => {
    const { file, time, values } = await readRun(fileOf('RLCCircuit', 'underdamped'), names);
    const events = eventIndices(time);
    expect(events).toHaveLength(1);
    expect(time[events[0]]).toBeCloseTo(parameterValue(file, 'stepVoltage.startTime'), 6);
    expect(values['stepVoltage.v'][events[0]]).toBe(0);
    expect(values['stepVoltage.v'][events[0] + 1]).toBe(parameterValue(file, 'stepVoltage.V'));
    const R = parameterValue(file, 'resistor.R');
    time.forEach((_t, k) => {
      const loop =
        values['stepVoltage.v'][k] - values['resistor.v'][k] - values['inductor.v'][k] - values['capacitor.v'][k];
      expect(Math.abs(loop)).toBeLessThan(1e-5);
      expect(values['resistor.v'][k]).toBeCloseTo(R * values['inductor.i'][k], 5);
      expect(values['resistor.LossPower'][k]).toBeCloseTo(R * values['inductor.i'][k] ** 2, 4);
    });
  });

  it('writes pin currents as exact negations of the loop current', async () => {
    const { values } = await readRun(fileOf('RLCCircuit', 'underdamped'), ['inductor.i', 'resistor.i', 'stepVoltage.n.i', ...negated]);
    const current = values['inductor.i'];
    expect(Array.from(values['resistor.i'])).toEqual(Array.from(current));
    expect(Array.from(values['stepVoltage.n.i'])).toEqual(Array.from(current));
    negated.forEach((name) => {
      expect(Array.from(values[name])).toEqual(Array.from(current, (i) => -i));
    });
  });
});

describe('two-zone building', () => {
  const names = ['zone1.T', 'zone2.T', 'radiator.T', 'weather.T', 'heater.on', 'pump.on', 'heater.Q_flow'];
  const more = ['heater.E', 'loop.p', 'thermostat.switchCount', 'partition.Q_flow', 'partition.port_b.Q_flow'];
  const CELSIUS = 273.15;

  it('labels temperatures, pressures and discrete variables like a Modelica tool', async () => {
    const file = await openResultFile(fileOf('TwoZoneBuilding'));
    const label = (name: string) => {
      const v = file.findVariable(name);
      return [v?.unit, v?.displayUnit, v?.valueType];
    };
    expect(label('zone1.T')).toEqual(['K', 'degC', null]);
    expect(label('thermostat.T_low')).toEqual(['K', 'degC', null]);
    expect(label('loop.p')).toEqual(['Pa', 'bar', null]);
    expect(label('heater.Q_flow')).toEqual(['W', null, null]);
    expect(label('zone1.C')).toEqual(['J/K', null, null]);
    expect(label('partition.G')).toEqual(['W/K', null, null]);
    expect(label('heater.on')).toEqual([null, null, 'Boolean']);
    expect(label('thermostat.switchCount')).toEqual([null, null, 'Integer']);
    expect(file.findVariable('zone1.C')?.kind).toBe('parameter');
    expect(file.stopTime).toBeGreaterThanOrEqual(2 * 86400);
  });

  it('keeps temperatures in a plausible winter range', async () => {
    const { file, values } = await readRun(fileOf('TwoZoneBuilding'), names);
    const range = (name: string) => [Math.min(...values[name]) - CELSIUS, Math.max(...values[name]) - CELSIUS];
    const [outMin, outMax] = range('weather.T');
    const mean = parameterValue(file, 'weather.T_mean') - CELSIUS;
    const amplitude = parameterValue(file, 'weather.T_amplitude');
    expect(outMin).toBeGreaterThanOrEqual(mean - amplitude - 1e-3);
    expect(outMax).toBeLessThanOrEqual(mean + amplitude + 1e-3);
    expect(range('zone1.T')[0]).toBeGreaterThan(10);
    expect(range('zone1.T')[1]).toBeLessThan(25);
    // The unheated zone sits between outdoor and the heated zone.
    expect(range('zone2.T')[0]).toBeGreaterThan(outMin);
    expect(range('zone2.T')[1]).toBeLessThan(range('zone1.T')[1]);
    expect(range('radiator.T')[1]).toBeLessThan(90);
  });

  it('switches the heater with hysteresis, each switch a state event', async () => {
    const { file, time, values } = await readRun(fileOf('TwoZoneBuilding'), [...names, ...more]);
    const low = parameterValue(file, 'thermostat.T_low');
    const high = parameterValue(file, 'thermostat.T_high');
    const on = values['heater.on'];
    const zone1 = values['zone1.T'];
    const events = eventIndices(time);
    expect(events.length).toBeGreaterThan(10);
    events.forEach((left, k) => {
      const right = left + 1;
      expect(on[right]).toBe(1 - on[left]);
      expect(values['heater.Q_flow'][right]).toBe(on[right] * parameterValue(file, 'heater.Q_flow_nominal'));
      expect(Math.abs(zone1[left] - (on[left] === 1 ? high : low))).toBeLessThan(1e-3);
      expect(values['thermostat.switchCount'][right]).toBe(k + 1);
    });
    // The thermostat only switches at events; the radiator's lag overshoots the band only slightly.
    for (let i = 1; i < time.length; i++) {
      if (time[i] !== time[i - 1]) {
        expect(on[i]).toBe(on[i - 1]);
      }
    }
    zone1.slice(events[0]).forEach((t) => {
      expect(t).toBeGreaterThan(low - 0.5);
      expect(t).toBeLessThan(high + 0.5);
    });
    expect(Array.from(values['pump.on'])).toEqual(Array.from(on));
  });

  it('raises the loop pressure while the pump runs and counts the delivered heat', async () => {
    const { file, time, values } = await readRun(fileOf('TwoZoneBuilding'), [...names, ...more]);
    const pStatic = parameterValue(file, 'loop.p_static');
    const head = parameterValue(file, 'pump.dp_nominal');
    const pressure = values['loop.p'];
    eventIndices(time).forEach((left) => {
      // Every on or off period lasts far longer than the pressure's time constant.
      const settled = values['heater.on'][left] === 1 ? pStatic + head : pStatic;
      expect(Math.abs(pressure[left] - settled)).toBeLessThan(0.01 * head);
    });
    let delivered = 0;
    for (let i = 1; i < time.length; i++) {
      delivered += values['heater.Q_flow'][i - 1] * (time[i] - time[i - 1]);
    }
    const energy = values['heater.E'];
    expect(Math.abs(delivered - energy[energy.length - 1])).toBeLessThan(1e-3 * delivered);
    expect(Array.from(values['partition.port_b.Q_flow'])).toEqual(Array.from(values['partition.Q_flow'], (q) => -q));
  });
});

describe('spring-damper sweep', () => {
  const sweepFiles = () => files.filter((f) => path.basename(path.dirname(f)) === 'sweep');

  it('has four conventionally named runs that differ only in the damping', async () => {
    const runs = sweepFiles();
    expect(runs).toHaveLength(4);
    const names = runs.map((f) => parseResultFileName(path.basename(f)));
    expect(names.map((n) => n?.model)).toEqual(Array(4).fill('SpringDamper'));
    expect(names.map((n) => n?.experiment)).toEqual(Array(4).fill('sweep'));
    expect(new Set(names.map((n) => n?.stamp)).size).toBe(4);
    const opened = await Promise.all(runs.map((f) => openResultFile(f)));
    const dampings = opened.map((file) => parameterValue(file, 'damper.d'));
    expect(new Set(dampings).size).toBe(4);
    names.forEach((name, k) => expect(name?.condition).toBe(`d${String(dampings[k]).replace('.', 'p')}`));
    ['mass.m', 'spring.c', 'mass.s_start'].forEach((name) => {
      expect(new Set(opened.map((file) => parameterValue(file, name))).size).toBe(1);
    });
    expect(new Set(opened.map((file) => file.timePointCount)).size).toBe(1);
  });

  it('oscillates like the analytic damped oscillator', async () => {
    for (const filePath of sweepFiles()) {
      const { file, time, values } = await readRun(filePath, ['mass.s', 'spring.flange_a.f', 'spring.f']);
      const [m, c, d, s0] = ['mass.m', 'spring.c', 'damper.d', 'mass.s_start'].map((n) => parameterValue(file, n));
      const decay = d / (2 * m);
      const omega = Math.sqrt(c / m - decay * decay);
      const position = (t: number) =>
        s0 * Math.exp(-decay * t) * (Math.cos(omega * t) + (decay / omega) * Math.sin(omega * t));
      time.forEach((t, k) => expect(Math.abs(values['mass.s'][k] - position(t))).toBeLessThan(1e-5 * s0));
      expect(Array.from(values['spring.flange_a.f'])).toEqual(Array.from(values['spring.f'], (f) => -f));
    }
  });
});
