import React from 'react';
import type { GrafanaTheme2 } from '@grafana/data';
import { css } from '@emotion/css';
import { Alert, Stack, TagList, TextLink, useStyles2 } from '@grafana/ui';

import type { Simulation } from '../../shared/api';
import { detailUrl } from '../../api/links';
import { bytesText, dateText } from '../../shared/format';
import { durationOf, folderOf, StatusBadge } from '../SimulationTable/SimulationTable';

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(3),
    rowGap: theme.spacing(0.5),
    margin: 0,
    dt: { color: theme.colors.text.secondary },
    dd: { margin: 0 },
  }),
});

function timeSpan(simulation: Simulation): string {
  if (simulation.startTime === null || simulation.stopTime === null) {
    return '';
  }
  return `${simulation.startTime} s to ${simulation.stopTime} s (${durationOf(simulation)}), ${simulation.timePointCount} time points`;
}

/** Label and value pairs; empty values are left out rather than shown as blanks. */
function rows(simulation: Simulation): Array<[string, React.ReactNode]> {
  const entries: Array<[string, React.ReactNode]> = [
    ['Status', <StatusBadge key="status" simulation={simulation} />],
    ['File', `${simulation.root}/${simulation.path}`],
    ['Folder', folderOf(simulation)],
    ['Format', simulation.format],
    ['Model', simulation.model],
    ['Experiment', simulation.experiment],
    ['Condition', simulation.condition],
    ['Run date', dateText(simulation.runAt)],
    ['Simulated time', timeSpan(simulation)],
    ['Variables', String(simulation.variableCount)],
    ['Size', bytesText(simulation.sizeBytes)],
    ['Modified', dateText(simulation.modifiedAt)],
    ['Description', simulation.description],
    ['Tags', simulation.tags?.length ? <TagList key="tags" tags={simulation.tags} /> : undefined],
    [
      'Reference run',
      simulation.referenceId ? (
        <TextLink key="reference" href={detailUrl(simulation.referenceId)} inline={false}>
          open the reference run
        </TextLink>
      ) : undefined,
    ],
  ];
  return entries.filter(([, value]) => value !== undefined && value !== null && value !== '');
}

/** What the proxy knows about one run: file, model and run metadata, and any problems. */
export function SimulationMetadata({ simulation }: { simulation: Simulation }) {
  const styles = useStyles2(getStyles);
  return (
    <Stack direction="column" gap={1}>
      {simulation.status === 'error' && (
        <Alert title={`${simulation.name} cannot be read`} severity="error">
          {simulation.error}
        </Alert>
      )}
      {simulation.warnings?.map((warning) => <Alert key={warning} title={warning} severity="warning" />)}
      <dl className={styles.list} aria-label="Simulation metadata">
        {rows(simulation).map(([label, value]) => (
          <React.Fragment key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </React.Fragment>
        ))}
      </dl>
    </Stack>
  );
}
