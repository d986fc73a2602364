import { createDataFrame, FieldType, type DataFrame } from '@grafana/data';

import type { Frame } from '../backend/frames/frame';

/** A frame of the shared query runners as Grafana's DataFrame (the runners' field kinds are FieldType's values). */
export function toDataFrame(frame: Frame): DataFrame {
  return createDataFrame({
    ...frame,
    fields: frame.fields.map((field) => ({ ...field, type: FieldType[field.type], values: [...field.values] })),
  });
}
