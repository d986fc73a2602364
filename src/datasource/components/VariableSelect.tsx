import React, { useCallback, useEffect, useState } from 'react';
import { Button, InlineField, MultiCombobox, Stack, Text, type ComboboxOption } from '@grafana/ui';

import { isGlob, type SharedVariable } from '../../shared/api';
import type { ProxyClient } from '../../shared/proxyClient';
import { useStableList } from '../../shared/useStableList';
import { VariableTree } from './VariableTree';

interface Props {
  client: ProxyClient;
  /** Selected run ids; template variables (`$run`) cannot be searched and are left out of searches. */
  simulations: string[];
  value: string[];
  onChange: (names: string[]) => void;
}

const SEARCH_LIMIT = 200;

function toOption(variable: SharedVariable, runs: number): ComboboxOption<string> {
  const details = [
    variable.kind === 'parameter' ? 'parameter' : undefined,
    variable.unit ? `[${variable.unit}]` : undefined,
    variable.description,
  ];
  if (runs > 1 && variable.simulations.length < runs) {
    details.push(`in ${variable.simulations.length} of ${runs} runs`);
  }
  return { value: variable.name, label: variable.name, description: details.filter(Boolean).join(' · ') };
}

/** How many variables each glob of the selection matches, counted on the proxy as the selection changes. */
function useGlobCounts(client: ProxyClient, simulations: string[], globs: string[]): Record<string, number | string> {
  const [counts, setCounts] = useState<Record<string, number | string>>({});
  useEffect(() => {
    let cancelled = false;
    if (simulations.length === 0) {
      return;
    }
    globs.forEach((glob) =>
      client.listSharedVariables(simulations, { glob, limit: 0 }).then(
        (page) => !cancelled && setCounts((known) => ({ ...known, [glob]: page.total })),
        (error: Error) => !cancelled && setCounts((known) => ({ ...known, [glob]: error.message }))
      )
    );
    return () => {
      cancelled = true;
    };
  }, [client, simulations, globs]);
  return counts;
}

function countText(glob: string, count: number | string | undefined): string {
  if (count === undefined) {
    return `${glob}: counting…`;
  }
  return typeof count === 'number' ? `${glob} matches ${count} variable${count === 1 ? '' : 's'}` : `${glob}: ${count}`;
}

/** Variables of the selected runs, searched on the proxy by name and description; globs are accepted as typed. */
export function VariableSelect({ client, simulations, value, onChange }: Props) {
  // Stable, so that searches and counts are not redone on every render.
  const searchable = useStableList(simulations.filter((id) => !id.startsWith('$')));
  const globs = useStableList(value.filter(isGlob));
  const counts = useGlobCounts(client, searchable, globs);
  const loadOptions = useCallback(
    async (search: string) => {
      if (searchable.length === 0) {
        return [];
      }
      const page = await client.listSharedVariables(searchable, { search, limit: SEARCH_LIMIT });
      return page.items.filter((v) => v.kind !== 'time').map((v) => toOption(v, searchable.length));
    },
    [client, searchable]
  );
  const [browsing, setBrowsing] = useState(false);
  const add = (names: string[]) => onChange([...new Set([...value, ...names])]);
  const disabled = simulations.length === 0;
  return (
    <InlineField
      label="Variables"
      labelWidth={14}
      tooltip="Search by name or description; type a glob such as pipe[*].port_a.m_flow and press Enter to plot every match"
      htmlFor="simviz-query-variables"
      grow
    >
      <Stack direction="column" gap={0.5}>
        <Stack direction="row" gap={1}>
          <MultiCombobox<string>
            id="simviz-query-variables"
            placeholder={disabled ? 'Choose a simulation first' : 'Choose variables or type a glob'}
            disabled={disabled}
            createCustomValue
            width="auto"
            minWidth={40}
            maxWidth={120}
            value={value}
            options={loadOptions}
            onChange={(options) => onChange(options.map((o) => o.value))}
          />
          <Button
            variant="secondary"
            icon="sitemap"
            disabled={searchable.length === 0}
            aria-expanded={browsing}
            tooltip="Browse the variables as a tree of components"
            onClick={() => setBrowsing(!browsing)}
          >
            Browse
          </Button>
        </Stack>
        {browsing && searchable.length > 0 && <VariableTree client={client} simulations={searchable} onAdd={add} />}
        {searchable.length > 0 &&
          globs.map((glob) => (
            <span key={glob} data-testid="simviz-glob-count">
              <Text color="secondary" variant="bodySmall">
                {countText(glob, counts[glob])}
              </Text>
            </span>
          ))}
      </Stack>
    </InlineField>
  );
}
