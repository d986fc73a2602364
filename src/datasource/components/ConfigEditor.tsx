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

type Mode = NonNullable<SimVizOptions['mode']>;

const MODES: Array<{ value: Mode; label: string; description: string }> = [
  { value: 'folder', label: 'Folder on the Grafana server', description: 'The plugin reads the result files itself; nothing else to run.' },
  { value: 'proxy', label: 'SimViz proxy', description: 'A SimViz proxy elsewhere reads the files; Grafana calls it with an API key.' },
];

/** As the backend reads the settings: datasources saved before the folder mode have a proxy URL and no mode, and stay proxy ones. */
export function modeOf(jsonData: SimVizOptions): Mode {
  return jsonData.mode ?? (jsonData.proxyUrl ? 'proxy' : 'folder');
}

function parseTimeout(text: string): number | undefined {
  const seconds = Number(text);
  return text.trim() && Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData } = options;
  const setJsonData = (next: Partial<SimVizOptions>) => onOptionsChange({ ...options, jsonData: { ...jsonData, ...next } });
  const mode = modeOf(jsonData);

  return (
    <Stack direction="column" gap={2}>
      <DataSourceDescription dataSourceName="SimViz" docsLink={DOCS} hasRequiredFields />
      <ConfigSection title="Connection" description="Where the result files are read. Either way, queries run on the Grafana server, so alerting works.">
        <Field label="Read results from" description={MODES.find((m) => m.value === mode)?.description}>
          <RadioButtonGroup<Mode> options={MODES.map(({ value, label }) => ({ value, label }))} value={mode} onChange={(next) => setJsonData({ mode: next })} />
        </Field>
        {mode === 'folder' ? <FolderSettings jsonData={jsonData} setJsonData={setJsonData} /> : <ProxySettings {...{ options, onOptionsChange, setJsonData }} />}
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

interface FolderProps {
  jsonData: SimVizOptions;
  setJsonData: (next: Partial<SimVizOptions>) => void;
}

/** An absolute path on the Grafana server (Windows ones too); `NAME=/path` names the folder in ids. */
function isAbsolutePath(text: string): boolean {
  const folder = text.replace(/^[^=/\\]+=/, '');
  return folder.startsWith('/') || /^[A-Za-z]:[\\/]/.test(folder) || folder.startsWith('\\\\');
}

function FolderSettings({ jsonData, setJsonData }: FolderProps) {
  const folder = jsonData.folder ?? '';
  const invalid = folder !== '' && !isAbsolutePath(folder);
  return (
    <>
      <Field
        label="Folder"
        description="The folder of result files (.mat, .csv, .h5) on the Grafana server, as an absolute path; subfolders are read too. The Grafana server's user needs read access."
        required
        invalid={invalid}
        error={invalid ? 'Give an absolute path, for example /var/lib/simviz/results' : undefined}
      >
        <Input
          id="simviz-config-folder"
          value={folder}
          onChange={(event: ChangeEvent<HTMLInputElement>) => setJsonData({ folder: event.target.value.trim() })}
          placeholder="/var/lib/simviz/results"
          width={60}
        />
      </Field>
      <Field
        label="Cache folder"
        description="Where decoded layouts and the index are kept between restarts. Empty: a folder under the system's temporary folder."
      >
        <Input
          id="simviz-config-cache-folder"
          value={jsonData.cacheFolder ?? ''}
          onChange={(event: ChangeEvent<HTMLInputElement>) => setJsonData({ cacheFolder: event.target.value.trim() || undefined })}
          placeholder="(under the temporary folder)"
          width={60}
        />
      </Field>
    </>
  );
}

interface ProxyProps extends Props {
  setJsonData: (next: Partial<SimVizOptions>) => void;
}

function ProxySettings({ options, onOptionsChange, setJsonData }: ProxyProps) {
  const { jsonData, secureJsonFields, secureJsonData } = options;

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
    <>
      <Field label="Proxy URL" description="Where the Grafana server reaches the SimViz proxy, for example http://simviz-proxy:9800" required>
        <Input
          id="simviz-config-proxy-url"
          value={jsonData.proxyUrl ?? ''}
          onChange={(event: ChangeEvent<HTMLInputElement>) => setJsonData({ proxyUrl: event.target.value.trim() })}
          placeholder="http://localhost:9800"
          width={60}
        />
      </Field>
      <Field label="API key" description="One of the keys the proxy was started with (--api-key); the Grafana server adds it, so it never reaches the browser. Leave empty if the proxy runs without keys.">
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
      <Field label="Timeout" description="Seconds the Grafana server waits for the proxy before giving up; empty: 30 s">
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
    </>
  );
}
