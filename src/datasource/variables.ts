import { CustomVariableSupport, type DataQueryRequest, type DataQueryResponse, type MetricFindValue } from '@grafana/data';
import { from, type Observable } from 'rxjs';

import { VariableQueryEditor } from './components/VariableQueryEditor';
import type { DataSource } from './datasource';
import { interpolateList } from './interpolate';
import { DEFAULT_VARIABLE_QUERY, type SimVizVariableQuery } from './types';

const MAX_OPTIONS = 1000;

/** Template variables listing simulations, or the variables of chosen simulations. */
export class SimVizVariableSupport extends CustomVariableSupport<DataSource, SimVizVariableQuery> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: DataSource) {
    super();
  }

  getDefaultQuery(): Partial<SimVizVariableQuery> {
    return DEFAULT_VARIABLE_QUERY;
  }

  query(request: DataQueryRequest<SimVizVariableQuery>): Observable<DataQueryResponse> {
    const query = { ...DEFAULT_VARIABLE_QUERY, ...request.targets[0] };
    return from(this.findValues(query, request).then((values) => ({ data: values })));
  }

  private async findValues(query: SimVizVariableQuery, request: DataQueryRequest<SimVizVariableQuery>): Promise<MetricFindValue[]> {
    const templateSrv = this.datasource.templateSrv;
    const search = query.search ? templateSrv.replace(query.search, request.scopedVars) : undefined;
    const client = this.datasource.client;
    if (query.kind === 'simulations') {
      const page = await client.listSimulations({ search, limit: MAX_OPTIONS });
      return page.items.filter((s) => s.status !== 'error').map((s) => ({ text: s.name, value: s.id }));
    }
    const simulations = interpolateList(query.simulations ?? [], templateSrv, request.scopedVars);
    const pages = await Promise.all(simulations.map((id) => client.listVariables(id, { search, limit: MAX_OPTIONS })));
    const names = new Set(pages.flatMap((page) => page.items.filter((v) => v.kind !== 'time').map((v) => v.name)));
    return [...names].map((name) => ({ text: name, value: name }));
  }
}
