import React from 'react';
import { Badge, InlineField, InlineSwitch, Stack, Text } from '@grafana/ui';

import { useAsyncValue } from '../../hooks/useAsyncValue';
import type { Simulation } from '../../shared/api';
import type { ProxyClient } from '../../shared/proxyClient';
import type { SimVizQuery } from '../types';

interface Props {
  query: SimVizQuery;
  client: ProxyClient;
  onChange: (next: Partial<SimVizQuery>) => void;
}

/** The chosen runs as listed now (template variables are left out: their runs are known only at query time). */
function useChosenRuns(client: ProxyClient, ids: readonly string[]): Simulation[] {
  const chosen = ids.filter((id) => !id.startsWith('$'));
  const { value } = useAsyncValue(JSON.stringify(chosen), () =>
    Promise.all(chosen.map((id) => client.getSimulation(id).catch(() => undefined))).then((runs) => runs.filter((run): run is Simulation => run !== undefined))
  );
  return value ?? [];
}

/**
 * The *Live* switch of a time-series query: runs still being written then extend in the panel as
 * the solver writes them (through Grafana Live). Each chosen run that is being written shows *live*.
 */
export function LiveOptions({ query, client, onChange }: Props) {
  const runs = useChosenRuns(client, query.simulations);
  const writing = runs.filter((run) => run.status === 'writing');
  return (
    <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
      <InlineField
        label="Live"
        labelWidth={14}
        tooltip="Runs still being written extend in the panel as the solver writes them, without a refresh (needs Grafana Live; finished runs are drawn as usual)"
        htmlFor="simviz-query-live"
      >
        <InlineSwitch id="simviz-query-live" value={Boolean(query.live)} onChange={(event) => onChange({ live: event.currentTarget.checked || undefined })} />
      </InlineField>
      {query.live &&
        writing.map((run) => (
          <Badge key={run.id} color="green" icon="circle-mono" text={`live: ${run.name}`} tooltip={`${run.name} is still being written: new rows appear as they are written`} />
        ))}
      {query.live && runs.length > 0 && writing.length === 0 && (
        <Text color="secondary" variant="bodySmall">
          None of the chosen runs is being written now: they are drawn as they are.
        </Text>
      )}
    </Stack>
  );
}
