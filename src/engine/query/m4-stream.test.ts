import fc from 'fast-check';

import { m4Indices } from './m4';
import { M4Stream, columnChunk, m4Plan } from './m4-stream';

/** Non-decreasing times with repeats (events), and values with NaN and infinities mixed in. */
const series = fc
  .record({
    steps: fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 10, noNaN: true })), { minLength: 2, maxLength: 400 }),
    values: fc.array(fc.oneof(fc.double(), fc.constant(NaN), fc.constant(Infinity), fc.constant(-Infinity), fc.integer({ min: -3, max: 3 })), {
      minLength: 400,
      maxLength: 400,
    }),
    start: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    maxPoints: fc.integer({ min: 1, max: 60 }),
    chunks: fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
  })
  .map(({ steps, values, start, maxPoints, chunks }) => {
    const time = new Float64Array(steps.length);
    steps.reduce((t, step, i) => (time[i] = t + step), start);
    return { time, columns: [Float64Array.from(values.slice(0, steps.length)), Float64Array.from(values.slice(0, steps.length), (v) => -v)], maxPoints, chunks };
  });

describe('streaming M4', () => {
  it('keeps exactly the points m4Indices keeps, however the samples are chunked', () => {
    fc.assert(
      fc.property(series, ({ time, columns, maxPoints, chunks }) => {
        fc.pre(time.length > maxPoints);
        const stream = new M4Stream(m4Plan(time[0], time[time.length - 1], maxPoints), columns.length);
        let base = 0;
        for (let c = 0; base < time.length; c++) {
          const size = Math.min(chunks[c % chunks.length], time.length - base);
          stream.feed(columnChunk(time.slice(base, base + size), columns.map((column) => column.slice(base, base + size))), size, base);
          base += size;
        }
        stream.finish().forEach((kept, k) => {
          const indices = Array.from(m4Indices(time, columns[k], maxPoints));
          expect(Array.from(kept.time)).toEqual(indices.map((i) => time[i]));
          expect(Array.from(kept.values)).toEqual(indices.map((i) => columns[k][i]));
        });
      }),
      { numRuns: 600 }
    );
  });

  it('keeps the same points from rows scanned in place (strided, with negated series)', () => {
    fc.assert(
      fc.property(series, ({ time, columns, maxPoints, chunks }) => {
        fc.pre(time.length > maxPoints);
        // Rows of [junk, value, time, junk]: the value column is read once as stored and once negated.
        const stride = 4;
        const rows = new Float64Array(time.length * stride);
        time.forEach((t, i) => rows.set([NaN, columns[0][i], t, -1], i * stride));
        const stream = new M4Stream(m4Plan(time[0], time[time.length - 1], maxPoints), 2);
        let base = 0;
        for (let c = 0; base < time.length; c++) {
          const size = Math.min(chunks[c % chunks.length], time.length - base);
          const view = rows.subarray(base * stride, (base + size) * stride);
          stream.feed({ time: view, timeAt: 2, values: [view, view], valueAt: Int32Array.of(1, 1), signs: Float64Array.of(1, -1), stride }, size, base);
          base += size;
        }
        stream.finish().forEach((kept, k) => {
          const indices = Array.from(m4Indices(time, columns[k], maxPoints));
          expect(Array.from(kept.time)).toEqual(indices.map((i) => time[i]));
          expect(Array.from(kept.values)).toEqual(indices.map((i) => columns[k][i]));
        });
      }),
      { numRuns: 300 }
    );
  });
});
