import React, { useMemo } from 'react';
import { Stack } from '@grafana/ui';

import type { ProxyClient } from '../../shared/proxyClient';
import type { SimulationRange } from '../../api/links';
import type { SimVizQuery } from '../../datasource/types';
import { VariableSelect } from '../../datasource/components/VariableSelect';
import { VariableTree } from '../../datasource/components/VariableTree';
import { usePanelData } from '../../hooks/usePanelData';
import { QuickPlot } from './QuickPlot';

interface Props {
  datasourceUid: string;
  client: ProxyClient;
  /** Run ids; a stable array (a new one reloads the tree). */
  simulations: string[];
  variables: string[];
  onVariablesChange: (variables: string[]) => void;
  range: SimulationRange;
  title: string;
  legend?: string;
  /** Keep the component tree open beside the plot (the detail page's variable browser). */
  showTree?: boolean;
}

const MAX_POINTS = 1000;

/** The query the plot runs, also what "Open in Explore" carries: runs overlaid at t = 0. */
export function plotQuery(simulations: string[], variables: string[], legend?: string): Omit<SimVizQuery, 'refId'> {
  return { queryType: 'timeseries', simulations, variables, timeAxis: 'simulation', ...(legend ? { legend } : {}) };
}

/** Pick variables by search or from the component tree, and see them plotted at once. */
export function VariablePlot({ datasourceUid, client, simulations, variables, onVariablesChange, range, title, legend, showTree }: Props) {
  const query = useMemo(
    () => (simulations.length > 0 && variables.length > 0 ? { refId: 'A', ...plotQuery(simulations, variables, legend) } : undefined),
    [simulations, variables, legend]
  );
  const data = usePanelData(datasourceUid, query, range, MAX_POINTS);
  const add = (names: string[]) => onVariablesChange([...variables, ...names.filter((name) => !variables.includes(name))]);
  return (
    <Stack direction="column" gap={2}>
      <VariableSelect client={client} simulations={simulations} value={variables} onChange={onVariablesChange} />
      <Stack direction="row" gap={2} alignItems="flex-start">
        {showTree && (
          <div style={{ flex: '0 0 420px', minWidth: 0 }} aria-label="Variable browser">
            <VariableTree client={client} simulations={simulations} onAdd={add} />
          </div>
        )}
        <div style={{ flex: '1 1 auto', minWidth: 0 }}>
          <QuickPlot title={title} data={data} placeholder="Choose variables to plot them here." />
        </div>
      </Stack>
    </Stack>
  );
}
