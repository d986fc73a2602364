/**
 * The rows route of the live view on a real proxy watching a real folder: long-polling woken by the
 * watcher, retries, truncated and rewritten runs, and bad input that names the file and the problem
 * while everything else keeps being served.
 */
import { mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Value } from '@sinclair/typebox/value';

import { GrowingFile, matImage, oscillatorRun } from '../../../tests/support/growing';
import { requestJson, startTestProxy } from '../../../tests/support/proxy';
import type { SimulationPage } from '../../shared/api';
import { decodeRowsColumns, ROWS_MEDIA_TYPE, RowsColumnsSchema, type RowsAnswer, type RowsColumns } from '../../shared/liveRows';
import type { RunningProxy } from '../main';

let proxy: RunningProxy;
let folder: string;

beforeAll(async () => {
  folder = mkdtempSync(path.join(tmpdir(), 'simviz-live-route-'));
  proxy = await startTestProxy([{ name: 'live', path: folder }], [], { config: { watch: 'on', settleMs: 2_000 } });
});

afterAll(async () => {
  await proxy?.close();
});

async function listedId(name: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { body } = await requestJson<SimulationPage>(proxy, `/api/v1/simulations?search=${encodeURIComponent(name)}`);
    const found = body.items.find((s) => s.name === name);
    if (found) {
      return found.id;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${name} was never listed`);
}

async function growing(name: string, rows = 500) {
  const run = oscillatorRun(rows);
  const file = new GrowingFile(path.join(folder, `${name}.mat`), await matImage(run.spec, run.data));
  await file.create();
  await file.appendRows(10);
  return { run, file, id: await listedId(name) };
}

function rows(id: string, query: Record<string, string | string[] | number | undefined>) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const one of value === undefined ? [] : Array.isArray(value) ? value : [value]) {
      params.append(key, String(one));
    }
  }
  return requestJson<RowsAnswer>(proxy, `/api/v1/simulations/${id}/rows?${params.toString()}`);
}

describe('GET /api/v1/simulations/:id/rows', () => {
  it('answers the rows after the cursor, and again the same answer to a retried request', async () => {
    const { run, id } = await growing('route_cursor');
    const first = await rows(id, { variable: 'x', from: 0 });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ simulation: id, reset: false, from: 0, more: false, settled: false, status: 'writing' });
    expect(first.body.time).toEqual(run.data.time.slice(0, 10));
    expect(first.body.series).toEqual([expect.objectContaining({ variable: 'x', resolvedName: 'x', unit: 'm', values: run.data.trajectories.x.slice(0, 10) })]);
    const retried = await rows(id, { variable: 'x', from: 0, token: first.body.token });
    expect(retried.body).toEqual(first.body);
  });

  it('answers the same rows in the binary form the live feed asks for, NaN where JSON has null', async () => {
    const { id, file } = await growing('route_binary', 300);
    await file.appendRows(120);
    const json = await rows(id, { variable: ['x', 'der(*)', 'nope'], from: 0 });
    // The same cursor again: the retried answer, this time in binary.
    const query = new URLSearchParams([['variable', 'x'], ['variable', 'der(*)'], ['variable', 'nope'], ['from', '0'], ['token', json.body.token]]);
    const response = await fetch(`${proxy.url}/api/v1/simulations/${id}/rows?${query.toString()}`, { headers: { accept: `${ROWS_MEDIA_TYPE}, application/json;q=0.9` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(ROWS_MEDIA_TYPE);
    const binary = decodeRowsColumns(new Uint8Array(await response.arrayBuffer())) as RowsColumns;
    expect(Value.Check(RowsColumnsSchema, binary)).toBe(true);
    const { time, series, ...head } = binary;
    const { time: jsonTime, series: jsonSeries, ...jsonHead } = json.body;
    expect(head).toEqual(jsonHead);
    expect(head.missing).toEqual(['nope']);
    expect(Array.from(time)).toEqual(jsonTime);
    expect(time.length).toBeGreaterThan(100);
    expect(series.map(({ values, ...meta }) => ({ ...meta, values: Array.from(values, (v) => (Number.isFinite(v) ? v : null)) }))).toEqual(jsonSeries);
  });

  it('waits for the watcher to report growth, and answers at once when it does', async () => {
    const { run, file, id } = await growing('route_wait');
    const start = await rows(id, { variable: 'x' });
    const asked = Date.now();
    const waiting = rows(id, { variable: 'x', from: start.body.time.length, token: start.body.token, waitMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await file.appendRows(40);
    const answer = await waiting;
    const waitedMs = Date.now() - asked;
    expect(answer.body.from).toBe(10);
    expect(answer.body.time).toEqual(run.data.time.slice(10, 40));
    // Woken by the file event (inotify), long before the 10 s the request allowed.
    expect(waitedMs).toBeLessThan(2_500);
  });

  it('expands globs, reports names it cannot find, and ends with settled once the run is written', async () => {
    const { file, id } = await growing('route_settle');
    await file.finish();
    let answer: RowsAnswer | undefined;
    let from = 0;
    let token: string | undefined;
    for (let round = 0; round < 50 && !answer?.settled; round++) {
      answer = (await rows(id, { variable: ['der(*)', 'nothing'], from, token, waitMs: 500 })).body;
      from = answer.from + answer.time.length;
      token = answer.token;
      expect(answer.series.map((s) => [s.variable, s.resolvedName])).toEqual([['der(*)', 'der(x)']]);
      expect(answer.missing).toEqual(['nothing']);
    }
    expect(answer?.settled).toBe(true);
    expect(answer?.status).toBe('ok');
    expect(from).toBe(500);
  });

  it('says reset and starts again at row 0 when the run restarts under the same name', async () => {
    const { file, id } = await growing('route_restart');
    await file.appendRows(100);
    const before = await rows(id, { variable: 'x' });
    expect(before.body.time).toHaveLength(100);
    const rerun = oscillatorRun(300);
    rerun.data.trajectories.x = rerun.data.trajectories.x.map((v) => v * 2);
    await file.restart(await matImage(rerun.spec, rerun.data));
    await file.appendRows(20);
    let after: RowsAnswer | undefined;
    for (let round = 0; round < 20 && !after?.reset; round++) {
      after = (await rows(id, { variable: 'x', from: 100, token: before.body.token, waitMs: 1_000 })).body;
    }
    expect(after).toMatchObject({ reset: true, from: 0 });
    expect(after?.series[0].values).toEqual(rerun.data.trajectories.x.slice(0, after?.time.length));
  });

  it('rejects bad queries and unknown ids with a clear error, and keeps serving', async () => {
    const { id } = await growing('route_bad');
    expect((await rows('AAAAAAAAAAAAAAAAAAAAAA', { variable: 'x' })).status).toBe(404);
    expect((await rows(id, { from: 0 })).status).toBe(400);
    expect((await rows(id, { variable: 'x', from: -1 })).status).toBe(400);
    expect((await rows(id, { variable: 'x', waitMs: 3_600_000 })).status).toBe(400);
    expect((await rows(id, { variable: 'x', limit: 0 })).status).toBe(400);
    const unknownToken = await rows(id, { variable: 'x', from: 5, token: 'not-a-token' });
    expect(unknownToken.body).toMatchObject({ reset: true, from: 0 });
    const missing = await rows(id, { variable: 'no.such.variable' });
    expect(missing.body.missing).toEqual(['no.such.variable']);
    expect(missing.body.series).toEqual([]);
  });

  it('names the file when it turns hostile, and serves the other runs meanwhile', async () => {
    const { id } = await growing('route_hostile');
    const healthy = await growing('route_healthy');
    const hostile = path.join(folder, 'route_hostile.mat');
    // data_2's header claims 2^31 - 1 rows of a matrix: garbage where a solver writes numbers.
    await writeFile(hostile, Buffer.concat([Buffer.from([0, 0, 0, 0]), Buffer.alloc(16, 0xff), Buffer.from('garbage')]));
    let answer: { status: number; body: unknown } | undefined;
    for (let round = 0; round < 20; round++) {
      answer = await rows(id, { variable: 'x', waitMs: 200 });
      if (answer.status !== 200) {
        break;
      }
    }
    expect(answer?.status).toBe(422);
    expect(JSON.stringify(answer?.body)).toContain('route_hostile');
    expect((await rows(healthy.id, { variable: 'x' })).status).toBe(200);
  });
});
