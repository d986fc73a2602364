import React, { useEffect, useState } from 'react';
import { PluginPage } from '@grafana/runtime';
import { Alert, FilterInput, LoadingPlaceholder, Pagination, Stack, Text } from '@grafana/ui';

import { SimulationTable } from '../components/SimulationTable/SimulationTable';
import { useSimulations } from '../hooks/useSimulations';

const PAGE_SIZE = 50;
const SEARCH_DELAY_MS = 250;

interface Props {
  datasourceUid: string;
}

function useDebounced<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}

/** Every result file the proxy found, searchable and paged on the proxy. */
export function SimulationsPage({ datasourceUid }: Props) {
  const [search, setSearch] = useState('');
  const [pageNumber, setPageNumber] = useState(1);
  const debouncedSearch = useDebounced(search, SEARCH_DELAY_MS);
  const { page, loading, error } = useSimulations(datasourceUid, debouncedSearch, (pageNumber - 1) * PAGE_SIZE, PAGE_SIZE);
  const pages = page ? Math.max(1, Math.ceil(page.total / PAGE_SIZE)) : 1;

  return (
    <PluginPage>
      <Stack direction="column" gap={2}>
        <FilterInput
          placeholder="Search simulations by name or folder"
          value={search}
          onChange={(value) => {
            setSearch(value);
            setPageNumber(1);
          }}
        />
        {error && (
          <Alert title="The SimViz proxy could not list the simulations" severity="error">
            {error}. Check the SimViz datasource (uid “{datasourceUid}”) with “Save &amp; test”.
          </Alert>
        )}
        {loading && !page && <LoadingPlaceholder text="Loading simulations…" />}
        {page && (
          <>
            <Text color="secondary">
              {page.total} simulation{page.total === 1 ? '' : 's'}
              {debouncedSearch ? ` matching “${debouncedSearch}”` : ''}
            </Text>
            <SimulationTable simulations={page.items} datasourceUid={datasourceUid} />
            {pages > 1 && <Pagination currentPage={pageNumber} numberOfPages={pages} onNavigate={setPageNumber} />}
          </>
        )}
      </Stack>
    </PluginPage>
  );
}
