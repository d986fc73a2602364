import React, { useMemo, useState } from 'react';
import { useParams } from 'react-router-dom';
import { PluginPage } from '@grafana/runtime';
import { Alert, LinkButton, LoadingPlaceholder, Stack, Text } from '@grafana/ui';

import { compareUrl, exploreUrl, overviewUrl, simulationRange } from '../api/links';
import { ParametersTable } from '../components/SimulationDetail/ParametersTable';
import { ReferenceActions } from '../components/SimulationDetail/ReferenceActions';
import type { Simulation } from '../shared/api';
import { SimulationMetadata } from '../components/SimulationDetail/SimulationMetadata';
import { plotQuery, VariablePlot } from '../components/QuickPlot/VariablePlot';
import { useAsyncValue } from '../hooks/useAsyncValue';
import { useProxyClient } from '../hooks/useProxyClient';

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section aria-label={title}>
      <Stack direction="column" gap={1}>
        <Text element="h3" variant="h4">
          {title}
        </Text>
        {children}
      </Stack>
    </section>
  );
}

/** One run: its metadata, parameters, a browser of its variables and a quick plot of the chosen ones. */
export function SimulationDetailPage({ datasourceUid }: { datasourceUid: string }) {
  const { id = '' } = useParams<{ id: string }>();
  const client = useProxyClient(datasourceUid);
  const { value: loaded, error } = useAsyncValue(JSON.stringify([datasourceUid, id]), () => client.getSimulation(id));
  // After the reference is changed here, the entry the proxy answered with.
  const [changed, setChanged] = useState<Simulation>();
  const simulation = changed?.id === id ? changed : loaded;
  const [variables, setVariables] = useState<string[]>([]);
  const simulations = useMemo(() => [id], [id]);

  if (error) {
    return (
      <PluginPage>
        <Alert title="This simulation cannot be shown" severity="error">
          {error}
        </Alert>
      </PluginPage>
    );
  }
  if (!simulation) {
    return (
      <PluginPage>
        <LoadingPlaceholder text="Loading simulation…" />
      </PluginPage>
    );
  }
  const range = simulationRange(simulation);
  const readable = simulation.status !== 'error';
  return (
    <PluginPage pageNav={{ text: simulation.name, subTitle: simulation.model ?? simulation.path }}>
      <Stack direction="column" gap={3}>
        <Stack direction="row" gap={1} wrap="wrap">
          <LinkButton icon="compass" variant="secondary" disabled={!readable} href={exploreUrl(datasourceUid, plotQuery(simulations, variables), range)}>
            Open in Explore
          </LinkButton>
          <LinkButton icon="apps" variant="secondary" disabled={!readable} href={overviewUrl(simulation, datasourceUid)}>
            Overview dashboard
          </LinkButton>
          <LinkButton icon="code-branch" variant="secondary" disabled={!readable} href={compareUrl([id], variables)}>
            Compare with other runs
          </LinkButton>
        </Stack>
        <Section title="Metadata">
          <SimulationMetadata simulation={simulation} />
          <ReferenceActions simulation={simulation} client={client} datasourceUid={datasourceUid} onChanged={setChanged} />
        </Section>
        {readable && (
          <>
            <Section title="Variables">
              <VariablePlot
                datasourceUid={datasourceUid}
                client={client}
                simulations={simulations}
                variables={variables}
                onVariablesChange={setVariables}
                range={range}
                title={simulation.name}
                legend="{{variable}}"
                showTree
              />
            </Section>
            <Section title="Parameters">
              <ParametersTable client={client} simulationId={id} />
            </Section>
          </>
        )}
      </Stack>
    </PluginPage>
  );
}
