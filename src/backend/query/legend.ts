/** The placeholders a legend template may use. */
export const LEGEND_KEYS = ['simulation', 'variable', 'unit', 'model', 'experiment', 'condition', 'folder'] as const;
export type LegendValues = Partial<Record<(typeof LEGEND_KEYS)[number], string | null | undefined>>;

export const DEFAULT_LEGEND = '{{simulation}} {{variable}}';

const PLACEHOLDER = /\{\{\s*([a-zA-Z]+)\s*\}\}/g;

/**
 * Fills `{{key}}` placeholders. A known key without a value becomes empty; an unknown key stays as
 * written, so a typo shows in the legend instead of vanishing. Whitespace left by empty values is
 * collapsed.
 */
export function renderLegend(template: string | undefined, values: LegendValues): string {
  const source = template?.trim() ? template : DEFAULT_LEGEND;
  const known = new Set<string>(LEGEND_KEYS);
  const filled = source.replace(PLACEHOLDER, (whole, key: string) => (known.has(key) ? (values[key as keyof LegendValues] ?? '') : whole));
  return filled.replace(/\s+/g, ' ').trim();
}
