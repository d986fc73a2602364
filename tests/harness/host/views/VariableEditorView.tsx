import React, { useState } from 'react';
import type { DataQuery, DataQueryResponse, DataSourceApi, MetricFindValue } from '@grafana/data';
import { Button, Stack, Text } from '@grafana/ui';

import { runPanelQuery } from '../runQuery';

interface CustomVariables {
  editor: React.ComponentType<{ datasource: DataSourceApi; query: DataQuery; onChange: (query: DataQuery) => void; onRunQuery: () => void }>;
  query: (request: Parameters<DataSourceApi['query']>[0]) => ReturnType<DataSourceApi['query']>;
  getDefaultQuery?: () => Partial<DataQuery>;
}

declare global {
  interface Window {
    __harnessVariableQuery?: DataQuery;
  }
}

/**
 * Grafana's query-variable editor: the datasource's custom variable editor above the preview of
 * the values it yields (Grafana runs the variable query the way it runs a panel query).
 */
export function VariableEditorView({ datasource }: { datasource: DataSourceApi }) {
  const variables = datasource.variables as unknown as CustomVariables | undefined;
  const [query, setQuery] = useState<DataQuery>(() => ({ refId: 'variable', ...variables?.getDefaultQuery?.() }));
  const [options, setOptions] = useState<MetricFindValue[]>();
  const [error, setError] = useState<string>();
  if (!variables?.editor) {
    return <Text color="error">The datasource has no variable support</Text>;
  }
  const Editor = variables.editor;
  const preview = async (target: DataQuery) => {
    setError(undefined);
    try {
      const response: DataQueryResponse = await runPanelQuery({ query: (request) => variables.query(request) }, [target], { from: 0, to: 0 }, 1000);
      setOptions(response.data as MetricFindValue[]);
    } catch (caught) {
      setError(String(caught));
    }
  };
  return (
    <Stack direction="column" gap={2}>
      <Editor
        datasource={datasource}
        query={query}
        onChange={(next) => {
          window.__harnessVariableQuery = next;
          setQuery(next);
        }}
        onRunQuery={() => preview(query)}
      />
      <Button onClick={() => preview(query)} data-testid="harness-variable-preview">
        Preview values
      </Button>
      {error && <Text color="error">{error}</Text>}
      {options && (
        <div>
          <Text>Preview of values ({options.length})</Text>
          <ul>
            {options.map((option, i) => (
              <li key={i} data-testid="harness-variable-option" data-value={String(option.value ?? option.text)}>
                {option.text}
              </li>
            ))}
          </ul>
        </div>
      )}
    </Stack>
  );
}
