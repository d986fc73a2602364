import {
  CustomVariableSupport,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceApi,
  type MetricFindValue,
  type ScopedVars,
} from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';
import { from, of, type Observable } from 'rxjs';

import { VariableQueryEditor } from './components/VariableQueryEditor';
import type { ProxyClient } from '../shared/proxyClient';
import { interpolateList } from './interpolate';
import { variableQueryProblems } from './query/validate';
import { DEFAULT_VARIABLE_QUERY, type SimVizOptions, type SimVizQuery, type SimVizVariableQuery } from './types';

const MAX_OPTIONS = 1000;

/** Template variables listing simulations, variables of chosen simulations, or one parameter's values across runs. */
export class SimVizVariableSupport extends CustomVariableSupport<DataSourceApi<SimVizQuery, SimVizOptions>, SimVizVariableQuery> {
  editor = VariableQueryEditor;

  /** The two things it needs from the datasource, not the datasource itself (which imports this class). */
  constructor(
    private readonly client: ProxyClient,
    private readonly templateSrv: TemplateSrv
  ) {
    super();
  }

  getDefaultQuery(): Partial<SimVizVariableQuery> {
    return DEFAULT_VARIABLE_QUERY;
  }

  query(request: DataQueryRequest<SimVizVariableQuery>): Observable<DataQueryResponse> {
    const query = { ...DEFAULT_VARIABLE_QUERY, ...request.targets[0] };
    const problems = variableQueryProblems(query);
    if (problems.length > 0) {
      return of({ data: [], error: { message: problems.join('; ') } });
    }
    return from(this.findValues(query, request.scopedVars).then((values) => ({ data: values })));
  }

  private text(value: string | undefined, scopedVars: ScopedVars): string | undefined {
    return value ? this.templateSrv.replace(value, scopedVars) || undefined : undefined;
  }

  private findValues(query: SimVizVariableQuery, scopedVars: ScopedVars): Promise<MetricFindValue[]> {
    switch (query.kind) {
      case 'variables':
        return this.variableNames(query, scopedVars);
      case 'parameterValues':
        return this.parameterValues(query, scopedVars);
      default:
        return this.simulations(query, scopedVars);
    }
  }

  /** Readable runs (text: name, value: id). */
  private async simulations(query: SimVizVariableQuery, scopedVars: ScopedVars): Promise<MetricFindValue[]> {
    const page = await this.client.listSimulations({
      search: this.text(query.search, scopedVars),
      folder: this.text(query.folder, scopedVars),
      tag: this.text(query.tag, scopedVars),
      limit: MAX_OPTIONS,
    });
    return page.items.filter((s) => s.status !== 'error').map((s) => ({ text: s.name, value: s.id }));
  }

  private async variableNames(query: SimVizVariableQuery, scopedVars: ScopedVars): Promise<MetricFindValue[]> {
    const simulations = interpolateList(query.simulations ?? [], this.templateSrv, scopedVars);
    if (simulations.length === 0) {
      return [];
    }
    const page = await this.client.listSharedVariables(simulations, {
      search: this.text(query.search, scopedVars),
      glob: this.text(query.glob, scopedVars),
      kind: query.variableKind,
      limit: MAX_OPTIONS,
    });
    return page.items.filter((v) => v.kind !== 'time').map((v) => ({ text: v.name, value: v.name }));
  }

  /** The distinct values of one parameter across the given runs (or the runs of the folder/search), in ascending order. */
  private async parameterValues(query: SimVizVariableQuery, scopedVars: ScopedVars): Promise<MetricFindValue[]> {
    const parameter = this.text(query.parameter, scopedVars);
    if (!parameter) {
      return [];
    }
    const given = interpolateList(query.simulations ?? [], this.templateSrv, scopedVars);
    const runs = given.length > 0 ? given : (await this.simulations(query, scopedVars)).map((option) => String(option.value));
    const client = this.client;
    const pages = await Promise.all(runs.map((id) => client.listParameters(id, { glob: parameter, limit: 1 }).catch(() => undefined)));
    const values = pages.flatMap((page) => page?.items.filter((p) => p.name === parameter && typeof p.value === 'number').map((p) => p.value as number) ?? []);
    return [...new Set(values)].sort((a, b) => a - b).map((value) => ({ text: String(value), value }));
  }
}
