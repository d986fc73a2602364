/**
 * Checks of saved queries. Dashboards are JSON written by hand or by other tools, so a query may
 * name a query type, time axis or stats table this datasource does not know; such a query gets an
 * error saying so instead of silently running as something else.
 */
import { QUERY_TYPES, queryTypeOf, REGRESSION_VIEWS, STATS_TABLES, TIME_AXES, TIME_MODES, VARIABLE_QUERY_KINDS, type SimVizQuery, type SimVizVariableQuery } from '../types';

function isStringList(value: unknown): boolean {
  return value === undefined || (Array.isArray(value) && value.every((item) => typeof item === 'string'));
}

function oneOf(name: string, value: unknown, allowed: readonly string[]): string[] {
  return value === undefined || allowed.includes(value as string) ? [] : [`unknown ${name} "${String(value)}" (one of ${allowed.join(', ')})`];
}

function listProblems(query: Partial<Record<string, unknown>>, names: readonly string[]): string[] {
  return names.filter((name) => !isStringList(query[name])).map((name) => `${name} must be a list of strings`);
}

/** What is wrong with a saved query's shape; empty when the datasource can run it. */
export function queryProblems(query: SimVizQuery): string[] {
  const problems = [
    ...oneOf('query type', query.queryType, QUERY_TYPES),
    ...oneOf('time axis', query.timeAxis, TIME_AXES),
    ...oneOf('stats table', query.statsTable, STATS_TABLES),
    ...oneOf('time mode', query.timeMode, TIME_MODES),
    ...oneOf('regression view', query.regressionView, REGRESSION_VIEWS),
    ...toleranceProblems(query.regressionTolerances),
    ...listProblems(query as unknown as Record<string, unknown>, ['simulations', 'variables']),
    ...newestProblems(query.newest),
  ];
  if (query.timeMode === 'lastSeconds' && !(typeof query.lastSeconds === 'number' && query.lastSeconds > 0 && Number.isFinite(query.lastSeconds))) {
    problems.push('lastSeconds must be a positive number of seconds');
  }
  if (query.maxDataPoints !== undefined && !(Number.isInteger(query.maxDataPoints) && query.maxDataPoints > 0)) {
    problems.push('maxDataPoints must be a positive whole number');
  }
  if (query.live !== undefined && typeof query.live !== 'boolean') {
    problems.push('live must be true or false');
  }
  return problems;
}

function toleranceProblems(tolerances: unknown): string[] {
  if (tolerances === undefined) {
    return [];
  }
  if (typeof tolerances !== 'object' || tolerances === null || Array.isArray(tolerances)) {
    return ['regressionTolerances must be an object with absolute, relative, relativeTo and time'];
  }
  const given = tolerances as Record<string, unknown>;
  const problems = ['absolute', 'relative', 'time']
    .filter((key) => given[key] !== undefined && given[key] !== null && !(typeof given[key] === 'number' && Number.isFinite(given[key]) && (given[key] as number) >= 0))
    .map((key) => `regressionTolerances.${key} must be a number of at least 0`);
  return [...problems, ...oneOf('regressionTolerances.relativeTo', given.relativeTo, ['range', 'value'])];
}

function newestProblems(newest: unknown): string[] {
  if (newest === undefined) {
    return [];
  }
  if (typeof newest !== 'object' || newest === null || Array.isArray(newest)) {
    return ['newest must be an object with search, folder or tag'];
  }
  const entries = Object.entries(newest as Record<string, unknown>);
  const unknown = entries.filter(([key]) => !['search', 'folder', 'tag'].includes(key)).map(([key]) => `newest has no setting "${key}" (search, folder, tag)`);
  const notText = entries.filter(([, value]) => value !== undefined && typeof value !== 'string').map(([key]) => `newest.${key} must be text`);
  return [...unknown, ...notText];
}

/** Whether the query has what its type needs: runs (and variables to plot); stats need neither. */
export function isComplete(query: SimVizQuery): boolean {
  const type = queryTypeOf(query);
  if (type === 'stats' || (type === 'regression' && (query.regressionView === 'runs' || query.regressionView === 'runStatus'))) {
    return true;
  }
  const needsVariables = type === 'timeseries' || type === 'table';
  const hasRuns = (query.simulations?.length ?? 0) > 0 || query.newest !== undefined;
  return hasRuns && (!needsVariables || (query.variables?.length ?? 0) > 0);
}

/** What is wrong with a template variable query's shape; empty when the datasource can run it. */
export function variableQueryProblems(query: SimVizVariableQuery): string[] {
  return [
    ...oneOf('variable query kind', query.kind, VARIABLE_QUERY_KINDS),
    ...oneOf('variable kind', query.variableKind, ['trajectory', 'parameter']),
    ...listProblems(query as unknown as Record<string, unknown>, ['simulations']),
  ];
}

/** Whether the variable query says enough to list anything (an incomplete one lists nothing, while it is being edited). */
export function isCompleteVariableQuery(query: SimVizVariableQuery): boolean {
  switch (query.kind) {
    case 'variables':
      return (query.simulations ?? []).length > 0;
    case 'parameterValues':
      return Boolean(query.parameter);
    default:
      return true;
  }
}
