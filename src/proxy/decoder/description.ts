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

export function parseDescription(description: string): DescriptionParts {
  // String search instead of a regular expression: catalogues parse tens of thousands of these.
  const trimmed = description.trimEnd();
  const open = trimmed.endsWith(']') ? trimmed.lastIndexOf('[') : -1;
  const inside = open === -1 ? '' : trimmed.slice(open + 1, -1);
  if (open === -1 || inside.includes(']')) {
    return { text: description.trim(), unit: null, displayUnit: null, valueType: null };
  }
  const typeMatch = inside.includes(':#') ? TYPE_TAG.exec(inside) : null;
  const unitPart = typeMatch ? inside.slice(0, typeMatch.index) : inside;
  const bar = unitPart.indexOf('|');
  const unit = (bar === -1 ? unitPart : unitPart.slice(0, bar)).trim();
  const displayUnit = bar === -1 ? '' : unitPart.slice(bar + 1).trim();
  return {
    text: trimmed.slice(0, open).trim(),
    unit: unit || null,
    displayUnit: displayUnit || null,
    valueType: typeMatch ? typeMatch[1].trim() || null : null,
  };
}
