/**
 * What Grafana's /api/ds/query does with the Arrow frames a backend returns: each becomes the
 * DataFrameJSON the browser reads (the SDK's writeArrowSchema / writeArrowData). Schema metadata
 * `name`, `refId`, `meta` (JSON); field metadata `tstype` (the field type), `labels` and `config`
 * (JSON). Times go out as whole epoch milliseconds with the rest in `data.nanos`; NaN and ±Inf as
 * null with their rows in `data.entities`; binary (json.RawMessage) values as the JSON they hold.
 */
import { tableFromIPC, Type, type Field as ArrowField, type Vector } from 'apache-arrow';

export interface FieldEntities {
  NaN?: number[];
  Inf?: number[];
  NegInf?: number[];
}

export interface FieldSchemaJson {
  name: string;
  type?: string;
  typeInfo?: { frame: string; nullable?: boolean };
  labels?: Record<string, string>;
  config?: Record<string, unknown>;
}

export interface DataFrameJson {
  schema: { name?: string; refId?: string; meta?: Record<string, unknown>; fields: FieldSchemaJson[] };
  data: { values: unknown[][]; entities?: Array<FieldEntities | null>; nanos?: Array<number[] | null> };
}

const NANOS_PER_MS = BigInt(1_000_000);

/** The Go type the SDK names in typeInfo.frame for each Arrow column type SimViz sends. */
function goType(field: ArrowField): string {
  switch (field.typeId) {
    case Type.Timestamp:
      return 'time.Time';
    case Type.Float:
      return 'float64';
    case Type.Bool:
      return 'bool';
    case Type.Binary:
      return 'json.RawMessage';
    case Type.Utf8:
      return 'string';
    default:
      throw new Error(`field ${field.name}: Arrow type ${String(field.type)} is not one Grafana reads from SimViz`);
  }
}

function jsonMetadata(metadata: Map<string, string>, key: string): Record<string, unknown> | undefined {
  const text = metadata.get(key);
  return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
}

function fieldSchema(field: ArrowField): FieldSchemaJson {
  const labels = jsonMetadata(field.metadata, 'labels') as Record<string, string> | undefined;
  const config = jsonMetadata(field.metadata, 'config');
  const frame = goType(field);
  return {
    name: field.name,
    type: field.metadata.get('tstype'),
    typeInfo: field.nullable ? { frame, nullable: true } : { frame },
    ...(labels ? { labels } : {}),
    ...(config ? { config } : {}),
  };
}

/** Timestamps as the SDK writes them: int64 nanoseconds split into whole milliseconds and the remainder. */
function timeValues(column: Vector): { values: Array<number | null>; nanos: number[] | null } {
  const raw = [...(column.toArray() as BigInt64Array)];
  const nanos = new Array<number>(column.length).fill(0);
  let fractional = false;
  const values = raw.map((ns, row) => {
    if (!column.isValid(row)) {
      return null;
    }
    const ms = ns / NANOS_PER_MS;
    const rest = Number(ns - ms * NANOS_PER_MS);
    if (rest !== 0) {
      fractional = true;
      nanos[row] = rest;
    }
    return Number(ms);
  });
  return { values, nanos: fractional ? nanos : null };
}

function floatValues(column: Vector): { values: Array<number | null>; entities: FieldEntities | null } {
  const entities: FieldEntities = {};
  const mark = (kind: keyof FieldEntities, row: number) => (entities[kind] = [...(entities[kind] ?? []), row]);
  const values = [...column].map((value: number | null, row) => {
    if (value === null || Number.isFinite(value)) {
      return value;
    }
    mark(Number.isNaN(value) ? 'NaN' : value > 0 ? 'Inf' : 'NegInf', row);
    return null;
  });
  return { values, entities: Object.keys(entities).length > 0 ? entities : null };
}

const decoder = new TextDecoder();

function plainValues(field: ArrowField, column: Vector): unknown[] {
  if (field.typeId === Type.Binary) {
    return [...column].map((bytes: Uint8Array | null) => (bytes === null ? null : (JSON.parse(decoder.decode(bytes)) as unknown)));
  }
  return [...column] as unknown[];
}

/** One Arrow IPC file, as QueryData returns each frame, to the JSON Grafana answers the browser with. */
export function arrowToFrameJson(bytes: Uint8Array): DataFrameJson {
  const table = tableFromIPC(bytes);
  const { schema } = table;
  const values: unknown[][] = [];
  const entities: Array<FieldEntities | null> = [];
  const nanos: Array<number[] | null> = [];
  schema.fields.forEach((field, index) => {
    const column = table.getChildAt(index)!;
    if (field.typeId === Type.Timestamp) {
      const time = timeValues(column);
      values.push(time.values);
      nanos.push(time.nanos);
      entities.push(null);
    } else if (field.typeId === Type.Float) {
      const numbers = floatValues(column);
      values.push(numbers.values);
      entities.push(numbers.entities);
      nanos.push(null);
    } else {
      values.push(plainValues(field, column));
      entities.push(null);
      nanos.push(null);
    }
  });
  const meta = jsonMetadata(schema.metadata, 'meta');
  return {
    schema: {
      name: schema.metadata.get('name') || undefined,
      refId: schema.metadata.get('refId') || undefined,
      ...(meta ? { meta } : {}),
      fields: schema.fields.map(fieldSchema),
    },
    data: {
      values,
      ...(entities.some(Boolean) ? { entities } : {}),
      ...(nanos.some(Boolean) ? { nanos } : {}),
    },
  };
}
