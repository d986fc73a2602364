import React, { useState } from 'react';
import { PluginPage } from '@grafana/runtime';
import { Alert, Field, FilterInput, Input, LoadingPlaceholder, Pagination, RadioButtonGroup, Stack, Text } from '@grafana/ui';

import type { PageQuery, SimulationStatus } from '../shared/api';
import { SimulationTable, type SortOrder } from '../components/SimulationTable/SimulationTable';
import { useDebounced } from '../hooks/useDebounced';
import { useSimulations } from '../hooks/useSimulations';

const PAGE_SIZE = 50;
const SEARCH_DELAY_MS = 250;

type StatusFilter = SimulationStatus | 'all';

const STATUS_OPTIONS: Array<{ label: string; value: StatusFilter; description: string }> = [
  { label: 'All', value: 'all', description: 'Every file found' },
  { label: 'OK', value: 'ok', description: 'Readable results' },
  { label: 'Writing', value: 'writing', description: 'Files still being written by a running simulation' },
  { label: 'Error', value: 'error', description: 'Files that cannot be read, with the reason' },
];

interface Filters {
  search: string;
  folder: string;
  status: StatusFilter;
}

function pageQuery(filters: Filters, sort: SortOrder | undefined, pageNumber: number): PageQuery {
  return {
    search: filters.search || undefined,
    folder: filters.folder || undefined,
    status: filters.status === 'all' ? undefined : filters.status,
    ...sort,
    offset: (pageNumber - 1) * PAGE_SIZE,
    limit: PAGE_SIZE,
  };
}

function countText(total: number, filters: Filters): string {
  const runs = `${total} simulation${total === 1 ? '' : 's'}`;
  return filters.search ? `${runs} matching “${filters.search}”` : runs;
}

function FilterBar({ filters, onChange }: { filters: Filters; onChange: (next: Partial<Filters>) => void }) {
  return (
    <Stack direction="row" gap={2} alignItems="flex-end" wrap="wrap">
      <Field label="Search" noMargin>
        <FilterInput
          placeholder="Search simulations by name, model, folder or tag"
          value={filters.search}
          width={48}
          onChange={(search) => onChange({ search })}
        />
      </Field>
      <Field label="Folder" description="Runs in this folder or below it, e.g. examples/sweep" noMargin>
        <Input
          id="simviz-folder-filter"
          placeholder="any folder"
          width={32}
          value={filters.folder}
          onChange={(event) => onChange({ folder: event.currentTarget.value.trim() })}
        />
      </Field>
      <Field label="Status" noMargin>
        <RadioButtonGroup options={STATUS_OPTIONS} value={filters.status} onChange={(status) => onChange({ status })} />
      </Field>
    </Stack>
  );
}

/** Every result file the proxy found: searched, filtered, sorted and paged on the proxy. */
export function SimulationsPage({ datasourceUid }: { datasourceUid: string }) {
  const [filters, setFilters] = useState<Filters>({ search: '', folder: '', status: 'all' });
  const [sort, setSort] = useState<SortOrder>();
  const [pageNumber, setPageNumber] = useState(1);
  const applied = useDebounced(filters, SEARCH_DELAY_MS);
  const { value: page, loading, error } = useSimulations(datasourceUid, pageQuery(applied, sort, pageNumber));
  const pages = page ? Math.max(1, Math.ceil(page.total / PAGE_SIZE)) : 1;

  const changeFilters = (next: Partial<Filters>) => {
    setFilters((current) => ({ ...current, ...next }));
    setPageNumber(1);
  };

  return (
    <PluginPage>
      <Stack direction="column" gap={2}>
        <FilterBar filters={filters} onChange={changeFilters} />
        {error && (
          <Alert title="The SimViz proxy could not list the simulations" severity="error">
            {error}. Check the SimViz datasource (uid “{datasourceUid}”) with “Save &amp; test”.
          </Alert>
        )}
        {loading && !page && <LoadingPlaceholder text="Loading simulations…" />}
        {page && (
          <>
            <Text color="secondary">{countText(page.total, applied)}</Text>
            <SimulationTable simulations={page.items} datasourceUid={datasourceUid} onSortChange={setSort} />
            {pages > 1 && <Pagination currentPage={pageNumber} numberOfPages={pages} onNavigate={setPageNumber} />}
          </>
        )}
      </Stack>
    </PluginPage>
  );
}
