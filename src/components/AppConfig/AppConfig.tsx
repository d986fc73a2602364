import React, { useState } from 'react';
import { lastValueFrom } from 'rxjs';
import type { AppPluginMeta, PluginConfigPageProps, PluginMeta } from '@grafana/data';
import { DataSourcePicker, getBackendSrv } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, LinkButton, Stack } from '@grafana/ui';

import type { Health } from '../../shared/api';
import { messageOf } from '../../shared/proxyClient';
import { datasourceSettingsUrl } from '../../api/links';
import { DATASOURCE_TYPE, DEFAULT_DATASOURCE_UID, type AppSettings } from '../../constants';
import { useAsyncValue } from '../../hooks/useAsyncValue';
import { useProxyClient } from '../../hooks/useProxyClient';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<AppSettings>> {}

async function saveSettings(pluginId: string, data: Partial<PluginMeta<AppSettings>>): Promise<void> {
  await lastValueFrom(getBackendSrv().fetch({ url: `/api/plugins/${pluginId}/settings`, method: 'POST', data }));
}

function healthText(health: Health): string {
  return `Proxy ${health.version} answers with ${health.simulations} simulations`;
}

/** Checked when the page opens and again on request, so an admin sees at once whether the pages can work. */
function DatasourceHealth({ uid }: { uid: string }) {
  const client = useProxyClient(uid);
  const [attempt, setAttempt] = useState(0);
  const { value: health, loading, error } = useAsyncValue(`${uid}#${attempt}`, () => client.health());
  return (
    <Stack direction="column" gap={1} alignItems="flex-start">
      {!loading && error && (
        <Alert title="Not connected" severity="error">
          {error}
        </Alert>
      )}
      {!loading && health && !error && (
        <Alert title="Connected" severity="success">
          {healthText(health)}
        </Alert>
      )}
      <Stack direction="row" gap={1}>
        <Button variant="secondary" icon={loading ? 'spinner' : 'plug'} onClick={() => setAttempt(attempt + 1)}>
          Test proxy
        </Button>
        <LinkButton variant="secondary" icon="cog" href={datasourceSettingsUrl(uid)}>
          Datasource settings
        </LinkButton>
      </Stack>
    </Stack>
  );
}

/** Which SimViz datasource the app pages use, whether its proxy answers, and where to configure it. */
const AppConfig = ({ plugin }: AppConfigProps) => {
  const { enabled, pinned, jsonData } = plugin.meta;
  const [uid, setUid] = useState(jsonData?.datasourceUid ?? DEFAULT_DATASOURCE_UID);
  const [saveError, setSaveError] = useState<string>();

  const onSave = async () => {
    try {
      await saveSettings(plugin.meta.id, { enabled, pinned, jsonData: { ...jsonData, datasourceUid: uid } });
      // Plugin settings are read once when Grafana loads the app, so a reload applies them.
      window.location.reload();
    } catch (error) {
      setSaveError(messageOf(error));
    }
  };

  return (
    <FieldSet label="SimViz datasource">
      <Stack direction="column" gap={2}>
        <Field
          label="Datasource"
          description={`The SimViz datasource the app pages read from (provisioned with the uid “${DEFAULT_DATASOURCE_UID}”).`}
          noMargin
        >
          <DataSourcePicker
            inputId="simviz-app-datasource"
            pluginId={DATASOURCE_TYPE}
            current={uid}
            noDefault
            width={40}
            onChange={(settings) => setUid(settings.uid)}
          />
        </Field>
        <DatasourceHealth uid={uid} />
        <div>
          <Button onClick={onSave} disabled={!uid}>
            Save settings
          </Button>
        </div>
        {saveError && (
          <Alert title="The settings were not saved" severity="error">
            {saveError}
          </Alert>
        )}
      </Stack>
    </FieldSet>
  );
};

export default AppConfig;
