import React, { useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { PluginPage } from '@grafana/runtime';
import { Alert, InlineField, InlineSwitch, LinkButton, Stack, Text } from '@grafana/ui';

import type { ProxyClient } from '../shared/proxyClient';
import { compareDashboardUrl, exploreUrl, unionRange, type SimulationRange } from '../api/links';
import { QuickPlot } from '../components/QuickPlot/QuickPlot';
import { plotQuery, VariablePlot } from '../components/QuickPlot/VariablePlot';
import { SimulationsField } from '../datasource/components/SimulationsField';
import { useAsyncValue } from '../hooks/useAsyncValue';
import { usePanelData } from '../hooks/usePanelData';
import { useProxyClient } from '../hooks/useProxyClient';
import { useStableList } from '../shared/useStableList';

const LEGEND = '{{simulation}} {{variable}}';

/** The selection lives in the URL (`run`, `variable`, `all`), so a comparison can be shared as a link. */
function useSelection() {
  const [params, setParams] = useSearchParams();
  const runs = params.getAll('run');
  const variables = params.getAll('variable');
  const allParameters = params.get('all') === '1';
  const update = (next: { runs?: string[]; variables?: string[]; allParameters?: boolean }) => {
    const updated = new URLSearchParams();
    (next.runs ?? runs).forEach((id) => updated.append('run', id));
    (next.variables ?? variables).forEach((name) => updated.append('variable', name));
    if (next.allParameters ?? allParameters) {
      updated.set('all', '1');
    }
    setParams(updated, { replace: true });
  };
  return { runs, variables, allParameters, update };
}

function useRunRange(client: ProxyClient, runs: string[]): SimulationRange {
  const { value } = useAsyncValue(JSON.stringify(runs), () => Promise.all(runs.map((id) => client.getSimulation(id))));
  return useMemo(() => unionRange(value ?? []), [value]);
}

function ParameterDiff({ datasourceUid, runs, all, range }: { datasourceUid: string; runs: string[]; all: boolean; range: SimulationRange }) {
  const query = useMemo(() => ({ refId: 'P', queryType: 'parameters', simulations: runs, variables: [], differsOnly: !all }), [runs, all]);
  const data = usePanelData(datasourceUid, query, range, 1000);
  return <QuickPlot title={all ? 'Parameters' : 'Parameters that differ'} data={data} panel="table" height={280} placeholder="" />;
}

/** Two or more runs: the parameters that differ, then chosen variables overlaid at t = 0. */
export function ComparePage({ datasourceUid }: { datasourceUid: string }) {
  const client = useProxyClient(datasourceUid);
  const { runs, variables, allParameters, update } = useSelection();
  const stableRuns = useStableList(runs);
  const range = useRunRange(client, stableRuns);
  const comparable = stableRuns.length >= 2;
  return (
    <PluginPage>
      <Stack direction="column" gap={3}>
        <SimulationsField client={client} value={stableRuns} onChange={(ids) => update({ runs: ids })} />
        {!comparable && <Alert title="Pick two or more runs to compare them." severity="info" />}
        {comparable && (
          <>
            <Stack direction="row" gap={1} wrap="wrap">
              <LinkButton icon="apps" variant="secondary" href={compareDashboardUrl(datasourceUid, stableRuns, variables, range)}>
                Open the Compare runs dashboard
              </LinkButton>
              <LinkButton icon="compass" variant="secondary" href={exploreUrl(datasourceUid, plotQuery(stableRuns, variables, LEGEND), range)}>
                Open in Explore
              </LinkButton>
            </Stack>
            <section aria-label="Parameters">
              <Stack direction="column" gap={1}>
                <Stack direction="row" gap={2} alignItems="center">
                  <Text element="h3" variant="h4">
                    Parameters
                  </Text>
                  <InlineField label="Show all parameters" tooltip="Off: only the parameters whose values differ between the runs">
                    <InlineSwitch value={allParameters} onChange={(event) => update({ allParameters: event.currentTarget.checked })} />
                  </InlineField>
                </Stack>
                <ParameterDiff datasourceUid={datasourceUid} runs={stableRuns} all={allParameters} range={range} />
              </Stack>
            </section>
            <section aria-label="Variables">
              <Stack direction="column" gap={1}>
                <Text element="h3" variant="h4">
                  Variables, overlaid at t = 0
                </Text>
                <VariablePlot
                  datasourceUid={datasourceUid}
                  client={client}
                  simulations={stableRuns}
                  variables={variables}
                  onVariablesChange={(names) => update({ variables: names })}
                  range={range}
                  title="Compared runs"
                  legend={LEGEND}
                />
              </Stack>
            </section>
          </>
        )}
      </Stack>
    </PluginPage>
  );
}
