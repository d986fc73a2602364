import type { AliasSpec, ParameterSpec, ResultData, ResultSpec, TrajectorySpec } from '../../engine/writer/mat4-writer';

import type { OdeSolution, StateVector } from './ode';

/** Everything `writeResultFile` needs for one simulation run. */
export interface ExampleResult {
  spec: ResultSpec;
  data: ResultData;
}

/** How a Modelica tool labels a value: SI unit and display unit, or a Boolean/Integer type tag. */
export interface Quantity {
  unit?: string;
  displayUnit?: string;
  valueType?: 'Boolean' | 'Integer';
}

export const BOOLEAN: Quantity = { valueType: 'Boolean' };
export const INTEGER: Quantity = { valueType: 'Integer' };
export const DIMENSIONLESS: Quantity = {};

/** A trajectory computed from the solver state at every stored point (both sides of events). */
export interface OutputSpec extends TrajectorySpec {
  value: (t: number, x: StateVector) => number;
}

export type ExampleVariable = ParameterSpec | OutputSpec | AliasSpec;

export function parameter(name: string, value: number, description: string, quantity: Quantity): ParameterSpec {
  return { kind: 'parameter', name, value, description, ...quantity };
}

export function output(
  name: string,
  description: string,
  quantity: Quantity,
  value: (t: number, x: StateVector) => number
): OutputSpec {
  return { kind: 'trajectory', name, description, ...quantity, value };
}

/** A second name for a stored column, as connections and `der(x) = v` produce in Modelica. */
export function alias(name: string, of: string, description: string, quantity: Quantity): AliasSpec {
  return { kind: 'alias', name, of, description, ...quantity };
}

/** A name for the negated column, as the other pin of a two-pin component gets (`n.i = -p.i`). */
export function negatedAlias(name: string, of: string, description: string, quantity: Quantity): AliasSpec {
  return { kind: 'alias', name, of, negate: true, description, ...quantity };
}

/** Evaluates every output at every stored point and assembles the writer's input. */
export function buildResult(
  solution: OdeSolution,
  variables: readonly ExampleVariable[],
  startTime: number,
  stopTime: number
): ExampleResult {
  const trajectories: Record<string, Float64Array> = {};
  const specs = variables.map((variable) => {
    if (variable.kind !== 'trajectory') {
      return variable;
    }
    const { value, ...spec } = variable;
    trajectories[variable.name] = Float64Array.from(solution.time, (t, k) => value(t, solution.states[k]));
    return spec;
  });
  return {
    spec: { variables: specs, startTime, stopTime },
    data: { time: Float64Array.from(solution.time), trajectories },
  };
}
