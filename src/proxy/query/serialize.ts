/**
 * The query response as JSON text, written straight from the typed arrays. Converting samples to
 * JS arrays first allocated a heap number per sample and doubled the serialization time; under
 * load that was the largest cost of a query after the read itself.
 */
import type { SeriesError } from '../../shared/api';
import type { SeriesData } from './run';

/** JSON for a number array; NaN and infinities become null, as JSON has no such numbers. */
export function numbersJson(values: Float64Array): string {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      return JSON.stringify(Array.from(values, (v) => (Number.isFinite(v) ? v : null)));
    }
  }
  // Number-to-string is the same algorithm for join and JSON (and -0 prints as 0 in both).
  return `[${values.join(',')}]`;
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
