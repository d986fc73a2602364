import React, { useCallback } from 'react';
import { MultiCombobox, type ComboboxOption } from '@grafana/ui';

import type { Variable } from '../../shared/api';
import type { ProxyClient } from '../../shared/proxyClient';

interface Props {
  client: ProxyClient;
  simulation: string | undefined;
  value: string[];
  onChange: (names: string[]) => void;
}

const SEARCH_LIMIT = 200;

function toOption(variable: Variable): ComboboxOption<string> {
  const unit = variable.unit ? ` [${variable.unit}]` : '';
  const kind = variable.kind === 'parameter' ? 'parameter · ' : '';
  return { value: variable.name, label: variable.name, description: `${kind}${variable.description}${unit}` };
}

/** Variables of the chosen simulation, searched on the proxy by name and description. */
export function VariableSelect({ client, simulation, value, onChange }: Props) {
  const loadOptions = useCallback(
    async (search: string) => {
      if (!simulation) {
        return [];
      }
      const page = await client.listVariables(simulation, { search, limit: SEARCH_LIMIT });
      return page.items.filter((v) => v.kind !== 'time').map(toOption);
    },
    [client, simulation]
  );

  return (
    <MultiCombobox<string>
      id="simviz-query-variables"
      placeholder={simulation ? 'Choose variables' : 'Choose a simulation first'}
      disabled={!simulation}
      width="auto"
      minWidth={40}
      maxWidth={120}
      value={value}
      options={loadOptions}
      onChange={(options) => onChange(options.map((o) => o.value))}
    />
  );
}
