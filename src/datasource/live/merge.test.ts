import type { LiveUpdate } from '../../shared/live';
import { applyLiveUpdate, emptyLiveView } from './merge';

function update(
  action: LiveUpdate['action'],
  seq: number,
  final: number[],
  provisional: number[],
  rows: number
): LiveUpdate {
  return {
    action,
    seq,
    time: final,
    values: final.map((t) => t * 10),
    provisional: { time: provisional, values: provisional.map((t) => (t === 7 ? null : t * 10)) },
    rows,
    settled: false,
  };
}

describe('applyLiveUpdate', () => {
  it('replaces the provisional points of the view with what an append brings', () => {
    let view = applyLiveUpdate(emptyLiveView(), update('replace', 1, [0, 1], [2, 3], 40));
    expect(view).toMatchObject({ time: [0, 1, 2, 3], values: [0, 10, 20, 30], provisionalCount: 2, rows: 40, seq: 1 });
    view = applyLiveUpdate(view, update('append', 2, [], [2, 3, 4], 50));
    expect(view).toMatchObject({ time: [0, 1, 2, 3, 4], provisionalCount: 3, rows: 50 });
    view = applyLiveUpdate(view, update('append', 3, [2, 4], [6, 7], 60));
    expect(view).toMatchObject({
      time: [0, 1, 2, 4, 6, 7],
      values: [0, 10, 20, 40, 60, null],
      provisionalCount: 2,
      rows: 60,
      seq: 3,
    });
  });

  it('extends the arrays of the view it is given, without copying them', () => {
    const view = applyLiveUpdate(emptyLiveView(), update('replace', 1, [0, 1], [2], 3));
    const next = applyLiveUpdate(view, update('append', 2, [2], [3], 4));
    expect(next).not.toBe(view);
    expect(next.time).toBe(view.time);
    expect(next.values).toBe(view.values);
  });

  it('ignores an update it has already applied, and an older replace', () => {
    const view = applyLiveUpdate(
      applyLiveUpdate(emptyLiveView(), update('replace', 4, [0], [1], 2)),
      update('append', 5, [1], [2], 3)
    );
    expect(applyLiveUpdate(view, update('append', 5, [1], [2], 3))).toBe(view);
    expect(applyLiveUpdate(view, update('append', 3, [9], [], 9))).toBe(view);
    expect(applyLiveUpdate(view, update('replace', 4, [0], [1], 2))).toBe(view);
  });

  it('marks a view that missed an update, until a replace comes', () => {
    const view = applyLiveUpdate(emptyLiveView(), update('replace', 1, [0], [1], 2));
    const missed = applyLiveUpdate(view, update('append', 3, [5], [6], 7));
    expect(missed).toMatchObject({ time: [0, 1], gap: true, seq: 1 });
    expect(applyLiveUpdate(missed, update('append', 2, [1], [2], 3))).toMatchObject({ gap: true, time: [0, 1] });
    expect(applyLiveUpdate(missed, update('replace', 3, [0, 5], [6], 7))).toMatchObject({
      time: [0, 5, 6],
      gap: false,
      seq: 3,
    });
  });

  it('takes a snapshot of the same update as the view again', () => {
    const view = applyLiveUpdate(emptyLiveView(), update('replace', 2, [0], [1], 2));
    expect(applyLiveUpdate(view, update('replace', 2, [0], [1], 2))).toEqual(view);
  });

  it('appends long updates without spreading them into one call', () => {
    const long = Array.from({ length: 300_000 }, (_, i) => i);
    const view = applyLiveUpdate(
      applyLiveUpdate(emptyLiveView(), update('replace', 1, [], [], 0)),
      update('append', 2, long, [], long.length)
    );
    expect(view.time.length).toBe(300_000);
  });
});
