import React, { useState } from 'react';
import { Stack } from '@grafana/ui';
import type { QueryEditorProps } from '@grafana/data';

import type { DataSource } from '../datasource';
import { queryTypeOf, type SimVizOptions, type SimVizQuery } from '../types';
import { QueryTypeField } from './QueryTypeField';
import { isBatchView, RegressionOptions, RegressionRunsFields, RegressionViewField } from './RegressionOptions';
import { NewestRunFields, RunsChoice, TimeOptions } from './RunOptions';
import { LiveOptions } from './LiveOptions';
import { EventOptions, ParameterOptions, SeriesOptions } from './SeriesOptions';
import { SimulationsField } from './SimulationsField';
import { StatsOptions } from './StatsOptions';
import { VariableSelect } from './VariableSelect';

type Props = QueryEditorProps<DataSource, SimVizQuery, SimVizOptions>;

/** One component per concern; which ones show depends on the query type. */
export function QueryEditor({ datasource, query, onChange, onRunQuery }: Props) {
  const type = queryTypeOf(query);
  const simulations = query.simulations ?? [];
  const update = (next: Partial<SimVizQuery>) => {
    onChange({ ...query, ...next });
    onRunQuery();
  };
  const regression = type === 'regression';
  const batch = regression && isBatchView(query.regressionView);
  const plotsVariables = type === 'timeseries' || type === 'table';
  const picksVariables = plotsVariables || regression;
  // Time series, tables, events and the regression plot read part of a run; every type but stats (and the regression batch) reads runs.
  const readsRuns = plotsVariables || type === 'events' || (regression && (query.regressionView ?? 'plot') === 'plot');
  const choosesRuns = type !== 'stats' && !batch;
  const newest = choosesRuns && query.newest !== undefined;
  // With "newest", the variables offered are those of the run it picks now.
  const [newestId, setNewestId] = useState<string>();
  const variableRuns = newest ? (newestId ? [newestId] : []) : simulations;

  return (
    <Stack direction="column" gap={1}>
      <QueryTypeField value={type} onChange={(queryType) => update({ queryType })} />
      {choosesRuns && <RunsChoice query={query} onChange={update} />}
      {newest && <NewestRunFields query={query} onChange={update} client={datasource.client} onResolved={setNewestId} />}
      {choosesRuns && !newest && <SimulationsField client={datasource.client} value={simulations} onChange={(ids) => update({ simulations: ids })} />}
      {regression && <RegressionViewField query={query} onChange={update} />}
      {batch && <RegressionRunsFields query={query} onChange={update} />}
      {picksVariables && (
        <VariableSelect client={datasource.client} simulations={variableRuns} value={query.variables ?? []} onChange={(names) => update({ variables: names })} />
      )}
      {plotsVariables && <SeriesOptions query={{ ...query, simulations }} defaultTimeAxis={datasource.defaultTimeAxis} onChange={update} />}
      {type === 'timeseries' && !newest && <LiveOptions query={{ ...query, simulations }} client={datasource.client} onChange={update} />}
      {type === 'events' && <EventOptions query={{ ...query, simulations }} defaultTimeAxis={datasource.defaultTimeAxis} onChange={update} />}
      {readsRuns && <TimeOptions query={query} onChange={update} />}
      {type === 'parameters' && <ParameterOptions query={{ ...query, simulations }} onChange={update} />}
      {regression && <RegressionOptions query={query} onChange={update} />}
      {type === 'stats' && <StatsOptions value={query.statsTable} onChange={(statsTable) => update({ statsTable })} />}
    </Stack>
  );
}
