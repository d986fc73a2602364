/**
 * Regression queries: a run against its reference inside the tolerance tube. The proxy (or the
 * folder engine) compares; this turns its answer into frames: curves and the tube as a band,
 * failing intervals as annotations, or tables per variable and per run.
 */
import type { Simulation } from '../../shared/api';
import { isBatchItemError, severityOf, worstVariableOf, type BatchCompareResponse, type PlotSeriesJson, type RegressionResult, type VariableRegression } from '../../shared/regression';
import type { RegressionTolerances, SimVizQuery, TimeAxis } from '../../datasource/types';
import { grafanaUnit } from '../../datasource/units';
import type { Field, Frame, Notice } from '../frames/frame';
import { timeAxisOf, type QueryContext, type QueryRunner } from './context';
import { axisOriginMs, MS_PER_SECOND, queryWindow, timeField } from './timeAxis';

const DEFAULT_PLOT_POINTS = 1000;
const HOUR_MS = 3_600_000;

const TUBE_COLOR = 'green';
const FAILURE_COLOR = 'red';

function tolerancesOf(query: SimVizQuery): RegressionTolerances | undefined {
  const given = query.regressionTolerances;
  if (!given) {
    return undefined;
  }
  const entries = Object.entries(given).filter(([, value]) => value !== undefined && value !== '');
  return entries.length > 0 ? (Object.fromEntries(entries) as RegressionTolerances) : undefined;
}

function shownVariables(result: RegressionResult, onlyFailing: boolean | undefined): VariableRegression[] {
  return onlyFailing ? result.variables.filter((variable) => variable.status !== 'pass') : result.variables;
}

// ---------------------------------------------------------------------------------------------
// plot: curves, band, annotations
// ---------------------------------------------------------------------------------------------

interface PlotContext {
  query: SimVizQuery;
  axis: TimeAxis;
  originMs: number;
  result: RegressionResult;
}

function curveFrame(at: PlotContext, variable: VariableRegression, series: PlotSeriesJson, role: string, custom: Record<string, unknown>, color?: string): Frame {
  const displayName = `${variable.name} ${role}`;
  return {
    refId: at.query.refId,
    name: displayName,
    meta: { preferredVisualisationType: 'graph' },
    fields: [
      timeField(at.axis, series.time, at.originMs),
      {
        name: variable.name,
        type: 'number',
        values: series.values,
        labels: { simulation: role === 'reference' ? at.result.referenceName : at.result.simulationName, variable: variable.name, role },
        config: {
          displayNameFromDS: displayName,
          unit: grafanaUnit(variable.unit),
          custom,
          ...(color ? { color: { mode: 'fixed', fixedColor: color } } : {}),
        },
      },
    ],
  };
}

/** The tube as Grafana's band: the upper bound fills down to the lower (`fillBelowTo`), neither draws a line. */
function variableFrames(at: PlotContext, variable: VariableRegression): Frame[] {
  const plot = variable.plot;
  if (!plot) {
    return [];
  }
  const lowerName = `${variable.name} lower`;
  return [
    curveFrame(at, variable, plot.run, 'run', {}),
    curveFrame(at, variable, plot.reference, 'reference', { lineStyle: { fill: 'dash', dash: [10, 10] } }),
    curveFrame(at, variable, plot.lower, 'lower', { lineWidth: 0, fillOpacity: 0, hideFrom: { legend: true, tooltip: false, viz: false } }, TUBE_COLOR),
    curveFrame(at, variable, plot.upper, 'upper', { lineWidth: 0, fillOpacity: 20, fillBelowTo: lowerName }, TUBE_COLOR),
  ];
}

/** Simulation seconds as people read them: float32 times such as 0.00735000000087 become 0.00735. */
function seconds(value: number): string {
  return `${Number(value.toPrecision(6))} s`;
}

function failureText(variable: VariableRegression): string {
  const worst = variable.worst;
  const amount = worst?.deviation === null ? 'NaN on one side' : `${worst?.deviation.toPrecision(3)}${variable.unit ? ` ${variable.unit}` : ''} outside`;
  const where = worst ? `; worst ${amount} at t = ${seconds(worst.time)}` : '';
  return `${variable.name} leaves the tube${where}`;
}

/** Failing intervals as region annotations on the panel. */
function failureAnnotations(at: PlotContext, variables: readonly VariableRegression[]): Frame {
  const rows = variables.flatMap((variable) => variable.failures.map((interval) => ({ variable, interval })));
  const toMs = (seconds: number) => (at.axis === 'numeric' ? seconds * MS_PER_SECOND : at.originMs + seconds * MS_PER_SECOND);
  return {
    refId: at.query.refId,
    name: 'Failing intervals',
    meta: { dataTopic: 'annotations' },
    fields: [
      { name: 'time', type: 'time', values: rows.map((row) => toMs(row.interval.from)) },
      { name: 'timeEnd', type: 'time', values: rows.map((row) => toMs(row.interval.to)) },
      { name: 'isRegion', type: 'boolean', values: rows.map(() => true) },
      { name: 'title', type: 'string', values: rows.map((row) => `${row.variable.name}: fails`) },
      { name: 'text', type: 'string', values: rows.map((row) => failureText(row.variable)) },
      { name: 'tags', type: 'other', values: rows.map((row) => ['regression', row.variable.name]) },
      { name: 'color', type: 'string', values: rows.map(() => FAILURE_COLOR) },
    ],
  };
}

function resultNotices(result: RegressionResult, shown: number): Notice[] {
  const notices: Notice[] = result.warnings.map((text) => ({ severity: 'warning', text }));
  const missing = result.variables.filter((variable) => variable.status === 'missing');
  if (missing.length > 0) {
    const list = missing.map((variable) => `${variable.name} (not in the ${variable.missingIn})`).join(', ');
    notices.push({ severity: 'warning', text: `not compared: ${list}` });
  }
  if (result.parameters.length > 0) {
    notices.push({ severity: 'info', text: `${result.parameters.length} parameter(s) differ from the reference: ${result.parameters.slice(0, 5).map((p) => p.name).join(', ')}` });
  }
  const verdict = result.passed ? 'passes' : 'FAILS';
  notices.push({ severity: result.passed ? 'info' : 'warning', text: `${result.simulationName} ${verdict} against ${result.referenceName}: ${result.counts.failed} of ${result.counts.variables} variables fail (${shown} shown)` });
  return notices;
}

async function compareForPlot(context: QueryContext, query: SimVizQuery, run: string): Promise<Frame[]> {
  const axis = timeAxisOf(context, query);
  const simulation: Simulation | undefined = await context.simulation(run).catch(() => undefined);
  const originMs = axisOriginMs(axis, simulation);
  const window = queryWindow(query, context, axis, originMs, simulation);
  const result = await context.client.compare(
    run,
    {
      referenceId: query.referenceId || undefined,
      variables: query.variables.length > 0 ? query.variables : undefined,
      tolerances: tolerancesOf(query),
      plot: { maxDataPoints: Math.max(2, query.maxDataPoints ?? context.maxDataPoints ?? DEFAULT_PLOT_POINTS), ...window },
    },
    `${context.requestId}-${query.refId}-${run}`
  );
  const at: PlotContext = { query, axis, originMs, result };
  const shown = shownVariables(result, query.onlyFailing);
  const frames = shown.flatMap((variable) => variableFrames(at, variable));
  const notices = resultNotices(result, shown.length);
  if (frames.length > 0) {
    frames[0] = { ...frames[0], meta: { ...frames[0].meta, notices } };
  }
  return [...frames, failureAnnotations(at, shown)];
}

// ---------------------------------------------------------------------------------------------
// tables
// ---------------------------------------------------------------------------------------------

const text = (name: string, values: string[]): Field => ({ name, type: 'string', values, config: {} });
const numbers = (name: string, values: Array<number | null>, unit?: string): Field => ({ name, type: 'number', values, config: { displayNameFromDS: name, ...(unit ? { unit } : {}) } });

function intervalsText(variable: VariableRegression): string {
  const listed = variable.failures.map((interval) => `${seconds(interval.from)} – ${seconds(interval.to)}`).join(', ');
  return variable.failureCount > variable.failures.length ? `${listed} (+${variable.failureCount - variable.failures.length} more)` : listed;
}

function variablesTable(query: SimVizQuery, result: RegressionResult): Frame {
  const variables = shownVariables(result, query.onlyFailing);
  return {
    refId: query.refId,
    name: `${result.simulationName} vs ${result.referenceName}`,
    meta: { preferredVisualisationType: 'table', notices: resultNotices(result, variables.length) },
    fields: [
      text('Variable', variables.map((v) => v.name)),
      text('Result', variables.map((v) => (v.status === 'missing' ? `missing in ${v.missingIn}` : v.status))),
      numbers('Worst deviation', variables.map((v) => v.worst?.deviation ?? null)),
      numbers('Worst / tube', variables.map(severityOf)),
      numbers('At time', variables.map((v) => v.worst?.time ?? null), 's'),
      text('Unit', variables.map((v) => v.unit ?? '')),
      numbers('Failing intervals', variables.map((v) => v.failureCount)),
      text('Where', variables.map(intervalsText)),
      numbers('Samples checked', variables.map((v) => v.checked)),
    ],
  };
}

async function compareBatch(context: QueryContext, query: SimVizQuery): Promise<BatchCompareResponse> {
  const runs = query.regressionRuns ?? {};
  const modifiedSince = runs.withinHours && runs.withinHours > 0 ? new Date(Date.now() - runs.withinHours * HOUR_MS).toISOString() : undefined;
  const selection = query.simulations.length > 0 && !runs.search && !runs.folder && !runs.tag ? { simulations: query.simulations } : {};
  return context.client.compareBatch(
    {
      ...selection,
      search: runs.search || undefined,
      folder: runs.folder || undefined,
      tag: runs.tag || undefined,
      modifiedSince,
      variables: query.variables.length > 0 ? query.variables : undefined,
      tolerances: tolerancesOf(query),
    },
    `${context.requestId}-${query.refId}`
  );
}

function worstSeverityOf(result: RegressionResult): number | null {
  const worst = worstVariableOf(result);
  return worst ? severityOf(worst) : null;
}

function batchNotices(batch: BatchCompareResponse): Notice[] {
  const notices: Notice[] = [];
  if (batch.withoutReference > 0) {
    notices.push({ severity: 'info', text: `${batch.withoutReference} of ${batch.selected} selected runs name no reference and were not compared` });
  }
  if (batch.truncated > 0) {
    notices.push({ severity: 'warning', text: `${batch.truncated} runs were not compared (limit reached); narrow the selection` });
  }
  return notices;
}

function runsTable(query: SimVizQuery, batch: BatchCompareResponse): Frame {
  const items = batch.items;
  const result = (pick: (r: RegressionResult) => number | null) => items.map((item) => (isBatchItemError(item) ? null : pick(item)));
  return {
    refId: query.refId,
    name: 'Regression by run',
    meta: { preferredVisualisationType: 'table', notices: batchNotices(batch) },
    fields: [
      text('Run', items.map((item) => item.simulationName)),
      text('Reference', items.map((item) => (isBatchItemError(item) ? (item.reference ?? '') : item.referenceName))),
      text('Result', items.map((item) => (isBatchItemError(item) ? `error: ${item.error.message}` : item.passed ? 'pass' : 'fail'))),
      numbers('Variables', result((r) => r.counts.variables)),
      numbers('Failed', result((r) => r.counts.failed)),
      numbers('Missing', result((r) => r.counts.missing)),
      text('Worst variable', items.map((item) => (isBatchItemError(item) ? '' : (worstVariableOf(item)?.name ?? '')))),
      numbers('Worst / tube', result(worstSeverityOf)),
      numbers('Parameters differing', result((r) => r.parameters.length)),
      text('Run id', items.map((item) => item.simulation)),
    ],
  };
}

/**
 * One number per run with the run as labels: Grafana's alerting reads such a table as one series
 * per row, so `Failing variables > 0` fires once for each run that fails. A run that could not be
 * compared counts as failing everything (-1 would read as passing).
 */
function runStatusTable(query: SimVizQuery, batch: BatchCompareResponse): Frame {
  const items = batch.items;
  return {
    refId: query.refId,
    name: 'Regression status',
    meta: { preferredVisualisationType: 'table', notices: batchNotices(batch) },
    fields: [
      text('run', items.map((item) => item.simulationName)),
      text('reference', items.map((item) => (isBatchItemError(item) ? (item.reference ?? '') : item.referenceName))),
      numbers('Failing variables', items.map((item) => (isBatchItemError(item) ? Math.max(1, query.variables.length) : item.counts.failed + item.counts.missing))),
    ],
  };
}

export const runRegression: QueryRunner = async (context, query) => {
  const view = query.regressionView ?? 'plot';
  if (view === 'runs' || view === 'runStatus') {
    const batch = await compareBatch(context, query);
    return { frames: [view === 'runs' ? runsTable(query, batch) : runStatusTable(query, batch)], errors: [] };
  }
  const [run] = query.simulations;
  if (!run) {
    return { frames: [], errors: [{ refId: query.refId, message: 'choose the run to compare with its reference' }] };
  }
  if (view === 'variables') {
    const result = await context.client.compare(
      run,
      { referenceId: query.referenceId || undefined, variables: query.variables.length > 0 ? query.variables : undefined, tolerances: tolerancesOf(query) },
      `${context.requestId}-${query.refId}-${run}`
    );
    return { frames: [variablesTable(query, result)], errors: [] };
  }
  return { frames: await compareForPlot(context, query, run), errors: [] };
};
