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

const TRAILING_BRACKET = /\s*\[([^[\]]*)\]\s*$/;
const TYPE_TAG = /:#\(\s*type\s*=\s*([^)]*)\)/;

export function parseDescription(description: string): DescriptionParts {
  const match = TRAILING_BRACKET.exec(description);
  if (!match) {
    return { text: description.trim(), unit: null, displayUnit: null, valueType: null };
  }
  const inside = match[1];
  const typeMatch = TYPE_TAG.exec(inside);
  const unitPart = (typeMatch ? inside.slice(0, typeMatch.index) : inside).trim();
  const [unit, displayUnit] = unitPart.split('|').map((part) => part.trim());
  return {
    text: description.slice(0, match.index).trim(),
    unit: unit || null,
    displayUnit: displayUnit || null,
    valueType: typeMatch ? typeMatch[1].trim() || null : null,
  };
}
