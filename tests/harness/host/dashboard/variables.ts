/**
 * Grafana's template variable resolution, as far as the SimViz dashboards use it: in order (each
 * may refer to those before it), query variables through the datasource's variable support,
 * choices from the URL (`var-name`, repeated for several values, `$__all` for All), then the saved
 * choice, then the first option.
 */
import type { DataQuery, DataQueryRequest, DataQueryResponse, DataSourceApi, MetricFindValue } from '@grafana/data';
import type { Observable } from 'rxjs';

import { runPanelQuery } from '../runQuery';
import type { HarnessTemplateSrv, HarnessVariable } from '../services';
import type { DatasourceLoader } from './datasources';
import { ALL_VALUE, type DashboardVariable, type VariableOption } from './model';

export interface ResolvedVariable {
  name: string;
  label: string;
  options: VariableOption[];
  selected: VariableOption[];
  multi: boolean;
}

export interface VariableContext {
  templateSrv: HarnessTemplateSrv;
  datasources: DatasourceLoader;
  range: { from: number; to: number };
  /** The page's URL parameters. */
  params: URLSearchParams;
}

interface VariableQuerySupport {
  query: (request: DataQueryRequest) => Observable<DataQueryResponse> | Promise<DataQueryResponse>;
}

const collator = new Intl.Collator('en', { numeric: true });
/** Grafana's sort codes: 1/2 alphabetical, 3/4 numerical, 5/6 alphabetical ignoring case, 7/8 natural. */
const SORTS: Record<number, (a: VariableOption, b: VariableOption) => number> = {
  1: (a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0),
  3: (a, b) => Number(a.text) - Number(b.text),
  5: (a, b) => a.text.toLowerCase().localeCompare(b.text.toLowerCase()),
  7: (a, b) => collator.compare(a.text, b.text),
};

function sortOptions(options: VariableOption[], sort = 0): VariableOption[] {
  const ascending = SORTS[sort % 2 === 1 ? sort : sort - 1];
  if (!ascending) {
    return options;
  }
  const sorted = [...options].sort(ascending);
  return sort % 2 === 0 ? sorted.reverse() : sorted;
}

async function queryOptions(variable: DashboardVariable, context: VariableContext): Promise<VariableOption[]> {
  const uid = context.templateSrv.replace(variable.datasource?.uid ?? '');
  const datasource: DataSourceApi = await context.datasources.get(uid);
  const support = datasource.variables as unknown as VariableQuerySupport | undefined;
  if (!support?.query) {
    throw new Error(`variable ${variable.name}: the datasource has no variable support`);
  }
  const target: DataQuery = { ...(variable.query as DataQuery), refId: (variable.query as DataQuery).refId ?? 'SimVizVariable' };
  const response = await runPanelQuery({ query: (request) => support.query(request) }, [target], context.range, 1000);
  if (response.error) {
    throw new Error(`variable ${variable.name}: ${response.error.message}`);
  }
  const options = (response.data as MetricFindValue[]).map((v) => ({ text: String(v.text), value: String(v.value ?? v.text) }));
  return sortOptions(options, variable.sort);
}

async function optionsOf(variable: DashboardVariable, context: VariableContext): Promise<VariableOption[]> {
  switch (variable.type) {
    case 'datasource':
      return (await context.datasources.list()).filter((s) => s.type === variable.query).map((s) => ({ text: s.name, value: s.uid }));
    case 'query':
      return queryOptions(variable, context);
    case 'custom':
      return String(variable.query ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((value) => ({ text: value, value }));
    default: {
      const value = String(variable.current?.value ?? variable.query ?? '');
      return [{ text: value, value }];
    }
  }
}

function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : [value].flat();
}

/** The chosen options: values not among the options are kept as given (a textbox, or a run Grafana would keep). */
function pick(variable: DashboardVariable, options: VariableOption[], values: string[]): VariableOption[] {
  if (values.includes(ALL_VALUE) || (variable.includeAll && values.includes('All'))) {
    return options;
  }
  return values.map((value) => options.find((o) => o.value === value || o.text === value) ?? { text: value, value });
}

function choose(variable: DashboardVariable, options: VariableOption[], params: URLSearchParams): VariableOption[] {
  const fromUrl = params.getAll(`var-${variable.name}`);
  if (fromUrl.length > 0) {
    return pick(variable, options, fromUrl);
  }
  const saved = pick(variable, options, asList(variable.current?.value)).filter((o) => options.includes(o) || variable.type === 'textbox');
  return saved.length > 0 ? saved : options.slice(0, 1);
}

function toHarnessVariable(variable: ResolvedVariable): HarnessVariable {
  const values = variable.selected.map((o) => o.value);
  return { name: variable.name, current: variable.multi ? values : (values[0] ?? '') };
}

/** Resolves every variable in order and leaves their values in the template service. */
export async function resolveVariables(variables: DashboardVariable[], context: VariableContext): Promise<ResolvedVariable[]> {
  const resolved: ResolvedVariable[] = [];
  context.templateSrv.variables = [];
  for (const variable of variables) {
    const options = await optionsOf(variable, context);
    const selected = choose(variable, options, context.params);
    resolved.push({ name: variable.name, label: variable.label ?? variable.name, options, selected, multi: Boolean(variable.multi || variable.includeAll) });
    context.templateSrv.variables = resolved.map(toHarnessVariable);
  }
  return resolved;
}
