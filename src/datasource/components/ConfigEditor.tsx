import React, { type ChangeEvent } from 'react';
import { Field, Input, RadioButtonGroup, SecretInput, Stack } from '@grafana/ui';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { ConfigSection, DataSourceDescription } from '@grafana/plugin-ui';

import type { SimVizOptions, SimVizSecureJsonData, TimeAxis } from '../types';

type Props = DataSourcePluginOptionsEditorProps<SimVizOptions, SimVizSecureJsonData>;

/** The app's page in Grafana, which shows its README (configuration and query help). */
const DOCS = '/plugins/simviz-simulation-app';

const AXES: Array<{ value: TimeAxis; label: string }> = [
  { value: 'simulation', label: 'Simulation time' },
  { value: 'runStart', label: 'Run start' },
  { value: 'numeric', label: 'Seconds' },
];

function parseTimeout(text: string): number | undefined {
  const seconds = Number(text);
  return text.trim() && Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData, secureJsonFields, secureJsonData } = options;
  const setJsonData = (next: Partial<SimVizOptions>) => onOptionsChange({ ...options, jsonData: { ...jsonData, ...next } });

  const onApiKeyChange = (event: ChangeEvent<HTMLInputElement>) => {
    onOptionsChange({ ...options, secureJsonData: { ...secureJsonData, apiKey: event.target.value } });
  };

  const onApiKeyReset = () => {
    onOptionsChange({
      ...options,
      secureJsonFields: { ...secureJsonFields, apiKey: false },
      secureJsonData: { ...secureJsonData, apiKey: '' },
    });
  };

  return (
    <Stack direction="column" gap={2}>
      <DataSourceDescription dataSourceName="SimViz" docsLink={DOCS} hasRequiredFields />
      <ConfigSection
        title="Connection"
        description="Grafana's server forwards every request to the SimViz proxy and adds the API key, so the key never reaches the browser."
      >
        <Field label="Proxy URL" description="Where the Grafana server reaches the SimViz proxy, for example http://simviz-proxy:9800" required>
          <Input
            id="simviz-config-proxy-url"
            value={jsonData.proxyUrl ?? ''}
            onChange={(event: ChangeEvent<HTMLInputElement>) => setJsonData({ proxyUrl: event.target.value.trim() })}
            placeholder="http://localhost:9800"
            width={60}
          />
        </Field>
        <Field label="API key" description="One of the keys the proxy was started with (--api-key). Leave empty if it runs without keys.">
          <SecretInput
            id="simviz-config-api-key"
            isConfigured={Boolean(secureJsonFields?.apiKey)}
            value={secureJsonData?.apiKey ?? ''}
            placeholder="API key"
            width={60}
            onChange={onApiKeyChange}
            onReset={onApiKeyReset}
          />
        </Field>
        <Field label="Timeout" description="Seconds Grafana waits for the proxy before giving up; empty: Grafana's data proxy default (30 s)">
          <Input
            id="simviz-config-timeout"
            type="number"
            min={1}
            value={jsonData.timeout ?? ''}
            onChange={(event: ChangeEvent<HTMLInputElement>) => setJsonData({ timeout: parseTimeout(event.target.value) })}
            placeholder="30"
            width={12}
          />
        </Field>
      </ConfigSection>
      <ConfigSection title="Queries" description="Defaults for queries that do not set their own.">
        <Field
          label="Default time axis"
          description="Simulation time overlays runs aligned at t = 0 (dashboards then use UTC and a range from 1970-01-01); run start places each run at its start; seconds suits the XY chart."
        >
          <RadioButtonGroup<TimeAxis> options={AXES} value={jsonData.defaultTimeAxis ?? 'simulation'} onChange={(defaultTimeAxis) => setJsonData({ defaultTimeAxis })} />
        </Field>
      </ConfigSection>
    </Stack>
  );
}
