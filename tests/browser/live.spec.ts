import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

import type { APIRequestContext, Page } from '@playwright/test';

import type { SimulationPage } from '../../src/shared/api';
import type { RowsAnswer } from '../../src/shared/liveRows';
import type { LiveChannelStatus } from '../harness/backend/live';
import { expect, pickOption, test } from './fixtures';

const REPO = path.resolve(__dirname, '../..');
/** The datasource that reads the harness's folder of growing runs (tests/harness/server.ts). */
const DATASOURCE = 'simviz-live';
/** About 12 s of writing on an idle machine: 100 steps of 30 rows, 120 ms apart (0.01 s per row). */
const ROWS = 3000;
const ROWS_PER_STEP = 30;
const STEP_MS = 120;
/** Fewer than the rows, so that the stream's M4 downsampling is what the panel ends with. */
const MAX_POINTS = 1000;

interface Writer {
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** The folder the datasource reads, from its settings (`live=/path`). */
async function liveFolder(request: APIRequestContext): Promise<string> {
  const list = (await (await request.get('/api/harness/datasources')).json()) as Array<{ uid: string; jsonData: { folder?: string } }>;
  return list.find((ds) => ds.uid === DATASOURCE)!.jsonData.folder!.replace(/^[^=/]+=/, '');
}

/** The growing writer (tests/support/growing.ts) as a solver: the catalogue first, then rows step by step. */
function startWriter(out: string): Writer {
  const tsx = path.join(REPO, 'node_modules/.bin/tsx');
  const args = [path.join(REPO, 'tests/support/growing.ts'), out, '--rows', String(ROWS), '--rows-per-step', String(ROWS_PER_STEP), '--step-ms', String(STEP_MS)];
  const child = spawn(tsx, args, { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  return { child, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

/** The datasource's REST API through Grafana's resources route, as the plugin calls it. */
async function resource<T>(request: APIRequestContext, route: string): Promise<T> {
  const response = await request.get(`/api/datasources/uid/${DATASOURCE}/resources/api/v1/${route}`);
  expect(response.ok(), route).toBe(true);
  return (await response.json()) as T;
}

interface Shown {
  state: string;
  updates: number;
  lastTime: number;
  drawn: number;
}

async function shown(page: Page): Promise<Shown> {
  const state = page.getByTestId('harness-response-state');
  const frame = page.getByTestId('harness-frame');
  return {
    state: (await state.getAttribute('data-state')) ?? '',
    updates: Number(await state.getAttribute('data-updates')),
    lastTime: Number(await frame.getAttribute('data-last-time')),
    drawn: Number(await frame.getAttribute('data-drawn')),
  };
}

test('a live panel grows as the solver writes the run, without a refresh, and ends holding the whole run', async ({ page, request, harness }) => {
  test.setTimeout(90_000);
  const name = `oscillator_live_${Date.now().toString(36)}`;
  const queries: string[] = [];
  page.on('request', (req) => {
    if (new URL(req.url()).pathname === '/api/ds/query') {
      queries.push(req.url());
    }
  });
  await page.goto(`/harness-view/query-editor?uid=${DATASOURCE}&from=0&to=3600000&maxDataPoints=${MAX_POINTS}`);
  await expect(page.getByRole('combobox', { name: 'Simulations', exact: true })).toBeEnabled();

  const writer = startWriter(path.join(await liveFolder(request), `${name}.mat`));
  try {
    // The datasource's catalog follows its folder: the run is listed as `writing` while it grows.
    await expect
      .poll(async () => (await resource<SimulationPage>(request, `simulations?search=${name}`)).items[0]?.status, { timeout: 30_000 })
      .toBe('writing');
    const [run] = (await resource<SimulationPage>(request, `simulations?search=${name}`)).items;

    await pickOption(page, 'Simulations', name, name);
    await pickOption(page, 'Variables', 'x', 'x');
    await page.locator('label[for="simviz-query-live"]').first().click();
    await expect(page.getByText(`live: ${name}`)).toBeVisible();

    // The live query's answer, then the stream's packets: no query is sent again.
    await expect(page.getByTestId('harness-response-state')).toHaveAttribute('data-state', 'Streaming', { timeout: 20_000 });
    const queriesSent = queries.length;
    const runs = await page.getByTestId('harness-runs').textContent();
    await page.evaluate(() => ((window as unknown as { __liveSpecMark: boolean }).__liveSpecMark = true));
    const frame = page.getByTestId('harness-frame');
    await expect(frame).toHaveCount(1);

    // The panel's time span grows step by step while the run is still streaming.
    const spans: number[] = [];
    await expect
      .poll(
        async () => {
          const now = await shown(page);
          if (now.state === 'Streaming' && now.lastTime !== spans[spans.length - 1]) {
            spans.push(now.lastTime);
          }
          return spans.length;
        },
        { timeout: 30_000, intervals: [200] }
      )
      .toBeGreaterThanOrEqual(4);
    expect(spans, 'the time span only grows').toEqual([...spans].sort((a, b) => a - b));
    expect(new Set(spans).size).toBe(spans.length);
    await harness.screenshot('live-panel');
    // Grafana's side: one RunStream for the channel, its packets forwarded to the page's subscription.
    const channels = async () => ((await (await request.get('/api/harness/live')).json()) as { channels: LiveChannelStatus[] }).channels;
    const ours = async () => (await channels()).filter((c) => c.id.startsWith(`ds/${DATASOURCE}/live/${run.id}/`));
    expect(await ours()).toEqual([expect.objectContaining({ subscribers: 1, runs: 1, invalid: 0 })]);
    expect((await ours())[0].packets).toBeGreaterThanOrEqual(3);

    // The writer finishes, the file settles, the stream says so and the query completes.
    expect(await writer.exited).toBe(0);
    await expect(page.getByTestId('harness-response-state')).toHaveAttribute('data-state', 'Done', { timeout: 30_000 });
    expect(queries.length, 'no query was sent again while the panel grew').toBe(queriesSent);
    await expect(page.getByTestId('harness-runs')).toHaveText(runs!);
    expect(await page.evaluate(() => (window as unknown as { __liveSpecMark?: boolean }).__liveSpecMark), 'the page was not reloaded').toBe(true);

    // The panel holds the whole run: first and last rows exact, its extremes, at most Max data points.
    const rows = await resource<RowsAnswer>(request, `simulations/${run.id}/rows?limit=200000&variable=x`);
    expect(rows.settled).toBe(true);
    expect(rows.time).toHaveLength(ROWS);
    const values = rows.series[0].values as number[];
    const held = await page.evaluate(() => {
      const data = window.__harnessLastResponse!.data[0] as { fields: Array<{ values: number[] }> };
      return { time: [...data.fields[0].values], values: [...data.fields[1].values] };
    });
    // M4 on MAX_POINTS / 4 buckets, of which the run fills at least half, keeps at least each bucket's first and last row.
    expect(held.time.length).toBeGreaterThanOrEqual(MAX_POINTS / 4);
    expect(held.time.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(Math.abs(held.time[0] - rows.time[0] * 1000)).toBeLessThanOrEqual(1e-3);
    expect(Math.abs(held.time[held.time.length - 1] - rows.time[ROWS - 1] * 1000)).toBeLessThanOrEqual(1e-3);
    expect(held.values[0]).toBe(values[0]);
    expect(held.values[held.values.length - 1]).toBe(values[ROWS - 1]);
    const [lo, hi] = [values.reduce((a, b) => Math.min(a, b)), values.reduce((a, b) => Math.max(a, b))];
    expect(held.values).toContain(lo);
    expect(held.values).toContain(hi);
    expect(held.values.every((v) => v >= lo && v <= hi)).toBe(true);
    expect(held.time).toEqual([...held.time].sort((a, b) => a - b));
    const done = await shown(page);
    expect(Math.abs(done.lastTime - rows.time[ROWS - 1] * 1000)).toBeLessThanOrEqual(1e-3);
    expect(done.drawn).toBe(held.time.length);

    // It stops: the page leaves the channel, Grafana's side ends the stream, and nothing changes after.
    await expect.poll(() => page.evaluate(() => window.__harnessLive.channels().length), { timeout: 10_000 }).toBe(0);
    await expect.poll(async () => (await ours()).length, { timeout: 10_000 }).toBe(0);
    expect(await shown(page)).toEqual(done);
  } finally {
    if (writer.child.exitCode === null && writer.child.signalCode === null) {
      writer.child.kill('SIGTERM');
    }
  }
});
