/** Values shown the way Grafana formats them: its unit formatters, value mappings and field display names. */
import { FieldType, formattedValueToString, getFieldDisplayName, getValueFormat, type DataFrame, type Field, type FieldConfig, type ValueMapping } from '@grafana/data';

/** The name Grafana shows for a field: a transformation's rename, the datasource's name, else its name and labels. */
export function fieldTitle(field: Field, frame?: DataFrame): string {
  return getFieldDisplayName(field, frame);
}

/** The field's own config wins over the panel's defaults, as in Grafana. */
export function unitOf(field: Field, defaults: FieldConfig = {}): string | undefined {
  return field.config.unit ?? defaults.unit;
}

function mapped(value: unknown, mappings: ValueMapping[] = []): string | undefined {
  for (const mapping of mappings) {
    if (mapping.type === 'value') {
      const text = mapping.options[String(value)]?.text;
      if (text !== undefined) {
        return text;
      }
    }
  }
  return undefined;
}

export function formatValue(field: Field, row: number, defaults: FieldConfig = {}): string {
  const value: unknown = field.values[row];
  if (value === null || value === undefined) {
    return '';
  }
  const mappedText = mapped(value, field.config.mappings ?? defaults.mappings);
  if (mappedText !== undefined) {
    return mappedText;
  }
  if (field.type === FieldType.time) {
    // Milliseconds matter on the simulation axis (t = 0.45 s is 00:00:00.450).
    return new Date(Number(value)).toISOString().replace('T', ' ');
  }
  if (typeof value !== 'number') {
    return String(value);
  }
  const unit = unitOf(field, defaults);
  return formattedValueToString(getValueFormat(unit ?? 'none')(value, field.config.decimals ?? undefined));
}

/** A `/regex/flags` or a plain name, as a stat panel's reduceOptions.fields holds it. */
export function fieldMatcher(pattern: string | undefined, frame: DataFrame): (field: Field) => boolean {
  if (!pattern) {
    return (field) => field.type === FieldType.number;
  }
  const regex = /^\/(.*)\/([a-z]*)$/.exec(pattern);
  const test = regex ? new RegExp(regex[1], regex[2]) : undefined;
  return (field) => (test ? test.test(fieldTitle(field, frame)) : fieldTitle(field, frame) === pattern);
}
