/**
 * Cost per appended row of a live series: 1e6 rows in batches of 100, the update of every batch
 * included, one variable. Not part of the tests; run it with
 *   npx tsx scripts/bench-live-downsample.ts
 * (under jest the same loop is about four times slower: its swc transform is not what the
 * backend bundle runs).
 */
import { LiveSeries, type LiveSeriesOptions } from '../src/engine/live/downsample';

const ROWS = 1_000_000;
const BATCH = 100;

/** The batches as the reader would hand them over: times in ms steps, a sine with a NaN in every 7,000 rows. */
function makeBatches(): Array<[Float64Array, Float64Array]> {
  return Array.from({ length: ROWS / BATCH }, (_, b) => {
    const time = Float64Array.from({ length: BATCH }, (_, i) => (b * BATCH + i) * 1e-3);
    return [time, time.map((t, i) => ((b * BATCH + i) % 7000 === 0 ? NaN : Math.sin(t)))];
  });
}

function nsPerRow(options: LiveSeriesOptions, batches: Array<[Float64Array, Float64Array]>): number {
  const series = new LiveSeries(options);
  const start = process.hrtime.bigint();
  for (const [time, values] of batches) {
    series.push(time, values);
  }
  return Number(process.hrtime.bigint() - start) / ROWS;
}

const cases: Record<string, LiveSeriesOptions> = {
  'maxPoints 1000, stop known (no widening)': { maxPoints: 1000, expectedStop: ROWS * 1e-3 },
  'maxPoints 1000, stop unknown (widens 9 times)': { maxPoints: 1000 },
  'maxPoints 100, stop unknown': { maxPoints: 100 },
};
const batches = makeBatches();
for (const [name, options] of Object.entries(cases)) {
  // Two runs to warm up, then the best of five.
  const runs = Array.from({ length: 7 }, () => nsPerRow(options, batches)).slice(2);
  const best = Math.min(...runs);
  console.log(
    `${name}: ${best.toFixed(1)} ns/row, ${((best * BATCH) / 1000).toFixed(2)} µs per batch of ${BATCH} (best of 5)`
  );
}
