/**
 * A small fixed-step RK4 integrator with state and time events, enough to produce result files
 * that look like a Modelica tool's: output on a fixed grid, and every event stored twice (left
 * limit, then right limit after the reset) with the same time stamp.
 *
 * Discrete variables (modes, counters, sampled sources) are components of the state vector whose
 * derivative is zero; only resets change them. That keeps the solution a pure list of states, from
 * which a model computes all its outputs afterwards.
 */

export type StateVector = Float64Array;

export type Derivative = (t: number, x: StateVector, dxdt: StateVector) => void;

/** Changes the state in place from the left limit to the right limit of an event. */
export type ResetMap = (t: number, x: StateVector) => void;

export type CrossingDirection = 'falling' | 'rising' | 'either';

export interface StateEvent {
  /** Zero-crossing function; the event is its sign change in `direction` during a step. */
  indicator: (t: number, x: StateVector) => number;
  direction: CrossingDirection;
  reset: ResetMap;
}

export interface TimeEvent {
  time: number;
  reset: ResetMap;
}

export interface OdeProblem {
  derivative: Derivative;
  initialState: readonly number[];
  startTime: number;
  stopTime: number;
  outputInterval: number;
  /** The largest integration step; defaults to the output interval. */
  maxStep?: number;
  stateEvents?: readonly StateEvent[];
  /** Events at known times (sources switching); those at or outside the interval ends are ignored. */
  timeEvents?: readonly TimeEvent[];
  /** A guard against chattering (Zeno) models; defaults to 10000. */
  maxEvents?: number;
}

export interface OdeSolution {
  /** Non-decreasing; each event adds a second point with the same time. */
  time: number[];
  states: StateVector[];
  /** Index of the left limit of each event; the right limit follows it. */
  eventIndices: number[];
}

/** One classical Runge-Kutta step of size h from (t, x). */
export function rk4Step(derivative: Derivative, t: number, x: StateVector, h: number): StateVector {
  const n = x.length;
  const k1 = new Float64Array(n);
  const k2 = new Float64Array(n);
  const k3 = new Float64Array(n);
  const k4 = new Float64Array(n);
  const probe = new Float64Array(n);
  derivative(t, x, k1);
  probe.forEach((_, i) => (probe[i] = x[i] + (h / 2) * k1[i]));
  derivative(t + h / 2, probe, k2);
  probe.forEach((_, i) => (probe[i] = x[i] + (h / 2) * k2[i]));
  derivative(t + h / 2, probe, k3);
  probe.forEach((_, i) => (probe[i] = x[i] + h * k3[i]));
  derivative(t + h, probe, k4);
  const next = new Float64Array(n);
  next.forEach((_, i) => (next[i] = x[i] + (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i])));
  return next;
}

function hasCrossed(before: number, after: number, direction: CrossingDirection): boolean {
  const falling = before > 0 && after <= 0;
  const rising = before < 0 && after >= 0;
  return direction === 'falling' ? falling : direction === 'rising' ? rising : falling || rising;
}

interface LocatedEvent {
  t: number;
  x: StateVector;
}

const BISECTION_LIMIT = 200;

/**
 * The earliest time in (t, t + h] at which the indicator has crossed, to within `tolerance`.
 * The returned point is on the crossed side, so the reset always sees the event condition true.
 */
function bisectCrossing(
  derivative: Derivative,
  event: StateEvent,
  before: number,
  t: number,
  x: StateVector,
  h: number,
  tolerance: number
): number {
  let lo = 0;
  let hi = h;
  for (let i = 0; i < BISECTION_LIMIT && hi - lo > tolerance; i++) {
    const mid = (lo + hi) / 2;
    const crossed = hasCrossed(before, event.indicator(t + mid, rk4Step(derivative, t, x, mid)), event.direction);
    if (crossed) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return hi;
}

/** Integrates on a fixed output grid, stopping exactly at every time and state event. */
export function integrate(problem: OdeProblem): OdeSolution {
  return new EventIntegrator(problem).run();
}

class EventIntegrator {
  private readonly solution: OdeSolution = { time: [], states: [], eventIndices: [] };
  private readonly stateEvents: readonly StateEvent[];
  private readonly timeEvents: TimeEvent[];
  private readonly maxStep: number;
  private readonly gridCount: number;
  /** Times closer than this are the same instant (grid points, event times). */
  private readonly epsilon: number;
  private readonly locateTolerance: number;
  private t: number;
  private x: StateVector;
  private indicators: number[] = [];
  private gridIndex = 1;
  private timeEventIndex = 0;

  constructor(private readonly problem: OdeProblem) {
    const { startTime, stopTime, outputInterval } = problem;
    if (!(stopTime > startTime) || !(outputInterval > 0)) {
      throw new Error('integrate: need startTime < stopTime and a positive outputInterval');
    }
    const scale = Math.max(1, Math.abs(startTime), Math.abs(stopTime));
    this.epsilon = 1e-12 * scale;
    this.locateTolerance = 1e-13 * scale;
    this.maxStep = Math.min(problem.maxStep ?? outputInterval, outputInterval);
    this.gridCount = Math.max(1, Math.round((stopTime - startTime) / outputInterval));
    this.stateEvents = problem.stateEvents ?? [];
    this.timeEvents = (problem.timeEvents ?? [])
      .filter((e) => e.time > startTime + this.epsilon && e.time < stopTime - this.epsilon)
      .sort((a, b) => a.time - b.time);
    this.t = startTime;
    this.x = Float64Array.from(problem.initialState);
  }

  run(): OdeSolution {
    this.record();
    this.refreshIndicators();
    while (this.gridIndex <= this.gridCount) {
      this.advance();
    }
    return this.solution;
  }

  private gridTime(index: number): number {
    const { startTime, stopTime, outputInterval } = this.problem;
    // Multiplying instead of accumulating keeps the grid free of round-off drift.
    return index >= this.gridCount ? stopTime : startTime + index * outputInterval;
  }

  private nextTimeEvent(): number {
    return this.timeEventIndex < this.timeEvents.length ? this.timeEvents[this.timeEventIndex].time : Infinity;
  }

  /** One step towards the next grid point or time event, cut short by a state event. */
  private advance(): void {
    const target = Math.min(this.gridTime(this.gridIndex), this.nextTimeEvent());
    const remaining = target - this.t;
    // Landing exactly on the target avoids a sliver step left over by round-off.
    const tNext = remaining <= this.maxStep * (1 + 1e-9) ? target : this.t + this.maxStep;
    const xNext = rk4Step(this.problem.derivative, this.t, this.x, tNext - this.t);
    const indicatorsNext = this.stateEvents.map((e) => e.indicator(tNext, xNext));
    const located = this.locateStateEvent(tNext, xNext, indicatorsNext);
    if (located) {
      this.t = located.t;
      this.x = located.x;
      this.handleEventInstant();
      return;
    }
    this.t = tNext;
    this.x = xNext;
    const atTimeEvent = Math.abs(this.t - this.nextTimeEvent()) <= this.epsilon;
    if (atTimeEvent) {
      this.handleEventInstant();
      return;
    }
    this.indicators = indicatorsNext;
    if (Math.abs(this.t - this.gridTime(this.gridIndex)) <= this.epsilon) {
      this.record();
      this.gridIndex++;
    }
  }

  private locateStateEvent(tNext: number, xNext: StateVector, indicatorsNext: number[]): LocatedEvent | undefined {
    const h = tNext - this.t;
    let earliest = Infinity;
    this.stateEvents.forEach((event, i) => {
      if (hasCrossed(this.indicators[i], indicatorsNext[i], event.direction)) {
        const { derivative } = this.problem;
        const offset = bisectCrossing(derivative, event, this.indicators[i], this.t, this.x, h, this.locateTolerance);
        earliest = Math.min(earliest, offset);
      }
    });
    if (earliest === Infinity) {
      return undefined;
    }
    if (earliest === h) {
      return { t: tNext, x: xNext };
    }
    return { t: this.t + earliest, x: rk4Step(this.problem.derivative, this.t, this.x, earliest) };
  }

  /**
   * Records the left limit, applies every reset due now (crossed state events and time events),
   * records the right limit. A grid point at the same instant is represented by the left limit.
   */
  private handleEventInstant(): void {
    const maxEvents = this.problem.maxEvents ?? 10000;
    if (this.solution.eventIndices.length >= maxEvents) {
      throw new Error(`integrate: more than ${maxEvents} events before t = ${this.t}; is the model chattering?`);
    }
    const fired = this.stateEvents.filter((event, i) =>
      hasCrossed(this.indicators[i], event.indicator(this.t, this.x), event.direction)
    );
    this.solution.eventIndices.push(this.solution.time.length);
    this.record();
    fired.forEach((event) => event.reset(this.t, this.x));
    while (Math.abs(this.t - this.nextTimeEvent()) <= this.epsilon) {
      this.timeEvents[this.timeEventIndex++].reset(this.t, this.x);
    }
    this.record();
    this.refreshIndicators();
    while (this.gridIndex <= this.gridCount && this.gridTime(this.gridIndex) <= this.t + this.epsilon) {
      this.gridIndex++;
    }
  }

  private refreshIndicators(): void {
    this.indicators = this.stateEvents.map((e) => e.indicator(this.t, this.x));
  }

  private record(): void {
    this.solution.time.push(this.t);
    this.solution.states.push(Float64Array.from(this.x));
  }
}
