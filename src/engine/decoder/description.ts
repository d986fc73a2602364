/**
 * What a Modelica tool encodes in a variable description's trailing bracket:
 * `[unit]`, `[unit|displayUnit]` or `[:#(type=Boolean)]` (Dymola), e.g.
 * "Temperature of element [K|degC]", "Time in seconds[s]", "Switch state [:#(type=Boolean)]".
 */
export interface DescriptionParts {
  /** The description without the bracket. */
  text: string;
  unit: string | null;
  displayUnit: string | null;
  /** `Boolean`, `Integer` or an enumeration type name; null when the file does not say. */
  valueType: string | null;
}

const TYPE_TAG = /:#\(\s*type\s*=\s*([^)]*)\)/;

export type BracketParts = Omit<DescriptionParts, 'text'>;

/**
 * Bracket contents seen before, and what they mean. Files repeat a few dozen units thousands of
 * times; sharing their parsed strings keeps a 25,000-variable catalogue from holding (and the
 * garbage collector from copying) 50,000 small strings. Cleared when it grows past its bound.
 */
const bracketCache = new Map<string, BracketParts>();
const BRACKET_CACHE_LIMIT = 4096;

function parseBracket(inside: string): BracketParts {
  const cached = bracketCache.get(inside);
  if (cached) {
    return cached;
  }
  const typeMatch = inside.includes(':#') ? TYPE_TAG.exec(inside) : null;
  const unitPart = typeMatch ? inside.slice(0, typeMatch.index) : inside;
  const bar = unitPart.indexOf('|');
  const unit = (bar === -1 ? unitPart : unitPart.slice(0, bar)).trim();
  const displayUnit = bar === -1 ? '' : unitPart.slice(bar + 1).trim();
  const parts: BracketParts = {
    unit: unit || null,
    displayUnit: displayUnit || null,
    valueType: typeMatch ? typeMatch[1].trim() || null : null,
  };
  if (bracketCache.size >= BRACKET_CACHE_LIMIT) {
    bracketCache.clear();
  }
  bracketCache.set(inside, parts);
  return parts;
}

/**
 * Bracket contents seen before, keyed by a hash of their bytes and checked against them: a
 * catalogue's descriptions are then parsed without making a string of each (see
 * parseDescriptionBytes). Cleared when it grows past its bound.
 */
const bracketByBytes = new Map<number, { inside: string; parts: BracketParts }>();

function parseBracketBytes(bytes: Uint8Array, text: string, from: number, to: number): BracketParts {
  let hash = 0x811c9dc5;
  for (let i = from; i < to; i++) {
    hash = Math.imul(hash ^ bytes[i], 0x01000193);
  }
  const seen = bracketByBytes.get(hash);
  if (seen && sameChars(seen.inside, bytes, from, to)) {
    return seen.parts;
  }
  const inside = text.slice(from, to);
  const parts = parseBracket(inside);
  if (!seen) {
    if (bracketByBytes.size >= BRACKET_CACHE_LIMIT) {
      bracketByBytes.clear();
    }
    bracketByBytes.set(hash, { inside, parts });
  }
  return parts;
}

function sameChars(text: string, bytes: Uint8Array, from: number, to: number): boolean {
  if (text.length !== to - from) {
    return false;
  }
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== bytes[from + i]) {
      return false;
    }
  }
  return true;
}

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * parseDescription of the ASCII description `bytes[start, end)`, already trimmed, which `text`
 * holds at the same offsets (the whole matrix as one latin1 string). Only the description's text
 * becomes a string: a 25,000-variable catalogue made three strings and an object per description
 * before, and its opening time went to the garbage collector. Returns the text; the bracket's
 * parts (null without a bracket) go to `brackets[slot]`.
 */
export function parseDescriptionBytes(
  bytes: Uint8Array,
  text: string,
  start: number,
  end: number,
  brackets: Array<BracketParts | null>,
  slot: number
): string {
  // The last "[" before a final "]", with no "]" between them (as parseDescription).
  let open = -1;
  if (end > start && bytes[end - 1] === CLOSE_BRACKET) {
    for (let i = end - 2; i >= start && bytes[i] !== CLOSE_BRACKET; i--) {
      if (bytes[i] === OPEN_BRACKET) {
        open = i;
        break;
      }
    }
  }
  if (open === -1) {
    brackets[slot] = null;
    return text.slice(start, end);
  }
  brackets[slot] = parseBracketBytes(bytes, text, open + 1, end - 1);
  let textEnd = open;
  while (textEnd > start && isAsciiSpace(bytes[textEnd - 1])) {
    textEnd--;
  }
  return text.slice(start, textEnd);
}

/** The whitespace String.prototype.trim removes, for ASCII: space, \t, \n, \v, \f, \r. */
export function isAsciiSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

export function parseDescription(description: string): DescriptionParts {
  // String search instead of a regular expression: catalogues parse tens of thousands of these.
  const trimmed = description.trimEnd();
  const open = trimmed.endsWith(']') ? trimmed.lastIndexOf('[') : -1;
  const inside = open === -1 ? '' : trimmed.slice(open + 1, -1);
  if (open === -1 || inside.includes(']')) {
    return { text: description.trim(), unit: null, displayUnit: null, valueType: null };
  }
  const bracket = parseBracket(inside);
  return {
    text: trimmed.slice(0, open).trim(),
    unit: bracket.unit,
    displayUnit: bracket.displayUnit,
    valueType: bracket.valueType,
  };
}
