import React, { useCallback, useEffect, useState } from 'react';
import { Combobox, type ComboboxOption } from '@grafana/ui';

import type { Simulation } from '../../shared/api';
import type { ProxyClient } from '../../shared/proxyClient';

interface Props {
  client: ProxyClient;
  value: string | undefined;
  onChange: (id: string) => void;
}

const SEARCH_LIMIT = 100;

function toOption(simulation: Simulation): ComboboxOption<string> {
  const folder = simulation.path.includes('/') ? simulation.path.slice(0, simulation.path.lastIndexOf('/')) : simulation.root;
  return {
    value: simulation.id,
    label: simulation.name,
    description:
      simulation.status === 'error'
        ? `cannot be read: ${simulation.error ?? ''}`
        : `${folder} · ${simulation.variableCount} variables${simulation.status === 'writing' ? ' · still being written' : ''}`,
  };
}

/** A searchable list of the proxy's simulations; the search runs on the proxy. */
export function SimulationSelect({ client, value, onChange }: Props) {
  const [selected, setSelected] = useState<ComboboxOption<string> | null>(value ? { value, label: value } : null);

  // A saved query only stores the id: fetch its name once for display.
  useEffect(() => {
    let cancelled = false;
    if (value && selected?.label === value) {
      client.getSimulation(value).then(
        (simulation) => !cancelled && setSelected(toOption(simulation)),
        () => undefined
      );
    }
    return () => {
      cancelled = true;
    };
  }, [client, value, selected]);

  const loadOptions = useCallback(
    async (search: string) => {
      const page = await client.listSimulations({ search, limit: SEARCH_LIMIT });
      // Runs still being written are plotted as far as they go; unreadable ones cannot be.
      return page.items.filter((s) => s.status !== 'error').map(toOption);
    },
    [client]
  );

  return (
    <Combobox<string>
      id="simviz-query-simulation"
      placeholder="Choose a simulation"
      width={40}
      value={selected}
      options={loadOptions}
      onChange={(option) => {
        setSelected(option);
        onChange(option.value);
      }}
    />
  );
}
