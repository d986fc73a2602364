import React, { useMemo, useState } from 'react';
import { FilterInput, InteractiveTable, Stack, Text, type Column } from '@grafana/ui';

import { MAX_PAGE_SIZE, type Variable } from '../../shared/api';
import type { ProxyClient } from '../../shared/proxyClient';
import { useAsyncValue } from '../../hooks/useAsyncValue';
import { useDebounced } from '../../hooks/useDebounced';
import { numberSort } from '../numberSort';

const SEARCH_DELAY_MS = 250;

const COLUMNS: Array<Column<Variable>> = [
  { id: 'name', header: 'Parameter', sortType: 'string' },
  { id: 'value', header: 'Value', sortType: numberSort, cell: ({ row: { original } }) => (original.value === null || original.value === undefined ? '' : String(original.value)) },
  { id: 'unit', header: 'Unit', cell: ({ row: { original } }) => original.unit ?? '' },
  { id: 'description', header: 'Description' },
];

/** One run's parameters and constants, searched on the proxy by name and description. */
export function ParametersTable({ client, simulationId }: { client: ProxyClient; simulationId: string }) {
  const [search, setSearch] = useState('');
  const applied = useDebounced(search, SEARCH_DELAY_MS);
  const { value: page, error } = useAsyncValue(JSON.stringify([simulationId, applied]), () =>
    client.listParameters(simulationId, { search: applied || undefined, limit: MAX_PAGE_SIZE })
  );
  const items = useMemo(() => page?.items ?? [], [page]);
  return (
    <Stack direction="column" gap={1}>
      <FilterInput placeholder="Search parameters by name or description" value={search} onChange={setSearch} width={48} />
      {error && <Text color="error">{error}</Text>}
      {page && (
        <Text color="secondary" variant="bodySmall">
          {page.total > items.length ? `Showing ${items.length} of ${page.total} parameters; search to narrow.` : `${page.total} parameters`}
        </Text>
      )}
      <InteractiveTable columns={COLUMNS} data={items} getRowId={(v: Variable) => v.name} pageSize={25} />
    </Stack>
  );
}
