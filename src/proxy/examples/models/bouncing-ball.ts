import { integrate, type StateVector } from '../ode';
import { alias, BOOLEAN, buildResult, DIMENSIONLESS, INTEGER, output, parameter, type ExampleResult } from '../result';

/**
 * The classic Modelica bouncing ball: free fall, impacts as state events with `v := -e*v`. Once a
 * rebound would be slower than `vSmall` the ball comes to rest, which ends the otherwise infinite
 * (Zeno) sequence of ever shorter bounces, as `when h < 0 and v < vSmall` does in the Modelica model.
 */
export interface BouncingBallParameters {
  /** Gravity, m/s2. */
  g: number;
  /** Coefficient of restitution. */
  e: number;
  /** Drop height, m. */
  h0: number;
  /** Mass, kg (only for the energies). */
  m: number;
  /** Rebound speed below which the ball stays on the floor, m/s. */
  vSmall: number;
  stopTime: number;
  outputInterval: number;
}

export const BOUNCING_BALL_DEFAULTS: BouncingBallParameters = {
  g: 9.81,
  e: 0.8,
  h0: 1,
  m: 0.25,
  vSmall: 0.1,
  stopTime: 6,
  outputInterval: 0.01,
};

const H = 0;
const V = 1;
const FLYING = 2;
const IMPACTS = 3;

export function simulateBouncingBall(overrides: Partial<BouncingBallParameters> = {}): ExampleResult {
  const p = { ...BOUNCING_BALL_DEFAULTS, ...overrides };
  const isFlying = (x: StateVector) => x[FLYING] > 0.5;
  const acceleration = (x: StateVector) => (isFlying(x) ? -p.g : 0);

  const solution = integrate({
    startTime: 0,
    stopTime: p.stopTime,
    outputInterval: p.outputInterval,
    initialState: [p.h0, 0, 1, 0],
    derivative: (_t, x, dxdt) => {
      dxdt[H] = isFlying(x) ? x[V] : 0;
      dxdt[V] = acceleration(x);
      dxdt[FLYING] = 0;
      dxdt[IMPACTS] = 0;
    },
    stateEvents: [
      {
        // A resting ball has no impacts to detect; a constant keeps the crossing test quiet.
        indicator: (_t, x) => (isFlying(x) ? x[H] : 1),
        direction: 'falling',
        reset: (_t, x) => {
          const rebound = -p.e * x[V];
          x[IMPACTS] += 1;
          if (rebound < p.vSmall) {
            x[FLYING] = 0;
            x[V] = 0;
            x[H] = 0;
          } else {
            x[V] = rebound;
          }
        },
      },
    ],
  });

  const kinetic = (x: StateVector) => 0.5 * p.m * x[V] * x[V];
  const potential = (x: StateVector) => p.m * p.g * x[H];
  return buildResult(
    solution,
    [
      parameter('ball.m', p.m, 'Mass of the ball', { unit: 'kg' }),
      parameter('ball.g', p.g, 'Gravity acceleration', { unit: 'm/s2' }),
      parameter('ball.e', p.e, 'Coefficient of restitution', DIMENSIONLESS),
      parameter('ball.h_start', p.h0, 'Initial height', { unit: 'm' }),
      parameter('ball.v_small', p.vSmall, 'Rebound speed below which the ball rests', { unit: 'm/s' }),
      output('ball.h', 'Height above the floor', { unit: 'm' }, (_t, x) => x[H]),
      output('ball.v', 'Vertical velocity', { unit: 'm/s' }, (_t, x) => x[V]),
      alias('ball.der(h)', 'ball.v', 'der(Height above the floor)', { unit: 'm/s' }),
      output('ball.der(v)', 'der(Vertical velocity)', { unit: 'm/s2' }, (_t, x) => acceleration(x)),
      output('ball.flying', 'true while the ball is in the air', BOOLEAN, (_t, x) => x[FLYING]),
      output('ball.impacts', 'Number of impacts with the floor', INTEGER, (_t, x) => x[IMPACTS]),
      output('ball.Ekin', 'Kinetic energy', { unit: 'J' }, (_t, x) => kinetic(x)),
      output('ball.Epot', 'Potential energy', { unit: 'J' }, (_t, x) => potential(x)),
      output('ball.E', 'Total mechanical energy', { unit: 'J' }, (_t, x) => kinetic(x) + potential(x)),
    ],
    0,
    p.stopTime
  );
}
