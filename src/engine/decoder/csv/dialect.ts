export type CsvDelimiter = ',' | ';' | '\t';

const CANDIDATES: readonly CsvDelimiter[] = [',', ';', '\t'];
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * The separator of a CSV file, chosen as the candidate that occurs most often in its header line
 * outside quotes (quoted names such as "x[1,1]" hold commas). Ties go to the comma; a header
 * without any separator is a single column, also reported as a comma.
 */
export function detectDelimiter(head: Uint8Array): CsvDelimiter {
  const counts = new Map<number, number>(CANDIDATES.map((c) => [c.charCodeAt(0), 0]));
  let quoted = false;
  for (const byte of head) {
    if (byte === QUOTE) {
      quoted = !quoted;
    } else if (!quoted && (byte === LF || byte === CR)) {
      break;
    } else if (!quoted && counts.has(byte)) {
      counts.set(byte, (counts.get(byte) ?? 0) + 1);
    }
  }
  let best: CsvDelimiter = ',';
  for (const candidate of CANDIDATES) {
    if ((counts.get(candidate.charCodeAt(0)) ?? 0) > (counts.get(best.charCodeAt(0)) ?? 0)) {
      best = candidate;
    }
  }
  return best;
}
