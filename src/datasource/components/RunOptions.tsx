import React, { useEffect, useState } from 'react';
import { InlineField, Input, RadioButtonGroup, Stack, Text } from '@grafana/ui';

import type { ProxyClient } from '../../shared/proxyClient';
import type { NewestRun, SimVizQuery, TimeMode } from '../types';
import { CommitInput } from './SeriesOptions';

interface Props {
  query: SimVizQuery;
  /** Changes the query and runs it. */
  onChange: (next: Partial<SimVizQuery>) => void;
}

type RunsMode = 'listed' | 'newest';

const RUNS: Array<{ value: RunsMode; label: string; description: string }> = [
  { value: 'listed', label: 'Listed simulations', description: 'The runs chosen below' },
  { value: 'newest', label: 'Newest run matching', description: 'The newest finished run that matches, looked up at each query: alert rules follow new runs' },
];

const TIMES: Array<{ value: TimeMode; label: string; description: string }> = [
  { value: 'dashboard', label: 'Dashboard range', description: "The dashboard's (or alert rule's) time range, on the query's time axis" },
  { value: 'wholeRun', label: 'Whole run', description: 'Every time point of the run, whatever the range' },
  { value: 'lastSeconds', label: 'Last seconds', description: "The last seconds before the run's stop time" },
];

/** A newly chosen "last seconds" starts at one minute: the backend needs a positive number. */
const DEFAULT_LAST_SECONDS = 60;

/** "Runs": the listed simulations, or the newest finished run matching a search, folder and tag. */
export function RunsChoice({ query, onChange }: Props) {
  const mode: RunsMode = query.newest ? 'newest' : 'listed';
  return (
    <InlineField label="Runs" labelWidth={14} tooltip={RUNS.find((r) => r.value === mode)?.description}>
      <RadioButtonGroup<RunsMode> options={RUNS} value={mode} onChange={(next) => onChange({ newest: next === 'newest' ? {} : undefined })} />
    </InlineField>
  );
}

const NEWEST_FIELDS: Array<{ key: keyof NewestRun; label: string; placeholder: string; tooltip: string }> = [
  { key: 'search', label: 'Search', placeholder: 'any name or model', tooltip: 'Words in the name, path, model or tags' },
  { key: 'folder', label: 'Folder', placeholder: 'any folder', tooltip: 'Runs in this folder or below, e.g. nightly/thermal' },
  { key: 'tag', label: 'Tag', placeholder: 'any tag', tooltip: "A tag from the run's sidecar file" },
];

/** The newest finished run the backend would pick now (same listing: finished runs, newest file first). */
function useNewestRun(client: ProxyClient, newest: NewestRun): { id?: string; name?: string; problem?: string } {
  const [found, setFound] = useState<{ id?: string; name?: string; problem?: string }>({});
  const { search, folder, tag } = newest;
  useEffect(() => {
    let cancelled = false;
    client
      .listSimulations({ search: search || undefined, folder: folder || undefined, tag: tag || undefined, status: 'ok', sort: 'modifiedAt', order: 'desc', limit: 1 })
      .then(
        (page) => !cancelled && setFound(page.items[0] ? { id: page.items[0].id, name: page.items[0].name } : { problem: 'no finished run matches' }),
        (error: unknown) => !cancelled && setFound({ problem: error instanceof Error ? error.message : String(error) })
      );
    return () => {
      cancelled = true;
    };
  }, [client, search, folder, tag]);
  return found;
}

interface NewestProps extends Props {
  client: ProxyClient;
  /** The run the filter picks now, for the variable picker (which lists a run's variables). */
  onResolved: (id: string | undefined) => void;
}

/** Search, folder and tag of "Newest run matching", and which run that is right now. */
export function NewestRunFields({ query, onChange, client, onResolved }: NewestProps) {
  const newest = query.newest ?? {};
  const found = useNewestRun(client, newest);
  useEffect(() => onResolved(found.id), [found.id, onResolved]);
  const set = (key: keyof NewestRun, text: string) => onChange({ newest: { ...newest, [key]: text.trim() || undefined } });
  return (
    <Stack direction="row" gap={1} wrap="wrap" alignItems="center">
      {NEWEST_FIELDS.map(({ key, label, placeholder, tooltip }) => (
        <InlineField key={key} label={label} labelWidth={key === 'search' ? 14 : undefined} tooltip={tooltip} htmlFor={`simviz-query-newest-${key}`}>
          <CommitInput id={`simviz-query-newest-${key}`} value={newest[key] ?? ''} placeholder={placeholder} width={24} onCommit={(text) => set(key, text)} />
        </InlineField>
      ))}
      <span data-testid="simviz-newest-run">
        <Text color={found.problem ? 'warning' : 'secondary'} variant="bodySmall">
          {found.problem ? `Now: ${found.problem}` : found.name ? `Now: ${found.name}` : ''}
        </Text>
      </span>
    </Stack>
  );
}

function parseSeconds(text: string): number | undefined {
  const value = Number(text.trim());
  return text.trim() && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** "Time": which part of each run the query reads. */
export function TimeOptions({ query, onChange }: Props) {
  const mode = query.timeMode ?? 'dashboard';
  const choose = (next: TimeMode) =>
    onChange({
      timeMode: next === 'dashboard' ? undefined : next,
      lastSeconds: next === 'lastSeconds' ? (query.lastSeconds ?? DEFAULT_LAST_SECONDS) : undefined,
    });
  // Only a positive number is kept; anything else leaves the query as it was.
  const commitSeconds = (text: string) => {
    const seconds = parseSeconds(text);
    if (seconds !== undefined && seconds !== query.lastSeconds) {
      onChange({ lastSeconds: seconds });
    }
  };
  return (
    <Stack direction="row" gap={1} wrap="wrap">
      <InlineField label="Time" labelWidth={14} tooltip="Alert rules are evaluated at the current time: to alert on results, read the whole run or its last seconds">
        <RadioButtonGroup<TimeMode> options={TIMES} value={mode} onChange={choose} />
      </InlineField>
      {mode === 'lastSeconds' && (
        <InlineField label="Seconds before stop" tooltip="How many seconds before the run's stop time the query starts reading" htmlFor="simviz-query-last-seconds">
          <Input
            id="simviz-query-last-seconds"
            type="number"
            min={0}
            width={12}
            // A new value from outside (e.g. a reloaded query) replaces what was typed.
            key={query.lastSeconds}
            defaultValue={query.lastSeconds ?? DEFAULT_LAST_SECONDS}
            onBlur={(event) => commitSeconds(event.currentTarget.value)}
            onKeyDown={(event) => event.key === 'Enter' && commitSeconds(event.currentTarget.value)}
          />
        </InlineField>
      )}
    </Stack>
  );
}
