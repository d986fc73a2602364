import React, { useState } from 'react';
import { lastValueFrom } from 'rxjs';
import type { AppPluginMeta, PluginConfigPageProps, PluginMeta } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, Input, Stack } from '@grafana/ui';

import { proxyClientFor } from '../../api/proxyForDatasource';
import { DEFAULT_DATASOURCE_UID, type AppSettings } from '../../constants';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<AppSettings>> {}

type Check = { severity: 'success' | 'error'; text: string } | undefined;

async function saveSettings(pluginId: string, data: Partial<PluginMeta<AppSettings>>): Promise<void> {
  await lastValueFrom(getBackendSrv().fetch({ url: `/api/plugins/${pluginId}/settings`, method: 'POST', data }));
}

/** Which SimViz datasource the app pages use, and whether its proxy answers. */
const AppConfig = ({ plugin }: AppConfigProps) => {
  const { enabled, pinned, jsonData } = plugin.meta;
  const [uid, setUid] = useState(jsonData?.datasourceUid ?? DEFAULT_DATASOURCE_UID);
  const [check, setCheck] = useState<Check>();

  const onTest = async () => {
    try {
      const health = await proxyClientFor(uid).health();
      setCheck({ severity: 'success', text: `Proxy ${health.version} answers with ${health.simulations} simulations` });
    } catch (error) {
      setCheck({ severity: 'error', text: error instanceof Error ? error.message : String(error) });
    }
  };

  const onSave = async () => {
    await saveSettings(plugin.meta.id, { enabled, pinned, jsonData: { ...jsonData, datasourceUid: uid } });
    // Plugin settings are read once when Grafana loads the app, so a reload applies them.
    window.location.reload();
  };

  return (
    <FieldSet label="SimViz datasource">
      <Field label="Datasource uid" description={`The SimViz datasource the app pages read from (provisioned as “${DEFAULT_DATASOURCE_UID}”).`}>
        <Input id="simviz-app-datasource-uid" width={40} value={uid} onChange={(e) => setUid(e.currentTarget.value.trim())} />
      </Field>
      <Stack direction="row" gap={1}>
        <Button variant="secondary" onClick={onTest}>
          Test proxy
        </Button>
        <Button onClick={onSave} disabled={!uid}>
          Save settings
        </Button>
      </Stack>
      {check && (
        <Alert title={check.severity === 'success' ? 'Connected' : 'Not connected'} severity={check.severity}>
          {check.text}
        </Alert>
      )}
    </FieldSet>
  );
};

export default AppConfig;
