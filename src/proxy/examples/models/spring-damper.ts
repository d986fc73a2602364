import { integrate, type StateVector } from '../ode';
import { alias, buildResult, negatedAlias, output, parameter, type ExampleResult } from '../result';

/**
 * A mass on a spring and a damper to a fixed wall (Modelica.Mechanics.Translational names),
 * released from a displacement. Varying the damping gives a family of runs to compare.
 */
export interface SpringDamperParameters {
  /** kg. */
  m: number;
  /** Spring constant, N/m. */
  c: number;
  /** Damping constant, N.s/m. */
  d: number;
  /** Initial displacement, m. */
  s0: number;
  stopTime: number;
  outputInterval: number;
}

export const SPRING_DAMPER_DEFAULTS: SpringDamperParameters = {
  m: 1,
  c: 10,
  d: 1,
  s0: 0.1,
  stopTime: 10,
  outputInterval: 0.02,
};

const S = 0;
const V = 1;

const NEWTON = { unit: 'N' };
const METRE = { unit: 'm' };
const VELOCITY = { unit: 'm/s' };

export function simulateSpringDamper(overrides: Partial<SpringDamperParameters> = {}): ExampleResult {
  const p = { ...SPRING_DAMPER_DEFAULTS, ...overrides };
  const springForce = (x: StateVector) => p.c * x[S];
  const damperForce = (x: StateVector) => p.d * x[V];
  const acceleration = (x: StateVector) => -(springForce(x) + damperForce(x)) / p.m;

  const solution = integrate({
    startTime: 0,
    stopTime: p.stopTime,
    outputInterval: p.outputInterval,
    maxStep: p.outputInterval / 2,
    initialState: [p.s0, 0],
    derivative: (_t, x, dxdt) => {
      dxdt[S] = x[V];
      dxdt[V] = acceleration(x);
    },
  });

  return buildResult(
    solution,
    [
      parameter('mass.m', p.m, 'Mass of the sliding mass', { unit: 'kg' }),
      parameter('spring.c', p.c, 'Spring constant', { unit: 'N/m' }),
      parameter('damper.d', p.d, 'Damping constant', { unit: 'N.s/m' }),
      parameter('mass.s_start', p.s0, 'Initial absolute position of the mass', METRE),
      output('mass.s', 'Absolute position of center of component', METRE, (_t, x) => x[S]),
      alias('spring.s_rel', 'mass.s', 'Relative distance (= flange_b.s - flange_a.s)', METRE),
      output('mass.v', 'Absolute velocity of component', VELOCITY, (_t, x) => x[V]),
      alias('mass.der(s)', 'mass.v', 'der(Absolute position of center of component)', VELOCITY),
      alias('damper.v_rel', 'mass.v', 'Relative velocity (= der(s_rel))', VELOCITY),
      output('mass.a', 'Absolute acceleration of component', { unit: 'm/s2' }, (_t, x) => acceleration(x)),
      alias('mass.der(v)', 'mass.a', 'der(Absolute velocity of component)', { unit: 'm/s2' }),
      output('spring.f', 'Force between flanges (positive in direction of flange axis R)', NEWTON, (_t, x) =>
        springForce(x)
      ),
      alias('spring.flange_b.f', 'spring.f', 'Cut force directed into flange', NEWTON),
      negatedAlias('spring.flange_a.f', 'spring.f', 'Cut force directed into flange', NEWTON),
      output('damper.f', 'Force between flanges (positive in direction of flange axis R)', NEWTON, (_t, x) =>
        damperForce(x)
      ),
      alias('damper.flange_b.f', 'damper.f', 'Cut force directed into flange', NEWTON),
      negatedAlias('damper.flange_a.f', 'damper.f', 'Cut force directed into flange', NEWTON),
      output(
        'damper.lossPower',
        'Loss power leaving component via heatPort',
        { unit: 'W' },
        (_t, x) => damperForce(x) * x[V]
      ),
      output(
        'energy',
        'Kinetic energy of the mass plus energy stored in the spring',
        { unit: 'J' },
        (_t, x) => 0.5 * p.m * x[V] * x[V] + 0.5 * p.c * x[S] * x[S]
      ),
    ],
    0,
    p.stopTime
  );
}
