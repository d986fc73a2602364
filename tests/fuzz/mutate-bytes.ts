import type { Prng } from './prng';

/**
 * Format-blind mutations (byte/bit flips, inserts, deletes, line edits). They also keep the CSV
 * and MAT v5 seeds moving, whose structure the fuzzer does not model.
 */

export interface Mutated {
  bytes: Uint8Array;
  description: string;
}

/** Mutated files stay small so one case never costs more than a few milliseconds of I/O. */
export const MAX_MUTATED_BYTES = 4 * 1024 * 1024;

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x20, 0x0a, 0x2c, 0x22, 0x30, 0x39];

export function truncate(bytes: Uint8Array, at: number): Uint8Array {
  return bytes.slice(0, Math.max(0, Math.min(at, bytes.length)));
}

export function removeRange(bytes: Uint8Array, from: number, to: number): Uint8Array {
  const out = new Uint8Array(bytes.length - (to - from));
  out.set(bytes.subarray(0, from), 0);
  out.set(bytes.subarray(to), from);
  return out;
}

export function insertAt(bytes: Uint8Array, at: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + insert.length);
  out.set(bytes.subarray(0, at), 0);
  out.set(insert, at);
  out.set(bytes.subarray(at), at + insert.length);
  return out;
}

/** 1 most of the time, sometimes a burst: single changes find boundary bugs, bursts find state bugs. */
export function smallCount(rng: Prng): number {
  return rng.weighted([
    [1, 6],
    [2, 2],
    [rng.range(3, 8), 1],
  ]);
}

export function flipBytes(bytes: Uint8Array, rng: Prng, pickOffset: () => number): Mutated | undefined {
  if (bytes.length === 0) {
    return undefined;
  }
  const out = bytes.slice();
  const changes: string[] = [];
  for (let n = smallCount(rng); n > 0; n--) {
    const at = pickOffset();
    out[at] = rng.chance(0.5) ? rng.pick(INTERESTING_BYTES) : rng.int(256);
    changes.push(`${at}=0x${out[at].toString(16)}`);
  }
  return { bytes: out, description: `set bytes ${changes.join(',')}` };
}

export function flipBits(bytes: Uint8Array, rng: Prng, pickOffset: () => number): Mutated | undefined {
  if (bytes.length === 0) {
    return undefined;
  }
  const out = bytes.slice();
  const changes: string[] = [];
  for (let n = smallCount(rng); n > 0; n--) {
    const at = pickOffset();
    const bit = rng.int(8);
    out[at] ^= 1 << bit;
    changes.push(`${at}.${bit}`);
  }
  return { bytes: out, description: `flip bits ${changes.join(',')}` };
}

export function insertRandomBytes(bytes: Uint8Array, rng: Prng): Mutated {
  const at = rng.int(bytes.length + 1);
  const insert = new Uint8Array(rng.range(1, 64)).map(() =>
    rng.chance(0.5) ? rng.pick(INTERESTING_BYTES) : rng.int(256)
  );
  return { bytes: insertAt(bytes, at, insert), description: `insert ${insert.length} bytes at ${at}` };
}

export function deleteRandomRange(bytes: Uint8Array, rng: Prng): Mutated | undefined {
  if (bytes.length < 2) {
    return undefined;
  }
  const from = rng.int(bytes.length - 1);
  const to = Math.min(bytes.length, from + rng.range(1, rng.chance(0.8) ? 64 : 4096));
  return { bytes: removeRange(bytes, from, to), description: `delete bytes ${from}..${to}` };
}

export function duplicateChunk(bytes: Uint8Array, rng: Prng): Mutated | undefined {
  if (bytes.length < 2) {
    return undefined;
  }
  const from = rng.int(bytes.length - 1);
  const to = Math.min(bytes.length, from + rng.range(1, 1024));
  const at = rng.int(bytes.length + 1);
  const times = rng.chance(0.8) ? 1 : rng.range(2, 32);
  let out = bytes;
  for (let i = 0; i < times && out.length + (to - from) <= MAX_MUTATED_BYTES; i++) {
    out = insertAt(out, at, bytes.slice(from, to));
  }
  return { bytes: out, description: `copy bytes ${from}..${to} to ${at} x${times}` };
}

// Text mutations work on a latin1 string so that every byte maps to exactly one character and back.

function toLatin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function fromLatin1(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1 && i + 1 < text.length; i = text.indexOf('\n', i + 1)) {
    starts.push(i + 1);
  }
  return starts;
}

function lineSpan(text: string, starts: number[], k: number): [number, number] {
  return [starts[k], k + 1 < starts.length ? starts[k + 1] : text.length];
}

const TOKENS = [
  ',',
  ';',
  '\t',
  '"',
  '""',
  '\n',
  '\r\n',
  '\r',
  'NaN',
  'nan',
  'Inf',
  '-inf',
  '1e309',
  '-1e309',
  '-0',
  '0x10',
  '1e',
  '.',
  '-',
  '+',
  '\u0000',
  '\u00ef\u00bb\u00bf',
  '\u00c3\u00a9',
  '#',
  '"a,b"',
  ' ',
  '9'.repeat(400),
  'a'.repeat(2000),
  '1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16',
];

const NUMBERS = [
  '0',
  '-0',
  '1e308',
  '-1e308',
  '1e-320',
  'NaN',
  'Infinity',
  '',
  '1.5.5',
  '1e',
  '--1',
  '0x1f',
  ' 1',
  '1 ',
];

export function textDeleteLine(bytes: Uint8Array, rng: Prng): Mutated | undefined {
  const text = toLatin1(bytes);
  const starts = lineStarts(text);
  const k = rng.int(starts.length);
  const [from, to] = lineSpan(text, starts, k);
  return { bytes: fromLatin1(text.slice(0, from) + text.slice(to)), description: `delete line ${k + 1}` };
}

export function textDuplicateLine(bytes: Uint8Array, rng: Prng): Mutated | undefined {
  const text = toLatin1(bytes);
  const starts = lineStarts(text);
  const k = rng.int(starts.length);
  const [from, to] = lineSpan(text, starts, k);
  const line = text.slice(from, to).endsWith('\n') ? text.slice(from, to) : `${text.slice(from, to)}\n`;
  const times = rng.chance(0.8) ? 1 : rng.range(2, 200);
  const copies = line.repeat(Math.min(times, Math.floor(MAX_MUTATED_BYTES / Math.max(line.length, 1))));
  return {
    bytes: fromLatin1(text.slice(0, to) + copies + text.slice(to)),
    description: `repeat line ${k + 1} x${times}`,
  };
}

export function textSwapLines(bytes: Uint8Array, rng: Prng): Mutated | undefined {
  const text = toLatin1(bytes);
  const starts = lineStarts(text);
  if (starts.length < 2) {
    return undefined;
  }
  const lines = starts.map((_, k) => text.slice(...lineSpan(text, starts, k)));
  const a = rng.int(lines.length);
  const b = rng.int(lines.length);
  [lines[a], lines[b]] = [lines[b], lines[a]];
  return { bytes: fromLatin1(lines.join('')), description: `swap lines ${a + 1} and ${b + 1}` };
}

export function textInsertToken(bytes: Uint8Array, rng: Prng): Mutated {
  const text = toLatin1(bytes);
  const at = rng.int(text.length + 1);
  const token = rng.pick(TOKENS);
  return {
    bytes: fromLatin1(text.slice(0, at) + token + text.slice(at)),
    description: `insert ${JSON.stringify(token.length > 20 ? `${token.slice(0, 8)}…(${token.length})` : token)} at ${at}`,
  };
}

export function textReplaceNumber(bytes: Uint8Array, rng: Prng): Mutated | undefined {
  const text = toLatin1(bytes);
  const numbers = [...text.slice(0, 200_000).matchAll(/-?\d+(\.\d+)?(e[-+]?\d+)?/gi)];
  if (numbers.length === 0) {
    return undefined;
  }
  const match = rng.pick(numbers);
  const at = match.index ?? 0;
  const value = rng.pick(NUMBERS);
  return {
    bytes: fromLatin1(text.slice(0, at) + value + text.slice(at + match[0].length)),
    description: `replace number ${JSON.stringify(match[0])} at ${at} with ${JSON.stringify(value)}`,
  };
}

export function textChangeSeparator(bytes: Uint8Array, rng: Prng): Mutated | undefined {
  const text = toLatin1(bytes);
  const starts = lineStarts(text);
  const k = rng.chance(0.5) ? 0 : rng.int(starts.length);
  const [from, to] = lineSpan(text, starts, k);
  const separator = rng.pick([';', '\t', ' ', '|', '",', '']);
  const line = text.slice(from, to).split(',').join(separator);
  return {
    bytes: fromLatin1(text.slice(0, from) + line + text.slice(to)),
    description: `line ${k + 1}: "," -> ${JSON.stringify(separator)}`,
  };
}
