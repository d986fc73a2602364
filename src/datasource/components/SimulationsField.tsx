import React, { useCallback, useEffect, useState } from 'react';
import { InlineField, MultiCombobox, type ComboboxOption } from '@grafana/ui';

import type { Simulation } from '../../shared/api';
import { dateText } from '../../shared/format';
import type { ProxyClient } from '../../shared/proxyClient';

interface Props {
  client: ProxyClient;
  value: string[];
  onChange: (ids: string[]) => void;
}

const SEARCH_LIMIT = 100;

/** An entry shows folder, model, run date and status; unreadable runs are listed but cannot be picked. */
export function simulationOption(simulation: Simulation): ComboboxOption<string> {
  const folder = simulation.folder || simulation.root;
  if (simulation.status === 'error') {
    return { value: simulation.id, label: simulation.name, description: `${folder} · cannot be read: ${simulation.error ?? ''}`, infoOption: true };
  }
  const details = [folder, simulation.model, dateText(simulation.runAt, 16), `${simulation.variableCount} variables`];
  if (simulation.status === 'writing') {
    details.push('still being written');
  }
  return { value: simulation.id, label: simulation.name, description: details.filter(Boolean).join(' · ') };
}

/** Names for saved ids (a query stores ids only); template variables such as `$run` show as typed. */
function useNames(client: ProxyClient, ids: string[]): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  useEffect(() => {
    let cancelled = false;
    const missing = ids.filter((id) => !id.startsWith('$') && !(id in names));
    missing.forEach((id) =>
      client.getSimulation(id).then(
        (simulation) => !cancelled && setNames((known) => ({ ...known, [id]: simulation.name })),
        () => !cancelled && setNames((known) => ({ ...known, [id]: `${id} (not found)` }))
      )
    );
    return () => {
      cancelled = true;
    };
  }, [client, ids, names]);
  return names;
}

/** The runs to query: a multi-select searched on the proxy by name, path, model and tags. */
export function SimulationsField({ client, value, onChange }: Props) {
  const names = useNames(client, value);
  const loadOptions = useCallback(
    async (search: string) => (await client.listSimulations({ search, limit: SEARCH_LIMIT })).items.map(simulationOption),
    [client]
  );
  return (
    <InlineField label="Simulations" labelWidth={14} tooltip="Result files found by the SimViz proxy; search by name, folder, model or tag" htmlFor="simviz-query-simulations" grow>
      <MultiCombobox<string>
        id="simviz-query-simulations"
        placeholder="Choose simulations"
        width="auto"
        minWidth={40}
        maxWidth={120}
        value={value.map((id) => ({ value: id, label: names[id] ?? id }))}
        options={loadOptions}
        onChange={(options) => onChange(options.map((option) => option.value))}
      />
    </InlineField>
  );
}
