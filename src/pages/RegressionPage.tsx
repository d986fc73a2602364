import React, { useMemo, useState } from 'react';
import { PluginPage } from '@grafana/runtime';
import { Alert, Badge, Button, Collapse, Field, Input, InteractiveTable, LinkButton, LoadingPlaceholder, RadioButtonGroup, Stack, Text, TextLink, Tooltip, type Column } from '@grafana/ui';

import { detailUrl, regressionDashboardUrl } from '../api/links';
import { numberSort } from '../components/numberSort';
import { useProxyClient } from '../hooks/useProxyClient';
import { messageOf } from '../shared/proxyClient';
import { isBatchItemError, type BatchCompareRequest, type BatchCompareResponse, type RegressionResult, type TolerancesInput, severityOf, worstVariableOf } from '../shared/regression';
import { reportCsv, reportJUnit } from './regression/export';
import { VariableResults } from './regression/VariableResults';

const HOUR_MS = 3_600_000;

interface Filters {
  search: string;
  folder: string;
  tag: string;
  /** Hours; empty: any time. */
  withinHours: string;
  absolute: string;
  relative: string;
  time: string;
  relativeTo: 'range' | 'value';
}

const EMPTY: Filters = { search: '', folder: '', tag: '', withinHours: '', absolute: '', relative: '', time: '', relativeTo: 'range' };

/** One row of the report: a run with its reference, flat so that every column sorts. */
export interface ReportRow {
  id: string;
  run: string;
  reference: string;
  referenceId: string | null;
  status: 'pass' | 'fail' | 'error';
  variables: number;
  failed: number;
  missing: number;
  worstVariable: string;
  /** The worst deviation over the tube's half-height; Infinity when unbounded (NaN on one side); null when nothing was checked. */
  worstRelative: number | null;
  worstTime: number | null;
  parameters: number;
  /** The error of a run that could not be compared, or the warnings of one that was. */
  message: string;
  result?: RegressionResult;
}

function numberOrUndefined(text: string): number | undefined {
  const value = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function toleranceRequest(filters: Filters): TolerancesInput | undefined {
  const tolerances: TolerancesInput = {
    absolute: numberOrUndefined(filters.absolute),
    relative: numberOrUndefined(filters.relative),
    time: numberOrUndefined(filters.time),
    relativeTo: filters.relativeTo === 'range' ? undefined : filters.relativeTo,
  };
  const given = Object.entries(tolerances).filter(([, value]) => value !== undefined);
  return given.length > 0 ? (Object.fromEntries(given) as TolerancesInput) : undefined;
}

export function batchRequest(filters: Filters, now = Date.now()): BatchCompareRequest {
  const hours = numberOrUndefined(filters.withinHours);
  return {
    search: filters.search.trim() || undefined,
    folder: filters.folder.trim() || undefined,
    tag: filters.tag.trim() || undefined,
    modifiedSince: hours ? new Date(now - hours * HOUR_MS).toISOString() : undefined,
    tolerances: toleranceRequest(filters),
  };
}

export function reportRows(report: BatchCompareResponse): ReportRow[] {
  return report.items.map((item): ReportRow => {
    if (isBatchItemError(item)) {
      return {
        id: item.simulation,
        run: item.simulationName,
        reference: item.reference ?? '',
        referenceId: item.reference,
        status: 'error',
        variables: 0,
        failed: 0,
        missing: 0,
        worstVariable: '',
        worstRelative: null,
        worstTime: null,
        parameters: 0,
        message: item.error.message,
      };
    }
    const worst = worstVariableOf(item);
    return {
      id: item.simulation,
      run: item.simulationName,
      reference: item.referenceName,
      referenceId: item.reference,
      status: item.passed ? 'pass' : 'fail',
      variables: item.counts.variables,
      failed: item.counts.failed,
      missing: item.counts.missing,
      worstVariable: worst?.name ?? '',
      worstRelative: worst ? severityOf(worst) : null,
      worstTime: worst?.worst?.time ?? null,
      parameters: item.parameters.length,
      message: item.warnings.join('; '),
      result: item,
    };
  });
}

const STATUS_BADGES = { pass: 'green', fail: 'red', error: 'orange' } as const;

/** An error is the row's whole story and is shown in full; warnings only as a count, the expanded row lists them. */
function StatusCell({ row }: { row: ReportRow }) {
  const warnings = row.result?.warnings ?? [];
  return (
    <Stack direction="column" gap={0}>
      <span>
        <Badge color={STATUS_BADGES[row.status]} text={row.status} />
      </span>
      {row.status === 'error' && (
        <Text color="error" variant="bodySmall">
          {row.message}
        </Text>
      )}
      {warnings.length > 0 && (
        <Tooltip content={row.message}>
          <span>
            <Text color="warning" variant="bodySmall">
              {warnings.length === 1 ? '1 warning' : `${warnings.length} warnings`}
            </Text>
          </span>
        </Tooltip>
      )}
    </Stack>
  );
}

function shortNumber(value: number, digits: number): string {
  return String(Number(value.toPrecision(digits)));
}

function WorstCell({ row }: { row: ReportRow }) {
  if (row.worstRelative === null) {
    return null;
  }
  const amount = Number.isFinite(row.worstRelative) ? `${shortNumber(row.worstRelative, 3)}×` : 'NaN on one side';
  return (
    <Stack direction="column" gap={0}>
      <span>{amount}</span>
      <Text color="secondary" variant="bodySmall">
        <Breakable text={row.worstVariable} />
        {row.worstTime === null ? '' : ` at ${shortNumber(row.worstTime, 6)} s`}
      </Text>
    </Stack>
  );
}

/**
 * Run names such as RLCCircuit_step_drifted_20261105_020000 have no spaces: unless they may break,
 * the table does not fit and pushes its last columns (the dashboard link) off-screen. A CSS break
 * keeps the name one text node (<wbr> would put spaces into the link's accessible name).
 */
function Breakable({ text }: { text: string }) {
  return <span style={{ overflowWrap: 'anywhere' }}>{text}</span>;
}

function RunLink({ id, name }: { id: string; name: string }) {
  return (
    <TextLink href={detailUrl(id)} inline={false}>
      <Breakable text={name} />
    </TextLink>
  );
}

const HEADER_TOOLTIPS = {
  worstRelative: { content: "The largest |run − reference| over the tube's half-height (above 1× the run leaves the tube), with its variable and time" },
  parameters: { content: "Parameters whose values differ from the reference's, or that one of them lacks" },
};

function columns(datasourceUid: string): Array<Column<ReportRow>> {
  return [
    { id: 'run', header: 'Run', sortType: 'string', cell: ({ row: { original } }) => <RunLink id={original.id} name={original.run} /> },
    {
      id: 'reference',
      header: 'Reference',
      sortType: 'string',
      cell: ({ row: { original } }) => (original.referenceId ? <RunLink id={original.referenceId} name={original.reference} /> : original.reference),
    },
    { id: 'status', header: 'Result', sortType: 'string', cell: ({ row: { original } }) => <StatusCell row={original} /> },
    { id: 'variables', header: 'Compared', sortType: numberSort },
    { id: 'failed', header: 'Failed', sortType: numberSort },
    { id: 'missing', header: 'Missing', sortType: numberSort },
    { id: 'worstRelative', header: 'Worst deviation', sortType: numberSort, sortDescFirst: true, cell: ({ row: { original } }) => <WorstCell row={original} /> },
    { id: 'parameters', header: 'Parameters', sortType: numberSort },
    {
      id: 'actions',
      header: '',
      disableGrow: true,
      cell: ({ row: { original } }) => (
        <LinkButton
          icon="apps"
          size="sm"
          variant="secondary"
          fill="text"
          tooltip="Open the Regression vs reference dashboard on this run"
          aria-label={`Regression dashboard of ${original.run}`}
          href={regressionDashboardUrl(
            datasourceUid,
            { id: original.id, startTime: original.result?.compared?.from ?? null, stopTime: original.result?.compared?.to ?? null },
            original.referenceId ?? undefined
          )}
        />
      ),
    },
  ];
}

/** Offers `text` as a file named `name`, as a browser download. */
function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

function suiteName(filters: Filters): string {
  const parts = [filters.search && `search ${filters.search}`, filters.folder && `folder ${filters.folder}`, filters.tag && `tag ${filters.tag}`].filter(Boolean);
  return parts.length > 0 ? `SimViz regression: ${parts.join(', ')}` : 'SimViz regression';
}

function TextField({ label, description, value, placeholder, width, onChange }: { label: string; description?: string; value: string; placeholder: string; width: number; onChange: (text: string) => void }) {
  const id = `simviz-regression-${label.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <Field label={label} description={description} noMargin>
      <Input id={id} value={value} placeholder={placeholder} width={width} onChange={(event) => onChange(event.currentTarget.value)} />
    </Field>
  );
}

function SelectionFields({ filters, onChange }: { filters: Filters; onChange: (next: Partial<Filters>) => void }) {
  return (
    <Stack direction="row" gap={2} alignItems="flex-end" wrap="wrap">
      <TextField label="Search" value={filters.search} placeholder="any name, model or tag" width={32} onChange={(search) => onChange({ search })} />
      <TextField label="Folder" description="This folder and below" value={filters.folder} placeholder="any folder" width={24} onChange={(folder) => onChange({ folder })} />
      <TextField label="Tag" value={filters.tag} placeholder="any tag" width={16} onChange={(tag) => onChange({ tag })} />
      <TextField label="Modified within (hours)" value={filters.withinHours} placeholder="any time" width={16} onChange={(withinHours) => onChange({ withinHours })} />
    </Stack>
  );
}

function ToleranceFields({ filters, onChange }: { filters: Filters; onChange: (next: Partial<Filters>) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <Collapse label="Tolerances" isOpen={open} onToggle={() => setOpen(!open)}>
      <Stack direction="row" gap={2} alignItems="flex-end" wrap="wrap">
        <TextField label="Relative" description="Of the reference's range (or |y|)" value={filters.relative} placeholder="0.002" width={12} onChange={(relative) => onChange({ relative })} />
        <TextField label="Absolute" description="In the variable's unit" value={filters.absolute} placeholder="0" width={12} onChange={(absolute) => onChange({ absolute })} />
        <TextField label="Time (s)" description="Tube half-width in time" value={filters.time} placeholder="relative × duration" width={20} onChange={(time) => onChange({ time })} />
        <Field label="Relative to" noMargin>
          <RadioButtonGroup<'range' | 'value'>
            options={[
              { value: 'range', label: 'Range', description: "The reference's whole range of values (csv-compare)" },
              { value: 'value', label: 'Value', description: '|y| at each point (funnel)' },
            ]}
            value={filters.relativeTo}
            onChange={(relativeTo) => onChange({ relativeTo })}
          />
        </Field>
      </Stack>
      <Text color="secondary" variant="bodySmall">
        Empty fields take the run&apos;s sidecar tolerances, then the reference&apos;s, then the server&apos;s defaults.
      </Text>
    </Collapse>
  );
}

function Summary({ report }: { report: BatchCompareResponse }) {
  const parts = [
    `${report.counts.passed} passed`,
    `${report.counts.failed} failed`,
    `${report.counts.errors} could not be compared`,
    `${report.withoutReference} of ${report.selected} selected runs name no reference`,
  ];
  return (
    <Stack direction="column" gap={1}>
      <span data-testid="simviz-regression-summary">
        <Text>{parts.join(' · ')}</Text>
      </span>
      {report.truncated > 0 && (
        <Alert title={`${report.truncated} more runs were not compared`} severity="warning">
          The report stops at its limit; narrow the search, folder or tag.
        </Alert>
      )}
    </Stack>
  );
}

function EmptyReport({ report }: { report: BatchCompareResponse }) {
  const text =
    report.selected === 0
      ? 'No run matches the selection.'
      : `None of the ${report.selected} selected runs names a reference. Name one in a run's sidecar (<file>.json, "reference": "path/in/root.mat") or with "Set as reference for…" on the reference run's page.`;
  return (
    <Alert title="Nothing to compare" severity="info">
      {text}
    </Alert>
  );
}

function Report({ report, filters, datasourceUid }: { report: BatchCompareResponse; filters: Filters; datasourceUid: string }) {
  const rows = useMemo(() => reportRows(report), [report]);
  const tableColumns = useMemo(() => columns(datasourceUid), [datasourceUid]);
  const initialSort = useMemo(() => [{ id: 'worstRelative', desc: true }], []);
  if (report.items.length === 0) {
    return <EmptyReport report={report} />;
  }
  return (
    <Stack direction="column" gap={2}>
      <Summary report={report} />
      <Stack direction="row" gap={1}>
        <Button icon="download-alt" variant="secondary" onClick={() => download('simviz-regression.csv', 'text/csv', reportCsv(report))}>
          Export CSV
        </Button>
        <Button icon="download-alt" variant="secondary" onClick={() => download('simviz-regression.xml', 'application/xml', reportJUnit(report, suiteName(filters)))}>
          Export JUnit XML
        </Button>
      </Stack>
      <InteractiveTable
        columns={tableColumns}
        data={rows}
        getRowId={(row: ReportRow) => row.id}
        initialSortBy={initialSort}
        headerTooltips={HEADER_TOOLTIPS}
        renderExpandedRow={(row) => (row.result ? <VariableResults result={row.result} /> : <Text color="error">{row.message}</Text>)}
      />
    </Stack>
  );
}

/** Each run of a folder or search against the reference its sidecar names: a sortable report, exported for CI. */
export function RegressionPage({ datasourceUid }: { datasourceUid: string }) {
  const client = useProxyClient(datasourceUid);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [state, setState] = useState<{ running: boolean; report?: BatchCompareResponse; error?: string; filters?: Filters }>({ running: false });
  const update = (next: Partial<Filters>) => setFilters({ ...filters, ...next });
  const run = () => {
    const asked = filters;
    setState((previous) => ({ ...previous, running: true, error: undefined }));
    client.compareBatch(batchRequest(asked)).then(
      (report) => setState({ running: false, report, filters: asked }),
      (error: unknown) => setState({ running: false, error: messageOf(error) })
    );
  };
  return (
    <PluginPage subTitle="Each run against the reference its sidecar names, inside a tolerance tube (csv-compare's semantics)">
      <Stack direction="column" gap={2}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            run();
          }}
        >
          <Stack direction="column" gap={1}>
            <SelectionFields filters={filters} onChange={update} />
            <ToleranceFields filters={filters} onChange={update} />
            <div>
              <Button type="submit" icon="play" disabled={state.running}>
                Compare
              </Button>
            </div>
          </Stack>
        </form>
        {state.running && <LoadingPlaceholder text="Comparing runs with their references…" />}
        {state.error && (
          <Alert title="The comparison failed" severity="error">
            {state.error}
          </Alert>
        )}
        {state.report && <Report report={state.report} filters={state.filters ?? filters} datasourceUid={datasourceUid} />}
      </Stack>
    </PluginPage>
  );
}
