/**
 * A live stream end to end, in both connection modes: a real result file grows on disk the way a
 * solver writes it, the backend's feed follows it through the REST rows route (the embedded
 * engine's, or a real proxy's over HTTP), and every packet is applied with the browser's merge.
 * Once the run settles, the panel must hold the run's first and last rows exactly, every row's
 * extremes, no more than maxDataPoints points, and exactly what a late subscriber's snapshot holds.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import pino from 'pino';

import { GrowingFile, matImage, oscillatorRun, rowCount } from '../../../tests/support/growing';
import { startTestProxy } from '../../../tests/support/proxy';
import { applyLiveUpdate, emptyLiveView, type LiveView } from '../../datasource/live/merge';
import type { RunningProxy } from '../../proxy/main';
import { livePath, type LiveParams } from '../../shared/liveChannel';
import { updateFromPoints, type LiveUpdate } from '../../shared/live';
import { openInstance, type Instance } from '../connection/instance';
import type { Frame } from '../frames/frame';
import { parseSettings } from '../settings';
import { LiveFeed } from './feed';
import type { LiveFrameMeta } from './frames';

const logger = pino({ level: 'silent' });
const ROWS = 3_000;
const MAX_POINTS = 400;
const KEY = 'live-feed-test-key';

function settingsFor(uid: string, jsonData: Record<string, unknown>, secure: Record<string, string> = {}) {
  return parseSettings({ id: 1, name: uid, url: '', uid, jsonData: Buffer.from(JSON.stringify(jsonData)), decryptedSecureJsonData: secure, lastUpdatedMS: 1 });
}

/** The update a packet frame carries, as the browser reads it back. */
function updateOf(frame: Frame): { variable: string; update: LiveUpdate } {
  const live = frame.meta?.custom?.live as LiveFrameMeta;
  return { variable: live.variable, update: updateFromPoints(live.update!, frame.fields[0].values as ArrayLike<number>, frame.fields[1].values as ArrayLike<number | null>) };
}

class Panel {
  readonly views = new Map<string, LiveView>();
  readonly replaces = new Map<string, number>();
  packets = 0;

  apply(frames: Frame[]): void {
    this.packets++;
    for (const frame of frames) {
      const { variable, update } = updateOf(frame);
      if (update.action === 'replace') {
        this.replaces.set(variable, (this.replaces.get(variable) ?? 0) + 1);
      }
      this.views.set(variable, applyLiveUpdate(this.views.get(variable) ?? emptyLiveView(), update));
    }
  }
}

async function growingRun(folder: string) {
  const run = oscillatorRun(ROWS);
  const image = await matImage(run.spec, run.data);
  const file = new GrowingFile(path.join(folder, 'oscillator_live_20261207_120000.mat'), image);
  await file.create();
  await file.appendRows(50);
  return { run, image, file };
}

async function simulationId(instance: Instance): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const page = await instance.client().listSimulations({});
    const found = page.items.find((s) => s.name === 'oscillator_live_20261207_120000');
    if (found) {
      expect(found.status).toBe('writing');
      return found.id;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the growing file was never listed');
}

async function follow(instance: Instance, folder: string, variables: string[]) {
  const { run, image, file } = await growingRun(folder);
  const id = await simulationId(instance);
  const params: LiveParams = { simulation: id, variables, maxDataPoints: MAX_POINTS, timeAxis: 'simulation' };
  const abort = new AbortController();
  const feed = new LiveFeed({ path: livePath(params), params, client: instance.client(abort.signal), logger, waitMs: 2_000 });
  const panel = new Panel();
  const following = feed.run(abort.signal, (frames) => panel.apply(frames));
  for (let rows = 150; rows < rowCount(image); rows += 150) {
    await file.appendRows(rows);
    // Half a row now and then: a solver's buffered write cut mid-row.
    await file.append(7);
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  await file.finish();
  const timer = setTimeout(() => abort.abort(), 30_000);
  await following.finally(() => clearTimeout(timer));
  expect(abort.signal.aborted).toBe(false);
  return { run, panel, feed };
}

function expectFaithful(panel: Panel, feed: LiveFeed, run: ReturnType<typeof oscillatorRun>) {
  const snapshot = new Panel();
  snapshot.apply(feed.snapshot() ?? []);
  for (const name of ['x', 'der(x)']) {
    const rows = (run.data.trajectories as Record<string, number[]>)[name];
    const view = panel.views.get(name)!;
    expect(view).toBeDefined();
    expect(view.settled).toBe(true);
    expect(view.gap).toBe(false);
    expect(view.rows).toBe(ROWS);
    expect(view.provisionalCount).toBe(0);
    expect(view.time.length).toBeLessThanOrEqual(MAX_POINTS);
    // Simulation time t is drawn at t seconds after the epoch.
    expect(view.time[0]).toBe(run.data.time[0] * 1000);
    expect(view.values[0]).toBe(rows[0]);
    expect(view.time[view.time.length - 1]).toBeCloseTo(run.data.time[ROWS - 1] * 1000, 6);
    expect(view.values[view.values.length - 1]).toBe(rows[ROWS - 1]);
    // M4 keeps every bucket's extremes, so the run's own are there.
    expect(view.values).toContain(Math.max(...rows));
    expect(view.values).toContain(Math.min(...rows));
    expect(view.values.every((v) => v !== null && v >= Math.min(...rows) && v <= Math.max(...rows))).toBe(true);
    const late = snapshot.views.get(name)!;
    expect([late.time, late.values]).toEqual([view.time, view.values]);
    // The file states its stop time (data_1), and the run ends there: the grid spans it from the
    // start, so the only replaces are the first update and the move from exact rows to buckets.
    expect(panel.replaces.get(name)).toBeLessThanOrEqual(2);
  }
  expect(panel.packets).toBeGreaterThan(3);
}

describe('a live stream of a growing run', () => {
  it('follows the file in folder mode (the engine in process, its watcher driving the reads)', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'simviz-live-folder-'));
    const instance = await openInstance(settingsFor('live-folder', { mode: 'folder', folder: `live=${folder}`, cacheFolder: mkdtempSync(path.join(tmpdir(), 'simviz-live-cache-')) }), logger);
    try {
      const { run, panel, feed } = await follow(instance, folder, ['x', 'der(x)']);
      expectFaithful(panel, feed, run);
    } finally {
      await instance.close();
    }
  }, 60_000);

  it('follows the file through a SimViz proxy watching its folder, a glob resolved once', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'simviz-live-proxy-'));
    let proxy: RunningProxy | undefined;
    let instance: Instance | undefined;
    try {
      proxy = await startTestProxy([{ name: 'live', path: folder }], [KEY], { config: { watch: 'on', settleMs: 1_500 } });
      instance = await openInstance(settingsFor('live-proxy', { mode: 'proxy', proxyUrl: proxy.url }, { apiKey: KEY }), logger);
      const { run, panel, feed } = await follow(instance, folder, ['x', 'der(*)']);
      expectFaithful(panel, feed, run);
    } finally {
      await instance?.close();
      await proxy?.close();
    }
  }, 60_000);
});
