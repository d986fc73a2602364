/** The engine's comparison as the API answers it: typed arrays to lists, NaN to null, counts. */
import type { PlotSeries, RunComparison, VariableComparison } from '../../../../engine/compare/types';
import type { PlotSeriesJson, RegressionResult, VariableRegression } from '../../../../shared/regression';

const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

function plotJson(series: PlotSeries): PlotSeriesJson {
  return { time: Array.from(series.time), values: Array.from(series.values, finiteOrNull) };
}

function variableJson(variable: VariableComparison): VariableRegression {
  const { plot, worst, ...rest } = variable;
  const json: VariableRegression = {
    ...rest,
    worst: worst && {
      time: worst.time,
      value: finiteOrNull(worst.value),
      referenceValue: finiteOrNull(worst.referenceValue),
      deviation: finiteOrNull(worst.deviation),
      relative: finiteOrNull(worst.relative),
    },
  };
  if (plot) {
    json.plot = {
      run: plotJson(plot.run),
      reference: plotJson(plot.reference),
      lower: plotJson(plot.lower),
      upper: plotJson(plot.upper),
    };
  }
  return json;
}

export interface ComparedRuns {
  simulation: string;
  simulationName: string;
  reference: string;
  referenceName: string;
}

export function regressionJson(runs: ComparedRuns, comparison: RunComparison): RegressionResult {
  const variables = comparison.variables.map(variableJson);
  const count = (status: VariableRegression['status']) => variables.filter((v) => v.status === status).length;
  return {
    ...runs,
    passed: comparison.passed,
    tolerances: comparison.tolerances,
    timeTolerance: comparison.timeTolerance,
    compared: comparison.compared,
    runSpan: comparison.runSpan,
    referenceSpan: comparison.referenceSpan,
    counts: { variables: variables.length, passed: count('pass'), failed: count('fail') + count('no-overlap'), missing: count('missing') },
    variables,
    parameters: comparison.parameters,
    warnings: comparison.warnings,
  };
}
