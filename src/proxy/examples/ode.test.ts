import { integrate, type OdeProblem, type StateEvent } from './ode';

function decayError(step: number): number {
  const solution = integrate({
    startTime: 0,
    stopTime: 1,
    outputInterval: 0.1,
    maxStep: step,
    initialState: [1],
    derivative: (_t, x, dxdt) => (dxdt[0] = -x[0]),
  });
  return Math.max(...solution.time.map((t, k) => Math.abs(solution.states[k][0] - Math.exp(-t))));
}

const GRAVITY = 9.81;

function fallingBody(restitution: number, overrides: Partial<OdeProblem> = {}): OdeProblem {
  const impact: StateEvent = {
    indicator: (_t, x) => x[0],
    direction: 'falling',
    reset: (_t, x) => (x[1] = -restitution * x[1]),
  };
  return {
    startTime: 0,
    stopTime: 1,
    outputInterval: 0.1,
    initialState: [1, 0],
    derivative: (_t, x, dxdt) => {
      dxdt[0] = x[1];
      dxdt[1] = -GRAVITY;
    },
    stateEvents: [impact],
    ...overrides,
  };
}

describe('integrate', () => {
  it('matches exp(-t) to RK4 accuracy and converges with fourth order', () => {
    const coarse = decayError(0.1);
    const fine = decayError(0.05);
    expect(coarse).toBeLessThan(1e-6);
    expect(coarse / fine).toBeGreaterThan(12);
    expect(coarse / fine).toBeLessThan(20);
  });

  it('stores the output grid exactly, without round-off drift', () => {
    const solution = integrate({
      startTime: 0,
      stopTime: 1,
      outputInterval: 0.1,
      initialState: [0],
      derivative: (_t, _x, dxdt) => (dxdt[0] = 1),
    });
    expect(solution.time).toEqual([
      0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001, 0.7000000000000001, 0.8, 0.9, 1,
    ]);
    expect(solution.states[10][0]).toBeCloseTo(1, 14);
  });

  it('locates the impact of a falling body and stores it twice, before and after the reset', () => {
    // The rebound reaches 0.25 m and lands again after 0.9 s, so one impact before 0.8 s.
    const solution = integrate(fallingBody(0.5, { stopTime: 0.8 }));
    const impactTime = Math.sqrt(2 / GRAVITY);
    expect(solution.eventIndices).toHaveLength(1);
    const left = solution.eventIndices[0];
    expect(Math.abs(solution.time[left] - impactTime)).toBeLessThan(1e-11);
    expect(solution.time[left + 1]).toBe(solution.time[left]);
    expect(Math.abs(solution.states[left][0])).toBeLessThan(1e-10);
    expect(solution.states[left][1]).toBeCloseTo(-GRAVITY * impactTime, 9);
    expect(solution.states[left + 1][1]).toBeCloseTo(0.5 * GRAVITY * impactTime, 9);
    // Grid points continue after the event; the body flies up again after the impact.
    const last = solution.time.length - 1;
    expect(solution.time[last]).toBe(0.8);
    expect(solution.states[last][1]).toBeCloseTo(0.5 * GRAVITY * impactTime - GRAVITY * (0.8 - impactTime), 9);
  });

  it('applies time events exactly at their time, between grid points or on one', () => {
    const problem: OdeProblem = {
      startTime: 0,
      stopTime: 1,
      outputInterval: 0.1,
      initialState: [0, 0],
      derivative: (_t, x, dxdt) => {
        dxdt[0] = x[1];
        dxdt[1] = 0;
      },
      timeEvents: [
        { time: 0.25, reset: (_t, x) => (x[1] = 1) },
        { time: 0.5, reset: (_t, x) => (x[1] = 2) },
      ],
    };
    const solution = integrate(problem);
    const [first, second] = solution.eventIndices;
    expect(solution.time.slice(first, first + 2)).toEqual([0.25, 0.25]);
    expect([solution.states[first][1], solution.states[first + 1][1]]).toEqual([0, 1]);
    // On a grid point the left limit stands for the grid point: 0.5 appears exactly twice.
    expect(solution.time.filter((t) => t === 0.5)).toHaveLength(2);
    expect(solution.states[second + 1][1]).toBe(2);
    expect(solution.time).toHaveLength(11 + 2 + 1);
    expect(solution.states[solution.time.length - 1][0]).toBeCloseTo(0.25 + 2 * 0.5, 12);
  });

  it('stops with an error after maxEvents events instead of chattering on', () => {
    const chattering: OdeProblem = {
      startTime: 0,
      stopTime: 1,
      outputInterval: 0.1,
      maxStep: 1e-3,
      initialState: [0],
      derivative: (_t, _x, dxdt) => (dxdt[0] = 0),
      stateEvents: [{ indicator: (t) => Math.sin(1000 * t + 0.5), direction: 'either', reset: () => undefined }],
      maxEvents: 50,
    };
    expect(() => integrate(chattering)).toThrow(/more than 50 events .* chattering/);
  });
});
