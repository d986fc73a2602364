import { isGlob, type Series, type Simulation } from '../../shared/api';
import type { SeriesColumns } from '../../shared/seriesColumns';
import { Float64Values } from '../frames/float64Values';
import type { Field, Frame, Notice } from '../frames/frame';
import type { SimVizQuery, TimeAxis } from '../../datasource/types';
import { grafanaUnit } from '../../datasource/units';
import { convertValues, displayConverter } from './displayUnits';
import { renderLegend } from './legend';
import { timeField } from './timeAxis';

export interface SeriesFrameOptions {
  query: SimVizQuery;
  axis: TimeAxis;
  originMs: number;
  /** The run's catalogue entry, when it could be fetched (for model, experiment and folder). */
  simulation: Simulation | undefined;
}

/** A series with its samples in JS arrays (live frames), or in the Float64Arrays of the answer (queries). */
export type FrameSeries = Series | SeriesColumns;

interface ShownValues {
  values: Field['values'];
  unit: string | null;
  notices: Notice[];
}

/** The samples as a field holds them: a typed answer's NaN and ±Infinity are its missing values. */
function storedValues(series: FrameSeries): Float64Values | Array<number | null> {
  return series.values instanceof Float64Array ? Float64Values.fromSamples(series.values) : series.values;
}

/** Values in the display unit when asked for and possible; otherwise as stored, with a notice why. */
function shownValues(series: FrameSeries, displayUnits: boolean | undefined): ShownValues {
  const values = storedValues(series);
  if (!displayUnits || !series.displayUnit || series.displayUnit === series.unit) {
    return { values, unit: series.unit, notices: [] };
  }
  const converter = displayConverter(series.unit, series.displayUnit);
  if (!converter) {
    const text = `${variableName(series)}: cannot convert ${series.unit ?? 'no unit'} to its display unit ${series.displayUnit}; shown in ${series.unit ?? 'stored units'}`;
    return { values, unit: series.unit, notices: [{ severity: 'warning', text }] };
  }
  const converted = values instanceof Float64Values ? values.map(converter.convert) : convertValues(values, converter);
  return { values: converted, unit: converter.unit, notices: [] };
}

/** Booleans, integers and enumerations are whole numbers: show them without decimals. */
function decimalsOf(series: FrameSeries): number | undefined {
  return series.valueType ? 0 : undefined;
}

/** The variable as the user asked for it, or, for a glob, the variable it matched. */
export function variableName(series: Pick<Series, 'variable' | 'resolvedName'>): string {
  return isGlob(series.variable) ? series.resolvedName : series.variable;
}

function downsamplingNotice(series: FrameSeries): Notice[] {
  if (!series.downsampled) {
    return [];
  }
  const text = `${series.simulationName} ${variableName(series)}: ${series.values.length} of ${series.pointsInRange} points shown (M4 downsampling keeps every extreme)`;
  return [{ severity: 'info', text }];
}

/** One frame per (simulation, variable): a typed time field and a value field with unit, labels and the legend's name. */
export function seriesFrame(series: FrameSeries, { query, axis, originMs, simulation }: SeriesFrameOptions): Frame {
  const shown = shownValues(series, query.displayUnits);
  const displayName = renderLegend(query.legend, {
    simulation: series.simulationName,
    variable: variableName(series),
    unit: shown.unit,
    model: simulation?.model,
    experiment: simulation?.experiment,
    condition: simulation?.condition,
    folder: simulation?.folder,
  });
  const labels: Record<string, string> = { simulation: series.simulationName, variable: series.resolvedName };
  if (simulation?.model) {
    labels.model = simulation.model;
  }
  return {
    refId: query.refId,
    name: displayName,
    meta: {
      preferredVisualisationType: axis === 'numeric' ? 'table' : 'graph',
      notices: [...downsamplingNotice(series), ...shown.notices],
    },
    fields: [
      timeField(axis, series.time, originMs),
      {
        name: variableName(series),
        type: 'number',
        values: shown.values,
        labels,
        config: {
          displayNameFromDS: displayName,
          unit: grafanaUnit(shown.unit),
          decimals: decimalsOf(series),
          description: series.description || undefined,
        },
      },
    ],
  };
}
