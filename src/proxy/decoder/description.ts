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

type BracketParts = Omit<DescriptionParts, 'text'>;

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

export function parseDescription(description: string): DescriptionParts {
  // String search instead of a regular expression: catalogues parse tens of thousands of these.
  const trimmed = description.trimEnd();
  const open = trimmed.endsWith(']') ? trimmed.lastIndexOf('[') : -1;
  const inside = open === -1 ? '' : trimmed.slice(open + 1, -1);
  if (open === -1 || inside.includes(']')) {
    return { text: description.trim(), unit: null, displayUnit: null, valueType: null };
  }
  const bracket = parseBracket(inside);
  return { text: trimmed.slice(0, open).trim(), unit: bracket.unit, displayUnit: bracket.displayUnit, valueType: bracket.valueType };
}
