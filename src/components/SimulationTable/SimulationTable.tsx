import React, { useCallback, useMemo } from 'react';
import { formattedValueToString, getValueFormat } from '@grafana/data';
import { Badge, InteractiveTable, LinkButton, Stack, Text, TextLink, Tooltip, type Column, type FetchDataFunc } from '@grafana/ui';

import type { Simulation, SimulationSortKey } from '../../shared/api';
import { bytesText, dateText } from '../../shared/format';
import { detailUrl, exploreUrl, overviewUrl, simulationRange } from '../../api/links';

export interface SortOrder {
  sort: SimulationSortKey;
  order: 'asc' | 'desc';
}

interface Props {
  simulations: Simulation[];
  datasourceUid: string;
  /** Sorting happens on the proxy, over every page. */
  onSortChange: (order: SortOrder | undefined) => void;
}

const formatSeconds = getValueFormat('s');

/** Which proxy sort key each sortable column uses. */
const SORT_KEYS: Record<string, SimulationSortKey> = {
  name: 'name',
  folder: 'path',
  model: 'model',
  runAt: 'runAt',
  duration: 'stopTime',
  sizeBytes: 'sizeBytes',
};

export function folderOf(simulation: Simulation): string {
  return simulation.folder ? `${simulation.root}/${simulation.folder}` : simulation.root;
}

export function durationOf(simulation: Pick<Simulation, 'startTime' | 'stopTime'>): string {
  if (simulation.startTime === null || simulation.stopTime === null) {
    return '';
  }
  return formattedValueToString(formatSeconds(simulation.stopTime - simulation.startTime));
}

function NoWrap({ text }: { text: string }) {
  return <span style={{ whiteSpace: 'nowrap' }}>{text}</span>;
}

export function StatusBadge({ simulation }: { simulation: Simulation }) {
  if (simulation.status === 'ok') {
    return <Badge color="green" text="ok" />;
  }
  if (simulation.status === 'writing') {
    return (
      <Tooltip content="The file changed moments ago (a simulation still running); it can be plotted as far as it goes.">
        <span>
          <Badge color="blue" icon="sync" text="writing" />
        </span>
      </Tooltip>
    );
  }
  return <Badge color="red" icon="exclamation-triangle" text="error" />;
}

/** The name links to the detail page; a file that cannot be read says why right below it. */
function NameCell({ simulation }: { simulation: Simulation }) {
  return (
    <Stack direction="column" gap={0}>
      <TextLink href={detailUrl(simulation.id)} inline={false}>
        {simulation.name}
      </TextLink>
      {simulation.error && (
        <Text color="error" variant="bodySmall">
          {simulation.error}
        </Text>
      )}
    </Stack>
  );
}

function RowActions({ simulation, datasourceUid }: { simulation: Simulation; datasourceUid: string }) {
  if (simulation.status === 'error') {
    return null;
  }
  const explore = exploreUrl(datasourceUid, { simulations: [simulation.id], variables: [] }, simulationRange(simulation));
  return (
    <Stack direction="row" gap={0.5}>
      <LinkButton icon="compass" size="sm" variant="secondary" fill="text" tooltip="Open in Explore" aria-label={`Explore ${simulation.name}`} href={explore} />
      <LinkButton
        icon="apps"
        size="sm"
        variant="secondary"
        fill="text"
        tooltip="Open the overview dashboard"
        aria-label={`Overview dashboard of ${simulation.name}`}
        href={overviewUrl(simulation, datasourceUid)}
      />
    </Stack>
  );
}

function columns(datasourceUid: string): Array<Column<Simulation>> {
  return [
    {
      id: 'name',
      header: 'Name',
      sortType: 'string',
      cell: ({ row: { original } }) => <NameCell simulation={original} />,
    },
    { id: 'folder', header: 'Folder', sortType: 'string', cell: ({ row: { original } }) => folderOf(original) },
    { id: 'model', header: 'Model', sortType: 'string', cell: ({ row: { original } }) => original.model ?? '' },
    { id: 'runAt', header: 'Run date', sortType: 'string', cell: ({ row: { original } }) => <NoWrap text={dateText(original.runAt, 16)} /> },
    { id: 'duration', header: 'Duration', sortType: 'number', cell: ({ row: { original } }) => durationOf(original) },
    { id: 'variableCount', header: 'Variables' },
    { id: 'sizeBytes', header: 'Size', sortType: 'number', cell: ({ row: { original } }) => <NoWrap text={bytesText(original.sizeBytes)} /> },
    { id: 'status', header: 'Status', cell: ({ row: { original } }) => <StatusBadge simulation={original} /> },
    { id: 'actions', header: '', disableGrow: true, cell: ({ row: { original } }) => <RowActions simulation={original} datasourceUid={datasourceUid} /> },
  ];
}

/** One page of runs; every row links to its detail page, to Explore and to its overview dashboard. */
export function SimulationTable({ simulations, datasourceUid, onSortChange }: Props) {
  const tableColumns = useMemo(() => columns(datasourceUid), [datasourceUid]);
  const fetchData: FetchDataFunc<Simulation> = useCallback(
    ({ sortBy }) => {
      const [first] = sortBy;
      const key = first ? SORT_KEYS[first.id] : undefined;
      onSortChange(key ? { sort: key, order: first.desc ? 'desc' : 'asc' } : undefined);
    },
    [onSortChange]
  );
  return <InteractiveTable columns={tableColumns} data={simulations} getRowId={(s: Simulation) => s.id} fetchData={fetchData} />;
}
