import React, { useCallback, useState } from 'react';
import { FieldType, type DataFrame, type DataQuery, type DataSourceApi } from '@grafana/data';
import { Button, Stack, Text } from '@grafana/ui';

import type { AnyDataSourcePlugin } from '../pluginLoader';
import { runPanelQuery } from '../runQuery';

interface Marker {
  time: number;
  text: string;
  tags: string[];
}

/**
 * Grafana's reading of annotation frames (standard annotation support): the first time field, the
 * `text` field and the `tags` field of each row.
 */
function markersOf(frames: DataFrame[]): Marker[] {
  return frames.flatMap((frame) => {
    const time = frame.fields.find((f) => f.type === FieldType.time);
    const text = frame.fields.find((f) => f.name === 'text');
    const tags = frame.fields.find((f) => f.name === 'tags');
    if (!time) {
      return [];
    }
    return time.values.map((t, i) => ({ time: Number(t), text: String(text?.values[i] ?? ''), tags: (tags?.values[i] as string[] | undefined) ?? [] }));
  });
}

interface Props {
  plugin: AnyDataSourcePlugin;
  datasource: DataSourceApi;
  range: { from: number; to: number };
}

/** An annotation query as Grafana edits it: the datasource's default annotation query in its QueryEditor, and the markers it yields. */
export function AnnotationEditorView({ plugin, datasource, range }: Props) {
  const QueryEditor = plugin.components.QueryEditor;
  const [query, setQuery] = useState<DataQuery>(() => ({ refId: 'Anno', ...datasource.annotations?.getDefaultQuery?.() }));
  const [markers, setMarkers] = useState<Marker[]>();
  const run = useCallback(
    async (target: DataQuery) => {
      const response = await runPanelQuery(datasource, [target], range, 1000);
      setMarkers(markersOf(response.data as DataFrame[]));
    },
    [datasource, range]
  );
  if (!datasource.annotations || !QueryEditor) {
    return <Text color="error">The datasource does not support annotations</Text>;
  }
  return (
    <Stack direction="column" gap={2}>
      <QueryEditor datasource={datasource} query={query} onChange={setQuery} onRunQuery={() => setQuery((current) => (run(current), current))} />
      <Button onClick={() => run(query)} data-testid="harness-run-annotations">
        Show annotations
      </Button>
      {markers && (
        <ul>
          {markers.map((marker, i) => (
            <li key={i} data-testid="harness-annotation" data-time={marker.time} data-tags={marker.tags.join(',')}>
              {new Date(marker.time).toISOString()} {marker.text}
            </li>
          ))}
        </ul>
      )}
    </Stack>
  );
}
