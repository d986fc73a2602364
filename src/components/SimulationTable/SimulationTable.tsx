import React from 'react';
import { formattedValueToString, getValueFormat } from '@grafana/data';
import { config } from '@grafana/runtime';
import { Badge, InteractiveTable, TextLink, Tooltip, type Column } from '@grafana/ui';

import type { Simulation } from '../../shared/api';
import { OVERVIEW_DASHBOARD_UID } from '../../constants';

interface Props {
  simulations: Simulation[];
  datasourceUid: string;
}

const formatBytes = getValueFormat('bytes');
const formatSeconds = getValueFormat('s');

/** The overview dashboard for one run, over exactly the run's duration (simulation time t s = t·1000 ms). */
export function overviewUrl(simulation: Simulation, datasourceUid: string): string {
  const params = new URLSearchParams({ 'var-datasource': datasourceUid, 'var-simulation': simulation.id });
  if (simulation.startTime !== null && simulation.stopTime !== null) {
    params.set('from', String(Math.floor(simulation.startTime * 1000)));
    params.set('to', String(Math.ceil(simulation.stopTime * 1000)));
  }
  return `${config.appSubUrl ?? ''}/d/${OVERVIEW_DASHBOARD_UID}?${params.toString()}`;
}

function folderOf(simulation: Simulation): string {
  const slash = simulation.path.lastIndexOf('/');
  return slash === -1 ? simulation.root : `${simulation.root}/${simulation.path.slice(0, slash)}`;
}

function durationOf(simulation: Simulation): string {
  if (simulation.startTime === null || simulation.stopTime === null) {
    return '';
  }
  return formattedValueToString(formatSeconds(simulation.stopTime - simulation.startTime));
}

function columns(datasourceUid: string): Array<Column<Simulation>> {
  return [
    {
      id: 'name',
      header: 'Name',
      cell: ({ row: { original } }) =>
        original.status !== 'error' ? (
          <TextLink href={overviewUrl(original, datasourceUid)} inline={false}>
            {original.name}
          </TextLink>
        ) : (
          original.name
        ),
    },
    { id: 'folder', header: 'Folder', cell: ({ row: { original } }) => folderOf(original) },
    {
      id: 'status',
      header: 'Status',
      cell: ({ row: { original } }) =>
        original.status === 'ok' ? (
          <Badge color="green" text="ok" />
        ) : original.status === 'writing' ? (
          <Tooltip content="The file changed moments ago (a simulation still running); it can be plotted as far as it goes.">
            <span>
              <Badge color="blue" icon="sync" text="writing" />
            </span>
          </Tooltip>
        ) : (
          <Tooltip content={original.error ?? 'cannot be read'}>
            <span>
              <Badge color="red" icon="exclamation-triangle" text={original.error ?? 'error'} />
            </span>
          </Tooltip>
        ),
    },
    { id: 'variableCount', header: 'Variables' },
    { id: 'timePointCount', header: 'Time points' },
    { id: 'duration', header: 'Duration', cell: ({ row: { original } }) => durationOf(original) },
    { id: 'sizeBytes', header: 'Size', cell: ({ row: { original } }) => formattedValueToString(formatBytes(original.sizeBytes)) },
    { id: 'modifiedAt', header: 'Modified', cell: ({ row: { original } }) => original.modifiedAt.replace('T', ' ').slice(0, 19) },
  ];
}

export function SimulationTable({ simulations, datasourceUid }: Props) {
  return <InteractiveTable columns={columns(datasourceUid)} data={simulations} getRowId={(s: Simulation) => s.id} />;
}
