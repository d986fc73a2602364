import React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';

import { startAppHarness } from '../../tests/support/appHarness';
import type { HarnessProcess } from '../../tests/support/grafanaHarness';
import type { BatchCompareResponse, RegressionResult, VariableRegression } from '../shared/regression';
import { numberSort } from '../components/numberSort';
import { RegressionPage, batchRequest, reportRows } from './RegressionPage';

let harness: HarnessProcess;

beforeAll(async () => {
  harness = await startAppHarness();
}, 60_000);

afterAll(() => harness?.stop());

// Each test compares real runs through the harness's backend: more than jest's 5 s on a busy machine.
jest.setTimeout(30_000);

function renderPage() {
  render(
    <MemoryRouter>
      <RegressionPage datasourceUid="simviz" />
    </MemoryRouter>
  );
}

function startComparing(folder: string) {
  renderPage();
  fireEvent.change(screen.getByRole('textbox', { name: /^Folder/ }), { target: { value: folder } });
  fireEvent.click(screen.getByRole('button', { name: 'Compare' }));
}

async function compareFolder(folder: string) {
  startComparing(folder);
  return screen.findByTestId('simviz-regression-summary', undefined, { timeout: 20_000 });
}

/** jsdom's Blob has no text(). */
function textOf(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(blob);
  });
}

describe('RegressionPage', () => {
  it('reports every run of a folder against its reference, the worst first, and expands a run into its variables', async () => {
    const summary = await compareFolder('examples/regression');
    expect(summary).toHaveTextContent('1 passed · 1 failed · 0 could not be compared · 1 of 3 selected runs name no reference');
    const rows = screen.getAllByRole('row').filter((row) => within(row).queryByRole('link', { name: /^RLCCircuit_step_(drifted|nightly)/ }));
    expect(rows.map((row) => within(row).getAllByRole('link')[0].textContent)).toEqual(['RLCCircuit_step_drifted_20261105_020000', 'RLCCircuit_step_nightly_20261104_020000']);
    expect(within(rows[0]).getByText('fail')).toBeInTheDocument();
    expect(within(rows[1]).getByText('pass')).toBeInTheDocument();
    fireEvent.click(screen.getAllByRole('button', { name: 'Toggle row expanded' })[0]);
    expect(await screen.findByText('Where it leaves the tube')).toBeInTheDocument();
    expect(screen.getAllByText('capacitor.v').length).toBeGreaterThan(0);
  });

  it('exports the report as CSV and JUnit XML', async () => {
    const blobs: Blob[] = [];
    URL.createObjectURL = jest.fn((blob: Blob) => {
      blobs.push(blob);
      return 'blob:report';
    });
    URL.revokeObjectURL = jest.fn();
    await compareFolder('examples/regression');
    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    fireEvent.click(screen.getByRole('button', { name: 'Export JUnit XML' }));
    await waitFor(() => expect(blobs).toHaveLength(2));
    const csv = await textOf(blobs[0]);
    expect(csv.split('\r\n')[0]).toMatch(/^run,reference,variable,status/);
    expect(csv).toContain('RLCCircuit_step_drifted_20261105_020000,RLCCircuit_step_reference_20261101_000000,capacitor.v,fail');
    const xml = new DOMParser().parseFromString(await textOf(blobs[1]), 'application/xml');
    expect(xml.getElementsByTagName('parsererror')).toHaveLength(0);
    expect(Number(xml.getElementsByTagName('testsuite')[0].getAttribute('failures'))).toBeGreaterThan(0);
  });

  it('says how to name a reference when no selected run has one', async () => {
    startComparing('examples/sweep');
    expect(await screen.findByText(/None of the 4 selected runs names a reference/, undefined, { timeout: 20_000 })).toBeInTheDocument();
  });

  it('sends the tolerances given and the modified-since time', () => {
    const now = Date.parse('2026-12-07T12:00:00Z');
    const request = batchRequest(
      { search: ' RLC ', folder: '', tag: 'nightly', withinHours: '24', absolute: '', relative: '0.01', time: 'x', relativeTo: 'value' },
      now
    );
    expect(request).toEqual({ search: 'RLC', folder: undefined, tag: 'nightly', modifiedSince: '2026-12-06T12:00:00.000Z', tolerances: { relative: 0.01, relativeTo: 'value' } });
  });

  it('sorts numbers as numbers, with the runs that have none last in either direction', () => {
    const rows = [1e-7, null, 35.4, 0, Number.POSITIVE_INFINITY, 2, -3].map((value) => ({ values: { worst: value } }));
    const sorted = (desc: boolean) =>
      [...rows].sort((a, b) => (desc ? -1 : 1) * numberSort(a, b, 'worst', desc)).map((row) => (row.values as { worst: number | null }).worst);
    expect(sorted(false)).toEqual([-3, 0, 1e-7, 2, 35.4, Number.POSITIVE_INFINITY, null]);
    expect(sorted(true)).toEqual([Number.POSITIVE_INFINITY, 35.4, 2, 1e-7, 0, -3, null]);
  });

  it('counts a NaN on one side as the worst deviation there is', () => {
    const variable = (name: string, worst: VariableRegression['worst']): VariableRegression => ({
      name,
      unit: null,
      displayUnit: null,
      status: 'fail',
      checked: 10,
      outside: 1,
      failures: [],
      failureCount: 1,
      worst,
      nanCount: 0,
    });
    const result: RegressionResult = {
      simulation: 'run',
      simulationName: 'run',
      reference: 'ref',
      referenceName: 'ref',
      passed: false,
      tolerances: { absolute: 0, relative: 0.002, relativeTo: 'range', time: null },
      timeTolerance: 0.01,
      compared: { from: 0, to: 1 },
      runSpan: { from: 0, to: 1 },
      referenceSpan: { from: 0, to: 1 },
      counts: { variables: 2, passed: 0, failed: 2, missing: 0 },
      variables: [
        variable('far', { time: 0.5, value: 9, referenceValue: 1, deviation: 7.9, relative: 80 }),
        variable('nan', { time: 0.25, value: null, referenceValue: 1, deviation: null, relative: null }),
      ],
      parameters: [],
      warnings: [],
    };
    const report: BatchCompareResponse = {
      items: [result, { simulation: 'broken', simulationName: 'broken', reference: 'ref', error: { code: 'unreadable_simulation', message: 'truncated' } }],
      selected: 2,
      withoutReference: 0,
      truncated: 0,
      counts: { passed: 0, failed: 1, errors: 1 },
    };
    const [run, broken] = reportRows(report);
    expect([run.worstVariable, run.worstRelative, run.worstTime]).toEqual(['nan', Number.POSITIVE_INFINITY, 0.25]);
    expect([broken.status, broken.worstRelative, broken.message]).toEqual(['error', null, 'truncated']);
  });
});
