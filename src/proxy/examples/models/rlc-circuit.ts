import { integrate, type StateVector } from '../ode';
import { alias, buildResult, negatedAlias, output, parameter, type ExampleResult } from '../result';

/**
 * A series RLC circuit driven by a step voltage source (Modelica.Electrical.Analog names):
 * stepVoltage.p -> resistor -> inductor -> capacitor -> ground = stepVoltage.n.
 * The step is a time event, so the source voltage is stored at both 0 and V at its start time.
 */
export interface RlcParameters {
  /** Step height, V. */
  V: number;
  /** Step time, s. */
  stepTime: number;
  /** Ohm. */
  R: number;
  /** H. */
  L: number;
  /** F. */
  C: number;
  stopTime: number;
  outputInterval: number;
  maxStep: number;
}

/** Underdamped: zeta = R/2 * sqrt(C/L) = 0.2, ringing at about 156 Hz, decaying in about 5 ms. */
export const RLC_DEFAULTS: RlcParameters = {
  V: 10,
  stepTime: 0.005,
  R: 4,
  L: 0.01,
  C: 1e-4,
  stopTime: 0.04,
  outputInterval: 5e-5,
  maxStep: 1e-5,
};

const VC = 0;
const IL = 1;
/** The source output is discrete: it only changes at the step's time event. */
const VS = 2;

const VOLT = { unit: 'V' };
const AMPERE = { unit: 'A' };

export function simulateRlcCircuit(overrides: Partial<RlcParameters> = {}): ExampleResult {
  const p = { ...RLC_DEFAULTS, ...overrides };
  const resistorVoltage = (x: StateVector) => p.R * x[IL];
  const inductorVoltage = (x: StateVector) => x[VS] - resistorVoltage(x) - x[VC];

  const solution = integrate({
    startTime: 0,
    stopTime: p.stopTime,
    outputInterval: p.outputInterval,
    maxStep: p.maxStep,
    initialState: [0, 0, 0],
    derivative: (_t, x, dxdt) => {
      dxdt[VC] = x[IL] / p.C;
      dxdt[IL] = inductorVoltage(x) / p.L;
      dxdt[VS] = 0;
    },
    timeEvents: [{ time: p.stepTime, reset: (_t, x) => (x[VS] = p.V) }],
  });

  return buildResult(
    solution,
    [
      parameter('stepVoltage.V', p.V, 'Height of step', VOLT),
      parameter('stepVoltage.offset', 0, 'Voltage offset', VOLT),
      parameter('stepVoltage.startTime', p.stepTime, 'Time offset', { unit: 's' }),
      parameter('resistor.R', p.R, 'Resistance at temperature T_ref', { unit: 'Ohm' }),
      parameter('inductor.L', p.L, 'Inductance', { unit: 'H' }),
      parameter('capacitor.C', p.C, 'Capacitance', { unit: 'F' }),
      parameter('ground.p.v', 0, 'Potential at the pin', VOLT),
      output('stepVoltage.v', 'Voltage drop of the two pins (= p.v - n.v)', VOLT, (_t, x) => x[VS]),
      alias('stepVoltage.p.v', 'stepVoltage.v', 'Potential at the pin', VOLT),
      output('capacitor.v', 'Voltage drop of the two pins (= p.v - n.v)', VOLT, (_t, x) => x[VC]),
      alias('capacitor.p.v', 'capacitor.v', 'Potential at the pin', VOLT),
      alias('inductor.n.v', 'capacitor.v', 'Potential at the pin', VOLT),
      output('inductor.i', 'Current flowing from pin p to pin n', AMPERE, (_t, x) => x[IL]),
      output('resistor.v', 'Voltage drop of the two pins (= p.v - n.v)', VOLT, (_t, x) => resistorVoltage(x)),
      output('resistor.n.v', 'Potential at the pin', VOLT, (_t, x) => x[VS] - resistorVoltage(x)),
      alias('inductor.p.v', 'resistor.n.v', 'Potential at the pin', VOLT),
      output('inductor.v', 'Voltage drop of the two pins (= p.v - n.v)', VOLT, (_t, x) => inductorVoltage(x)),
      output(
        'capacitor.der(v)',
        'der(Voltage drop of the two pins (= p.v - n.v))',
        { unit: 'V/s' },
        (_t, x) => x[IL] / p.C
      ),
      output(
        'inductor.der(i)',
        'der(Current flowing from pin p to pin n)',
        { unit: 'A/s' },
        (_t, x) => inductorVoltage(x) / p.L
      ),
      output(
        'resistor.LossPower',
        'Loss power leaving component via heatPort',
        { unit: 'W' },
        (_t, x) => resistorVoltage(x) * x[IL]
      ),
      output(
        'storedEnergy',
        'Energy stored in inductor and capacitor',
        { unit: 'J' },
        (_t, x) => 0.5 * p.C * x[VC] * x[VC] + 0.5 * p.L * x[IL] * x[IL]
      ),
      // One series loop: every component carries the inductor current, from p to n.
      alias('resistor.i', 'inductor.i', 'Current flowing from pin p to pin n', AMPERE),
      alias('resistor.p.i', 'inductor.i', 'Current flowing into the pin', AMPERE),
      negatedAlias('resistor.n.i', 'inductor.i', 'Current flowing into the pin', AMPERE),
      alias('inductor.p.i', 'inductor.i', 'Current flowing into the pin', AMPERE),
      negatedAlias('inductor.n.i', 'inductor.i', 'Current flowing into the pin', AMPERE),
      alias('capacitor.i', 'inductor.i', 'Current flowing from pin p to pin n', AMPERE),
      alias('capacitor.p.i', 'inductor.i', 'Current flowing into the pin', AMPERE),
      negatedAlias('capacitor.n.i', 'inductor.i', 'Current flowing into the pin', AMPERE),
      // The source drives the loop current out of its p pin, so its own current is negative.
      negatedAlias('stepVoltage.i', 'inductor.i', 'Current flowing from pin p to pin n', AMPERE),
      negatedAlias('stepVoltage.p.i', 'inductor.i', 'Current flowing into the pin', AMPERE),
      alias('stepVoltage.n.i', 'inductor.i', 'Current flowing into the pin', AMPERE),
    ],
    0,
    p.stopTime
  );
}
