import React, { useCallback, useEffect, useRef, useState } from 'react';
import type { DataQuery, DataQueryResponse, DataSourceApi } from '@grafana/data';
import { Button, Stack, Text } from '@grafana/ui';
import type { Subscription } from 'rxjs';

import type { AnyDataSourcePlugin } from '../pluginLoader';
import { panelQueryResponses } from '../runQuery';
import { ResultView } from './ResultView';

interface Props {
  plugin: AnyDataSourcePlugin;
  datasource: DataSourceApi;
  range: { from: number; to: number };
  maxDataPoints: number;
  /** A saved query to start from (as a dashboard panel holds it), instead of the default one. */
  initialQuery?: DataQuery;
}

declare global {
  interface Window {
    __harnessLastResponse?: DataQueryResponse;
    __harnessQuery?: DataQuery;
  }
}

/**
 * A panel editor: the plugin's QueryEditor above the result of running its query. As Grafana's
 * query runner, each response the query emits is drawn (a live query's keep coming until its runs
 * settle), and running the query again drops the previous run's.
 */
export function QueryEditorView({ plugin, datasource, range, maxDataPoints, initialQuery }: Props) {
  const QueryEditor = plugin.components.QueryEditor;
  const [query, setQuery] = useState<DataQuery>(
    () => initialQuery ?? { refId: 'A', ...datasource.getDefaultQuery?.('panel-editor' as never) }
  );
  const [response, setResponse] = useState<DataQueryResponse>();
  const [runs, setRuns] = useState(0);
  /** Responses drawn so far, over all runs. */
  const [updates, setUpdates] = useState(0);
  const running = useRef<Subscription>();
  useEffect(() => () => running.current?.unsubscribe(), []);

  const run = useCallback(
    (target: DataQuery) => {
      running.current?.unsubscribe();
      let first = true;
      running.current = panelQueryResponses(datasource, [target], range, maxDataPoints).subscribe((result) => {
        window.__harnessLastResponse = result;
        setResponse(result);
        setUpdates((n) => n + 1);
        if (first) {
          first = false;
          setRuns((n) => n + 1);
        }
      });
    },
    [datasource, range, maxDataPoints]
  );

  if (!QueryEditor) {
    return <Text color="error">The plugin has no QueryEditor</Text>;
  }
  return (
    <Stack direction="column" gap={2}>
      <QueryEditor
        datasource={datasource}
        query={query}
        onChange={(next: DataQuery) => {
          window.__harnessQuery = next;
          setQuery(next);
        }}
        onRunQuery={() => setQuery((current) => (run(current), current))}
      />
      <Stack direction="row" gap={1} alignItems="center">
        <Button onClick={() => run(query)} data-testid="harness-run-query">
          Run query
        </Button>
        <span data-testid="harness-runs">{runs}</span>
        <span data-testid="harness-response-state" data-state={response?.state ?? ''} data-updates={updates}>
          {response?.state ?? ''}
        </span>
      </Stack>
      <ResultView response={response} />
    </Stack>
  );
}
