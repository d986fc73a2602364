import type { ScopedVars } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

import type { NewestRun, RegressionRuns, SimVizQuery } from './types';

/** Joins multi-values inside one replace() call; no simulation id or Modelica name contains it. */
const SEPARATOR = '\u001f';

function joinValues(value: unknown): string {
  return Array.isArray(value) ? value.map(String).join(SEPARATOR) : String(value);
}

/**
 * Expands template variables in a list: `$simulation` with three values selected becomes three
 * entries, so multi-value and All work wherever a variable can appear. Duplicates are removed.
 */
export function interpolateList(values: readonly string[], templateSrv: TemplateSrv, scopedVars: ScopedVars = {}): string[] {
  const expanded = values.flatMap((value) => templateSrv.replace(value, scopedVars, joinValues).split(SEPARATOR));
  return [...new Set(expanded.map((v) => v.trim()).filter(Boolean))];
}

/** A free-text field: several values read as "a + b", as Grafana shows them in titles. */
function interpolateText(text: string | undefined, templateSrv: TemplateSrv, scopedVars: ScopedVars = {}): string | undefined {
  return text === undefined ? undefined : templateSrv.replace(text, scopedVars, 'text');
}

/** The newest-run filter: each of its texts may name a variable, e.g. `$folder`. */
function interpolateNewest(newest: NewestRun | undefined, templateSrv: TemplateSrv, scopedVars?: ScopedVars): NewestRun | undefined {
  if (newest === undefined) {
    return undefined;
  }
  const entries = Object.entries(newest).map(([key, value]) => [key, typeof value === 'string' ? templateSrv.replace(value, scopedVars, 'raw') : value]);
  return Object.fromEntries(entries) as NewestRun;
}

/** The regression batch's texts may name variables too, e.g. `$folder`. */
function interpolateRuns(runs: RegressionRuns, templateSrv: TemplateSrv, scopedVars?: ScopedVars): RegressionRuns {
  const text = (value: string | undefined) => (value === undefined ? undefined : templateSrv.replace(value, scopedVars, 'raw'));
  return { ...runs, search: text(runs.search), folder: text(runs.folder), tag: text(runs.tag) };
}

export function interpolateQuery(query: SimVizQuery, templateSrv: TemplateSrv, scopedVars?: ScopedVars): SimVizQuery {
  return {
    ...query,
    ...(query.newest === undefined ? {} : { newest: interpolateNewest(query.newest, templateSrv, scopedVars) }),
    simulations: interpolateList(query.simulations ?? [], templateSrv, scopedVars),
    variables: interpolateList(query.variables ?? [], templateSrv, scopedVars),
    legend: interpolateText(query.legend, templateSrv, scopedVars),
    parameterSearch: interpolateText(query.parameterSearch, templateSrv, scopedVars),
    ...(query.referenceId === undefined ? {} : { referenceId: templateSrv.replace(query.referenceId, scopedVars, 'raw') }),
    ...(query.regressionRuns === undefined ? {} : { regressionRuns: interpolateRuns(query.regressionRuns, templateSrv, scopedVars) }),
  };
}
