/**
 * A proxy answers while its first scan runs (after a restart or a deploy): a request naming a run
 * the scan has not listed yet waits for the scan instead of being told the run does not exist.
 */
import { rm } from 'node:fs/promises';

import pino from 'pino';

import { Catalog } from '../../engine/catalog/catalog';
import { simulationId } from '../../engine/catalog/ids';
import type { DataRoot } from '../../engine/catalog/scan';
import { smallRoot } from '../../../tests/support/roots';
import type { App } from './app';
import { buildServer } from './server';

const logger = pino({ level: 'silent' });
let root: DataRoot;

beforeAll(async () => {
  root = await smallRoot();
});
afterAll(() => rm(root.path, { recursive: true, force: true }));

/** A server whose catalog has not scanned yet; `scan()` starts it. */
function unscanned(firstScanWaitMs?: number): { app: App; catalog: Catalog } {
  const catalog = new Catalog([root], logger);
  const app = buildServer({ catalog, logger, apiKeys: [], inProcess: true, firstScanWaitMs });
  app.addHook('onClose', () => catalog.close());
  return { app, catalog };
}

const SCAN_DELAY_MS = 300;

describe('requests during the first scan', () => {
  it('wait for the scan when they name a run it has not listed yet, then answer for it', async () => {
    const { app, catalog } = unscanned();
    const id = simulationId(root.name, 'bouncingball.mat');
    try {
      await app.ready();
      expect(catalog.get(id)).toBeUndefined();
      const started = performance.now();
      setTimeout(() => void catalog.start(), SCAN_DELAY_MS);
      const [detail, query] = await Promise.all([
        app.inject({ method: 'GET', url: `/api/v1/simulations/${id}` }),
        app.inject({ method: 'POST', url: '/api/v1/query', payload: { simulations: [id], variables: ['height'], maxDataPoints: 50 } }),
      ]);
      expect(performance.now() - started).toBeGreaterThanOrEqual(SCAN_DELAY_MS - 5);
      expect(detail.statusCode).toBe(200);
      expect(detail.json()).toMatchObject({ id, name: 'bouncingball' });
      expect(query.statusCode).toBe(200);
      const [series] = query.json().series;
      expect(series).not.toHaveProperty('error');
      expect(series.time.length).toBeGreaterThan(1);
    } finally {
      await app.close();
    }
  });

  it('answer at once where they name no run, and say "no simulation" once the wait is over', async () => {
    const { app, catalog } = unscanned(200);
    try {
      await app.ready();
      const ready = await app.inject({ method: 'GET', url: '/api/v1/ready' });
      expect(ready.statusCode).toBe(503);
      const started = performance.now();
      const unknown = await app.inject({ method: 'GET', url: `/api/v1/simulations/${'x'.repeat(22)}` });
      expect(performance.now() - started).toBeGreaterThanOrEqual(195);
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().error.message).toContain('no simulation with id');
      await catalog.start();
      const again = performance.now();
      expect((await app.inject({ method: 'GET', url: `/api/v1/simulations/${'x'.repeat(22)}` })).statusCode).toBe(404);
      expect(performance.now() - again).toBeLessThan(150);
    } finally {
      await app.close();
    }
  });
});
