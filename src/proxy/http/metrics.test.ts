import { rm } from 'node:fs/promises';

import type { DataRoot } from '../../engine/catalog/scan';
import type { RunningProxy } from '../main';
import { ProxyMetrics } from '../metrics';
import { requestJson, startTestProxy } from '../../../tests/support/proxy';
import { smallRoot } from '../../../tests/support/roots';

let root: DataRoot;
let proxy: RunningProxy;

beforeAll(async () => {
  root = await smallRoot();
  proxy = await startTestProxy([root]);
});
afterAll(async () => {
  await proxy.close();
  await rm(root.path, { recursive: true, force: true });
});

async function scrape(target: RunningProxy = proxy): Promise<string> {
  const response = await fetch(`${target.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
  return response.text();
}

/** The value of one sample line, e.g. `simviz_index_ready` or `simviz_files_indexed{status="ok"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics', () => {
  it('labels request timings with the route pattern, never the raw URL', async () => {
    const { body } = await requestJson<{ items: Array<{ id: string }> }>(proxy, '/api/v1/simulations');
    const id = body.items[0].id;
    await requestJson(proxy, `/api/v1/simulations/${id}`);
    await requestJson(proxy, '/api/v1/simulations/unknown-id-of-22-chars');
    await requestJson(proxy, '/no/such/route/abc');
    const text = await scrape();
    expect(sample(text, 'simviz_http_request_duration_seconds_count{route="/api/v1/simulations/:id",method="GET",status="200"}')).toBe(1);
    expect(sample(text, 'simviz_http_request_duration_seconds_count{route="/api/v1/simulations/:id",method="GET",status="404"}')).toBe(1);
    expect(sample(text, 'simviz_http_request_duration_seconds_count{route="unmatched",method="GET",status="404"}')).toBe(1);
    expect(text).not.toContain(id);
    expect(text).not.toContain('/no/such/route');
    expect(text).toContain('simviz_http_request_duration_seconds_bucket{le="0.005",route="/api/v1/simulations"');
  });

  it('reports the index, the layout cache and the open-file cache', async () => {
    const text = await scrape();
    expect(sample(text, 'simviz_index_ready')).toBe(1);
    expect(sample(text, 'simviz_files_indexed{status="ok"}')).toBe(1);
    expect(sample(text, 'simviz_files_indexed{status="error"}')).toBe(0);
    expect(sample(text, 'simviz_cache_bytes{cache="columns"}')).toBe(0);
    expect(sample(text, 'simviz_decode_duration_seconds_count{format="dymola-mat4",outcome="ok"}')).toBe(1);
    expect(text).toContain('# TYPE simviz_cache_hits_total counter');
    expect(text).toContain('# TYPE simviz_cache_misses_total counter');
  });

  it('includes process metrics', async () => {
    const text = await scrape();
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(text).toContain(`# TYPE ${name}`);
    }
  });

  it('keeps each proxy’s numbers apart (no global registry)', async () => {
    const second = await startTestProxy([root], [], { metrics: new ProxyMetrics() });
    try {
      await requestJson(second, '/api/v1/health');
      await requestJson(second, '/api/v1/health');
      const before = sample(await scrape(), 'simviz_http_request_duration_seconds_count{route="/api/v1/health",method="GET",status="200"}') ?? 0;
      const secondText = await scrape(second);
      expect(sample(secondText, 'simviz_http_request_duration_seconds_count{route="/api/v1/health",method="GET",status="200"}')).toBe(2);
      const after = sample(await scrape(), 'simviz_http_request_duration_seconds_count{route="/api/v1/health",method="GET",status="200"}') ?? 0;
      expect(after).toBe(before);
      expect(second.metrics).not.toBe(proxy.metrics);
    } finally {
      await second.close();
    }
  });
});
