import { Mat4TrajectoryWriter, type ResultSpec, type VariableSpec } from '../../src/engine/writer/mat4-writer';

export interface BenchShape {
  /** Trajectories besides time. */
  signals: number;
  steps: number;
  precision: 'float32' | 'float64';
}

const UNITS = ['K', 'Pa', 'kg/s', 'W', 'm/s', 'V', 'A', '1'];
const DISPLAY_UNITS: Record<string, string> = { K: 'degC', Pa: 'bar' };

/** Modelica-like names and descriptions: a plant of units, each with pipes and their ports. */
function variableSpecs(signals: number): VariableSpec[] {
  const specs: VariableSpec[] = [];
  for (let s = 0; s < signals; s++) {
    const unit = UNITS[s % UNITS.length];
    specs.push({
      kind: 'trajectory',
      name: `plant.unit${Math.floor(s / 100)}.pipe${Math.floor(s / 8) % 13}.port_a.signal${s}`,
      description: `Benchmark signal ${s} of unit ${Math.floor(s / 100)}`,
      unit,
      displayUnit: DISPLAY_UNITS[unit],
    });
  }
  specs.push({ kind: 'parameter', name: 'plant.nominalFlow', description: 'Nominal flow', unit: 'kg/s', value: 1.5 });
  return specs;
}

/** A smooth, distinct curve per signal, so downsampling has real extremes to keep; `scale` multiplies every value. */
function fillBlock(
  block: Float64Array,
  firstStep: number,
  rows: number,
  signals: number,
  dt: number,
  scale: number
): void {
  const stride = signals + 1;
  for (let r = 0; r < rows; r++) {
    const t = (firstStep + r) * dt;
    block[r * stride] = t;
    for (let s = 0; s < signals; s++) {
      block[r * stride + s + 1] = (Math.sin(t * (0.5 + (s % 17) * 0.1) + s) * (1 + (s % 5)) + s * 0.01) * scale;
    }
  }
}

/** Variants of a bench file: the comparison bench writes a reference that differs slightly from its run. */
export interface BenchVariant {
  /** Multiplies every value (1, the default, writes the same bytes as before). */
  scale?: number;
}

/** Streams a Dymola-style binTrans result of the given shape, as a long simulation would write it. */
export async function writeBenchFile(path: string, shape: BenchShape, variant: BenchVariant = {}): Promise<void> {
  const spec: ResultSpec = {
    startTime: 0,
    stopTime: shape.steps - 1,
    variables: variableSpecs(shape.signals),
    options: { precision: shape.precision },
  };
  const writer = await Mat4TrajectoryWriter.create(path, spec);
  const stride = shape.signals + 1;
  const rowsPerBlock = Math.max(1, Math.floor((4 * 1024 * 1024) / (stride * 8)));
  const block = new Float64Array(rowsPerBlock * stride);
  for (let first = 0; first < shape.steps; first += rowsPerBlock) {
    const rows = Math.min(rowsPerBlock, shape.steps - first);
    fillBlock(block, first, rows, shape.signals, 1, variant.scale ?? 1);
    await writer.writeSteps(block.subarray(0, rows * stride));
  }
  await writer.close();
}
