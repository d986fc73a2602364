import React, { type ChangeEvent } from 'react';
import { Field, FieldSet, Input, SecretInput, Stack, Text } from '@grafana/ui';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';

import type { SimVizOptions, SimVizSecureJsonData } from '../types';

type Props = DataSourcePluginOptionsEditorProps<SimVizOptions, SimVizSecureJsonData>;

export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData, secureJsonFields, secureJsonData } = options;

  const onProxyUrlChange = (event: ChangeEvent<HTMLInputElement>) => {
    onOptionsChange({ ...options, jsonData: { ...jsonData, proxyUrl: event.target.value.trim() } });
  };

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
      <Text color="secondary">
        SimViz reads Dymola and OpenModelica result files through the SimViz proxy. Grafana&apos;s server forwards every
        request to the proxy and adds the API key, so the key never reaches the browser.
      </Text>
      <FieldSet label="Connection">
        <Field
          label="Proxy URL"
          description="Where the Grafana server reaches the SimViz proxy, for example http://simviz-proxy:9800"
          required
        >
          <Input
            id="simviz-config-proxy-url"
            value={jsonData.proxyUrl ?? ''}
            onChange={onProxyUrlChange}
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
      </FieldSet>
    </Stack>
  );
}
