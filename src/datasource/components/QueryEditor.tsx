import React, { useState } from 'react';
import { Stack } from '@grafana/ui';
import type { QueryEditorProps } from '@grafana/data';

import type { DataSource } from '../datasource';
import { queryTypeOf, type SimVizOptions, type SimVizQuery } from '../types';
import { QueryTypeField } from './QueryTypeField';
import { NewestRunFields, RunsChoice, TimeOptions } from './RunOptions';
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
  const plotsVariables = type === 'timeseries' || type === 'table';
  // Time series, tables and events read part of a run; every type but stats reads runs, and may follow the newest one.
  const readsRuns = plotsVariables || type === 'events';
  const choosesRuns = type !== 'stats';
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
      {plotsVariables && (
        <VariableSelect client={datasource.client} simulations={variableRuns} value={query.variables ?? []} onChange={(names) => update({ variables: names })} />
      )}
      {plotsVariables && <SeriesOptions query={{ ...query, simulations }} defaultTimeAxis={datasource.defaultTimeAxis} onChange={update} />}
      {type === 'events' && <EventOptions query={{ ...query, simulations }} defaultTimeAxis={datasource.defaultTimeAxis} onChange={update} />}
      {readsRuns && <TimeOptions query={query} onChange={update} />}
      {type === 'parameters' && <ParameterOptions query={{ ...query, simulations }} onChange={update} />}
      {type === 'stats' && <StatsOptions value={query.statsTable} onChange={(statsTable) => update({ statsTable })} />}
    </Stack>
  );
}
