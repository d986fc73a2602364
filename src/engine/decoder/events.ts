/**
 * Event instants of a result: Modelica tools store both limits of a discontinuity at the same time
 * stamp, so each run of equal consecutive times is one event (listed once, in order).
 */
export function eventTimes(time: ArrayLike<number>): number[] {
  const events: number[] = [];
  for (let i = 1; i < time.length; i++) {
    if (time[i] === time[i - 1] && (events.length === 0 || events[events.length - 1] !== time[i])) {
      events.push(time[i]);
    }
  }
  return events;
}
