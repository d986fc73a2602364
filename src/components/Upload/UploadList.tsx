import React from 'react';
import type { GrafanaTheme2 } from '@grafana/data';
import { css } from '@emotion/css';
import { Icon, IconButton, Stack, Text, TextLink, useStyles2 } from '@grafana/ui';

import { bytesText } from '../../shared/format';
import { detailUrl } from '../../api/links';
import type { UploadEntry, UploadState } from '../../hooks/useUploadQueue';

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({ listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: theme.spacing(1) }),
  item: css({
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1, 2),
  }),
  track: css({ height: 6, background: theme.colors.background.secondary, borderRadius: 3, overflow: 'hidden', marginTop: theme.spacing(0.5) }),
  bar: css({ height: '100%', background: theme.colors.primary.main, transition: 'width 0.2s' }),
});

function percentOf(state: UploadState): number {
  if (state.phase === 'done') {
    return 100;
  }
  return state.phase === 'uploading' && state.total > 0 ? Math.min(100, Math.round((state.loaded / state.total) * 100)) : 0;
}

function Verdict({ state }: { state: UploadState }) {
  switch (state.phase) {
    case 'queued':
      return <Text color="secondary">waiting</Text>;
    case 'uploading':
      return (
        <Text color="secondary">
          {state.loaded >= state.total ? 'checking the file on the proxy…' : `${bytesText(state.loaded)} of ${bytesText(state.total)}`}
        </Text>
      );
    case 'done':
      return (
        <Stack direction="row" gap={1} alignItems="center">
          <Icon name="check-circle" color="green" />
          <Text color="success">{`Stored as ${state.simulation.root}/${state.simulation.path}: ${state.simulation.variableCount} variables.`}</Text>
          <TextLink href={detailUrl(state.simulation.id)} inline={false}>
            Open
          </TextLink>
        </Stack>
      );
    case 'failed':
      return (
        <Stack direction="row" gap={1} alignItems="center">
          <Icon name="exclamation-triangle" color="red" />
          <Text color="error">{state.message}</Text>
        </Stack>
      );
  }
}

function UploadItem({ entry, onRemove }: { entry: UploadEntry; onRemove: (id: number) => void }) {
  const styles = useStyles2(getStyles);
  const percent = percentOf(entry.state);
  const active = entry.state.phase === 'uploading';
  return (
    <li className={styles.item} data-testid="simviz-upload-item" data-phase={entry.state.phase} aria-label={entry.file.name}>
      <Stack direction="row" justifyContent="space-between" alignItems="center">
        <Text weight="medium">{`${entry.file.name} (${bytesText(entry.file.size)})`}</Text>
        <IconButton
          name={active ? 'times' : 'trash-alt'}
          tooltip={active ? 'Cancel the upload' : 'Remove from the list'}
          aria-label={`${active ? 'Cancel' : 'Remove'} ${entry.file.name}`}
          onClick={() => onRemove(entry.id)}
        />
      </Stack>
      <div
        className={styles.track}
        role="progressbar"
        aria-label={`Upload of ${entry.file.name}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <div className={styles.bar} style={{ width: `${percent}%` }} />
      </div>
      <Verdict state={entry.state} />
    </li>
  );
}

/** Every file dropped in this visit, with its progress and what the proxy said about it. */
export function UploadList({ entries, onRemove }: { entries: UploadEntry[]; onRemove: (id: number) => void }) {
  const styles = useStyles2(getStyles);
  if (entries.length === 0) {
    return null;
  }
  return (
    <ul className={styles.list} aria-label="Uploads">
      {entries.map((entry) => (
        <UploadItem key={entry.id} entry={entry} onRemove={onRemove} />
      ))}
    </ul>
  );
}
