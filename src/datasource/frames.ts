import { createDataFrame, FieldType, type DataFrame, type QueryResultMetaNotice } from '@grafana/data';

import type { Series } from '../shared/api';
import { MS_PER_SIMULATION_SECOND } from './types';
import { grafanaUnit } from './units';

function notices(series: Series): QueryResultMetaNotice[] {
  if (!series.downsampled) {
    return [];
  }
  return [
    {
      severity: 'info',
      text: `${series.simulationName} ${series.variable}: ${series.values.length} of ${series.pointsInRange} points shown (M4 downsampling keeps every extreme)`,
    },
  ];
}

/** One time-series frame per (simulation, variable): a typed time field and a value field with unit and labels. */
export function seriesToFrame(series: Series, refId: string): DataFrame {
  const displayName = `${series.simulationName} ${series.variable}`;
  return createDataFrame({
    refId,
    name: displayName,
    meta: { preferredVisualisationType: 'graph', notices: notices(series) },
    fields: [
      {
        name: 'Time',
        type: FieldType.time,
        values: series.time.map((t) => t * MS_PER_SIMULATION_SECOND),
        config: {},
      },
      {
        name: series.variable,
        type: FieldType.number,
        values: series.values,
        labels: { simulation: series.simulationName, variable: series.resolvedName },
        config: {
          displayNameFromDS: displayName,
          unit: grafanaUnit(series.unit),
          description: series.description || undefined,
        },
      },
    ],
  });
}
