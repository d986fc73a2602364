/**
 * A Frame as the frame JSON Grafana Live carries (what the SDK's data.FrameToJSON writes):
 * `schema` with the fields' types (typeInfo.frame is the Go type the SDK decodes into) and `data`
 * with the values column by column, time in epoch milliseconds.
 */
import { Float64Values } from './float64Values';
import type { Field, FieldKind, Frame } from './frame';

const GO_TYPES: Record<FieldKind, string> = {
  time: 'time.Time',
  number: 'float64',
  string: 'string',
  boolean: 'bool',
  other: 'json.RawMessage',
};

/** The values as frame JSON holds them: a JS array, null where a value is missing. */
function plainValues(values: Field['values']): readonly unknown[] {
  return values instanceof Float64Values ? values.toArray() : values;
}

function schemaField(field: Field): Record<string, unknown> {
  const nullable = field.values instanceof Float64Values ? field.values.nullCount > 0 : field.values.some((value) => value === null);
  return {
    name: field.name,
    type: field.type,
    typeInfo: nullable ? { frame: GO_TYPES[field.type], nullable: true } : { frame: GO_TYPES[field.type] },
    ...(field.labels ? { labels: field.labels } : {}),
    ...(field.config && Object.keys(field.config).length > 0 ? { config: field.config } : {}),
  };
}

export function frameToJson(frame: Frame): string {
  return JSON.stringify({
    schema: {
      name: frame.name,
      refId: frame.refId,
      ...(frame.meta ? { meta: frame.meta } : {}),
      fields: frame.fields.map(schemaField),
    },
    data: { values: frame.fields.map((field) => plainValues(field.values)) },
  });
}
