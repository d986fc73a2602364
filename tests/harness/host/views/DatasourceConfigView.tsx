import React, { useEffect, useState } from 'react';
import type { DataSourceInstanceSettings, DataSourceSettings, TestDataSourceResponse } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import { Alert, Button, LoadingPlaceholder, Stack } from '@grafana/ui';

import type { AnyDataSourcePlugin } from '../pluginLoader';

interface Props {
  plugin: AnyDataSourcePlugin;
  uid: string;
}

/**
 * As Grafana's settings page reads a rejected test (parseHealthCheckError): a backend datasource
 * rejects with { status, message, error: HealthCheckError(message, details) }.
 */
function healthCheckFailure(error: unknown): TestDataSourceResponse {
  const failure = error as { message?: unknown; error?: { details?: unknown } } | undefined;
  if (typeof failure?.message === 'string') {
    return { status: 'error', message: failure.message, details: failure.error?.details as TestDataSourceResponse['details'] };
  }
  return { status: 'error', message: `testDatasource threw: ${String(error)}` };
}

/** The datasource settings page: the plugin's ConfigEditor, then "Save & test" as Grafana does it. */
export function DatasourceConfigView({ plugin, uid }: Props) {
  const ConfigEditor = plugin.components.ConfigEditor;
  const [options, setOptions] = useState<DataSourceSettings>();
  const [result, setResult] = useState<TestDataSourceResponse>();

  useEffect(() => {
    getBackendSrv().get<DataSourceSettings>(`/api/datasources/uid/${uid}`).then(setOptions);
  }, [uid]);

  const saveAndTest = async () => {
    setResult(undefined);
    const saved = await getBackendSrv().put<{ datasource: DataSourceSettings }>(`/api/datasources/uid/${uid}`, options);
    setOptions({ ...saved.datasource, secureJsonData: {} });
    const list = await getBackendSrv().get<DataSourceInstanceSettings[]>('/api/harness/datasources');
    const settings = list.find((s) => s.uid === uid)!;
    const datasource = new plugin.DataSourceClass(settings);
    try {
      setResult(await datasource.testDatasource());
    } catch (error) {
      setResult(healthCheckFailure(error));
    }
  };

  if (!ConfigEditor) {
    return <Alert title="The plugin has no ConfigEditor" />;
  }
  if (!options) {
    return <LoadingPlaceholder text="Loading settings" />;
  }
  return (
    <Stack direction="column" gap={2}>
      <ConfigEditor options={options} onOptionsChange={setOptions} />
      <div>
        <Button onClick={saveAndTest} data-testid="harness-save-and-test">
          Save &amp; test
        </Button>
      </div>
      {result && (
        <div data-testid="harness-test-result" data-status={result.status}>
          <Alert title={result.message} severity={result.status === 'success' ? 'success' : 'error'}>
            {(result.details as { message?: string } | undefined)?.message}
          </Alert>
        </div>
      )}
    </Stack>
  );
}
