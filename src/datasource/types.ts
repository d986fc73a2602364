import type { DataSourceJsonData } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';

export const QUERY_TYPES = ['timeseries', 'table', 'parameters', 'events', 'stats', 'regression'] as const;
export type SimVizQueryType = (typeof QUERY_TYPES)[number];

/**
 * The tables of a `stats` query (the proxy's operational figures): one-row `summary` (version,
 * status, uptime, memory) and `indexing` (last scan, decodes) for stat panels; `status` (simulations
 * by status), `failures` (recent failures), `caches` and `routes` (request timings) as tables.
 */
export const STATS_TABLES = ['summary', 'status', 'failures', 'indexing', 'caches', 'routes'] as const;
export type StatsTable = (typeof STATS_TABLES)[number];

/**
 * How simulation time becomes Grafana time. `simulation`: t seconds at epoch + t, so runs overlay
 * aligned at t = 0. `runStart`: at the run's start (from its name, else the file's mtime) + t.
 * `numeric`: a plain number field in seconds, for the XY chart.
 */
export const TIME_AXES = ['simulation', 'runStart', 'numeric'] as const;
export type TimeAxis = (typeof TIME_AXES)[number];

/**
 * Which part of a run a query reads. `dashboard`: the dashboard's (or alert rule's) time range on
 * the query's time axis. `wholeRun`: every time point. `lastSeconds`: the last `lastSeconds`
 * seconds before the run's stop time. Alert rules are evaluated on *now*, and simulation time
 * starts at 1970, so alerting on results needs one of the last two.
 */
export const TIME_MODES = ['dashboard', 'wholeRun', 'lastSeconds'] as const;
export type TimeMode = (typeof TIME_MODES)[number];

/**
 * What a regression query returns. `plot`: per variable the run, the reference and the tolerance
 * tube as a band, with the failing intervals as annotations. `variables`: a table, one row per
 * variable. `runs`: a table, one row per run of a folder or search that names a reference.
 * `runStatus`: per run its count of failing variables alone (the run as labels), the shape an
 * alert rule evaluates as one alert instance per run.
 */
export const REGRESSION_VIEWS = ['plot', 'variables', 'runs', 'runStatus'] as const;
export type RegressionView = (typeof REGRESSION_VIEWS)[number];

/** Tolerances of a regression query; absent ones come from the sidecars, then the defaults. */
export interface RegressionTolerances {
  absolute?: number;
  relative?: number;
  relativeTo?: 'range' | 'value';
  time?: number | null;
}

/** The runs of a `runs` or `runStatus` regression query: all that match, modified within the last hours when given. */
export interface RegressionRuns {
  search?: string;
  folder?: string;
  tag?: string;
  /** Only runs modified in the last this many hours (e.g. 24: last night's). */
  withinHours?: number;
}

/** Picks the newest finished run matching all that is given, instead of the listed simulations. */
export interface NewestRun {
  search?: string;
  folder?: string;
  tag?: string;
}

/**
 * `queryType` (inherited from DataQuery, where it is a plain string) holds a SimVizQueryType; read
 * it through queryTypeOf. Queries saved before query types existed have none: time series.
 */
export interface SimVizQuery extends DataQuery {
  /** Simulation ids, as listed by the proxy; may hold `$variables`. */
  simulations: string[];
  /** Variable names as stored in the result files, or globs (`pipe[*].port_a.m_flow`). */
  variables: string[];
  /** Series names, e.g. `{{simulation}} {{variable}}`; see LEGEND_KEYS. */
  legend?: string;
  /** Absent: the datasource's default. */
  timeAxis?: TimeAxis;
  /** Convert values to each variable's display unit (K -> degC, Pa -> bar, rad/s -> rpm). */
  displayUnits?: boolean;
  /** Overrides the panel's maxDataPoints. */
  maxDataPoints?: number;
  /** Time series: runs still being written extend in the panel as they are written (Grafana Live). */
  live?: boolean;
  /** Only on the way to the backend: `maxDataPoints` as the query set it (Grafana overwrites that field with the panel's). */
  queryMaxDataPoints?: number;
  /** Parameters of several runs: only those whose values differ. */
  differsOnly?: boolean;
  /** Events: also mark each run's start and stop. */
  runBounds?: boolean;
  /** Parameters: a text filter on name and description. */
  parameterSearch?: string;
  /** Stats: which table of the proxy's figures (default `summary`). */
  statsTable?: StatsTable;
  /** Absent: `dashboard`. */
  timeMode?: TimeMode;
  /** For `timeMode: lastSeconds`: how many seconds before the run's stop time. */
  lastSeconds?: number;
  /** When set, the query reads the newest finished run that matches, not `simulations`. */
  newest?: NewestRun;
  /** Regression: absent `plot`. */
  regressionView?: RegressionView;
  /** Regression: the run compared against (may be `$reference`); absent: the run's reference from its sidecar. */
  referenceId?: string;
  regressionTolerances?: RegressionTolerances;
  /** Regression: only the variables that fail (or are missing), "all that differ". */
  onlyFailing?: boolean;
  /** Regression `runs` and `runStatus`: which runs. */
  regressionRuns?: RegressionRuns;
}

export function queryTypeOf(query: Pick<DataQuery, 'queryType'>): SimVizQueryType {
  return QUERY_TYPES.find((type) => type === query.queryType) ?? 'timeseries';
}

export const DEFAULT_QUERY: Partial<SimVizQuery> = {
  queryType: 'timeseries',
  simulations: [],
  variables: [],
};

/** Settings stored in the datasource's jsonData (visible to every user). */
export interface SimVizOptions extends DataSourceJsonData {
  /** Where Grafana's server reaches the SimViz proxy, e.g. http://simviz-proxy:9800 */
  proxyUrl?: string;
  /** The time axis of queries that do not choose one (default `simulation`). */
  defaultTimeAxis?: TimeAxis;
  /** Seconds the backend waits for the SimViz proxy. */
  timeout?: number;
  /** `folder` (the default for new datasources): the backend reads a folder on the Grafana server; `proxy`: it calls a SimViz proxy. */
  mode?: 'folder' | 'proxy';
  /** Folder mode: the result files' folder on the Grafana server (absolute; `NAME=/path` names it in ids). */
  folder?: string;
  /** Folder mode: where layouts and the index are cached (default: under the system's temporary folder). */
  cacheFolder?: string;
}

/** Settings stored encrypted; the browser only learns whether they are set. */
export interface SimVizSecureJsonData {
  apiKey?: string;
}

export const VARIABLE_QUERY_KINDS = ['simulations', 'variables', 'parameterValues'] as const;

export interface SimVizVariableQuery extends DataQuery {
  /** What the template variable lists: runs, variable names, or the values one parameter takes across runs. */
  kind: (typeof VARIABLE_QUERY_KINDS)[number];
  /** Text search on the proxy (names, paths, model, tags; for variables also descriptions). */
  search?: string;
  /** For `simulations` (and the runs of `parameterValues` when none are given): runs in this folder or below. */
  folder?: string;
  /** For `simulations`: runs with this tag (from their sidecar file). */
  tag?: string;
  /** For `variables`: a glob such as `pipe[*].T`. */
  glob?: string;
  /** For `variables`: only trajectories (outputs and states) or only parameters; absent: both. */
  variableKind?: 'trajectory' | 'parameter';
  /** For `variables` and `parameterValues`: the runs; may be `$simulation`. */
  simulations?: string[];
  /** For `parameterValues`: the parameter's name, e.g. `damper.d`. */
  parameter?: string;
}

export const DEFAULT_VARIABLE_QUERY: SimVizVariableQuery = { refId: 'SimVizVariable', kind: 'simulations' };
