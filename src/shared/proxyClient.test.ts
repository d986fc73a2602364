import type { BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import { of, throwError, type Observable } from 'rxjs';

import { queryResponseBinary } from '../engine/query/serialize';
import { ProxyClient, ProxyError, toProxyError, type Fetcher } from './proxyClient';
import { encodeRowsAnswer, ROWS_MEDIA_TYPE, type RowsColumns } from './liveRows';
import type { SeriesColumns } from './seriesColumns';
import { SERIES_MEDIA_TYPE } from './seriesWire';

const answered = (data: unknown) => of({ data } as unknown as FetchResponse<unknown>);

/** Bytes as Grafana's backendSrv hands them over for responseType 'arraybuffer'. */
function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function fetchError(status: number, data: unknown) {
  return { status, data, config: { url: '/x' } };
}

function fetcherAnswering(answer: () => Observable<FetchResponse<unknown>>): Fetcher & { requests: BackendSrvRequest[] } {
  const requests: BackendSrvRequest[] = [];
  return {
    requests,
    fetch<T>(options: BackendSrvRequest) {
      requests.push(options);
      return answer() as Observable<FetchResponse<T>>;
    },
  };
}

describe('toProxyError', () => {
  it.each([
    [502, 'Bad Gateway', 'unreachable'],
    [0, undefined, 'unreachable'],
    [401, { error: { code: 'unauthorized', message: 'invalid API key' } }, 'unauthorized'],
    // Grafana's data proxy replaces an upstream 401 with this 400.
    [400, 'Authentication to data source failed', 'unauthorized'],
    [404, { error: { code: 'not_found', message: 'no simulation with id "x"' } }, 'not_found'],
    [400, { error: { code: 'bad_request', message: 'body must have property variables' } }, 'rejected'],
    [500, { error: { code: 'internal', message: 'internal error' } }, 'server'],
  ])('maps HTTP %i to %s', (status, data, kind) => {
    expect(toProxyError(fetchError(status, data)).kind).toBe(kind);
  });

  it("keeps the proxy's own message", () => {
    expect(toProxyError(fetchError(404, { error: { code: 'not_found', message: 'no simulation with id "x"' } })).message).toBe(
      'no simulation with id "x"'
    );
  });
});

describe('ProxyClient', () => {
  it('sends GET parameters without empty values and hides Grafana error pop-ups', async () => {
    const health = { status: 'ok', version: '1.2.3', simulations: 4 };
    const fetcher = fetcherAnswering(() => of({ data: { items: [], total: 0 } } as unknown as FetchResponse<unknown>));
    await new ProxyClient('/base', fetcher).listSimulations({ search: '', limit: 5 });
    expect(fetcher.requests[0]).toMatchObject({ url: '/base/api/v1/simulations', method: 'GET', params: { limit: 5 }, showErrorAlert: false });
    const ok = fetcherAnswering(() => of({ data: health } as unknown as FetchResponse<unknown>));
    await expect(new ProxyClient('/base', ok).health()).resolves.toEqual(health);
  });

  it('rejects answers that do not follow the contract', async () => {
    const fetcher = fetcherAnswering(() => of({ data: '<html>login</html>' } as unknown as FetchResponse<unknown>));
    await expect(new ProxyClient('/base', fetcher).health()).rejects.toMatchObject({ kind: 'invalid_response' });
  });

  it('passes the requestId so Grafana can cancel superseded queries', async () => {
    const fetcher = fetcherAnswering(() => throwError(() => fetchError(502, 'Bad Gateway')));
    const failure = new ProxyClient('/base', fetcher, { delayMs: 1 }).query({ simulations: ['a'], variables: ['b'] }, 'Q-A');
    await expect(failure).rejects.toBeInstanceOf(ProxyError);
    expect(fetcher.requests[0]).toMatchObject({ method: 'POST', requestId: 'Q-A', data: { simulations: ['a'], variables: ['b'] } });
  });

  it('tries a call that could not reach the proxy once more, and only such a call', async () => {
    let calls = 0;
    const flaky = fetcherAnswering(() => (++calls === 1 ? throwError(() => fetchError(502, 'Bad Gateway')) : of({ data: { status: 'ok', version: '1.0.0', simulations: 1 } } as unknown as FetchResponse<unknown>)));
    await expect(new ProxyClient('/base', flaky, { delayMs: 1 }).health()).resolves.toMatchObject({ status: 'ok' });
    expect(flaky.requests).toHaveLength(2);

    const down = fetcherAnswering(() => throwError(() => fetchError(503, 'Service Unavailable')));
    await expect(new ProxyClient('/base', down, { delayMs: 1 }).health()).rejects.toMatchObject({ kind: 'unreachable', message: expect.stringMatching(/tried again after \d+ ms$/) });
    expect(down.requests).toHaveLength(2);

    const rejected = fetcherAnswering(() => throwError(() => fetchError(404, { error: { code: 'not_found', message: 'no simulation' } })));
    await expect(new ProxyClient('/base', rejected, { delayMs: 1 }).getSimulation('x')).rejects.toMatchObject({ kind: 'not_found' });
    expect(rejected.requests).toHaveLength(1);
  });

  describe('query answers', () => {
    const series = {
      simulation: 'a',
      variable: 'b',
      simulationName: 'run',
      resolvedName: 'b',
      unit: 'K',
      displayUnit: 'degC',
      description: '',
      kind: 'trajectory' as const,
      valueType: null,
      pointsInRange: 3,
      downsampled: false,
    };
    const request = { simulations: ['a'], variables: ['b', 'c'] };
    const errorEntry = { simulation: 'a', variable: 'c', error: { code: 'unknown_variable', message: 'no "c"' } };

    it('asks for the binary form and reads it, NaN as null as in JSON', async () => {
      const bytes = queryResponseBinary([{ ...series, time: Float64Array.of(0, 1, 2), values: Float64Array.of(1.5, NaN, -0) }, errorEntry]);
      const fetcher = fetcherAnswering(() => answered(arrayBufferOf(bytes)));
      const answer = await new ProxyClient('/base', fetcher).query(request);
      expect(fetcher.requests[0]).toMatchObject({ responseType: 'arraybuffer', headers: { Accept: expect.stringContaining(SERIES_MEDIA_TYPE) } });
      expect(answer.series).toEqual([{ ...series, time: [0, 1, 2], values: [1.5, null, -0] }, errorEntry]);
    });

    it('reads a JSON answer from an older proxy, and JSON error bodies sent as bytes', async () => {
      const json = { series: [{ ...series, time: [0], values: [null] }] };
      const older = fetcherAnswering(() => answered(arrayBufferOf(new TextEncoder().encode(JSON.stringify(json)))));
      await expect(new ProxyClient('/base', older).query(request)).resolves.toEqual(json);

      const body = new TextEncoder().encode(JSON.stringify({ error: { code: 'too_many_series', message: '"*" matches 900 series' } }));
      const refused = fetcherAnswering(() => throwError(() => fetchError(400, arrayBufferOf(body))));
      await expect(new ProxyClient('/base', refused).query(request)).rejects.toMatchObject({ kind: 'rejected', message: '"*" matches 900 series' });
    });

    it('reads the same answers as Float64Arrays with queryColumns: views of a binary answer, NaN where JSON has null', async () => {
      const bytes = queryResponseBinary([{ ...series, time: Float64Array.of(0, 1, 2), values: Float64Array.of(1.5, NaN, -0) }, errorEntry]);
      const answer = await new ProxyClient('/base', fetcherAnswering(() => answered(bytes))).queryColumns(request);
      const [data, error] = answer.series as [SeriesColumns, unknown];
      expect(data).toEqual({ ...series, time: Float64Array.of(0, 1, 2), values: Float64Array.of(1.5, NaN, -0) });
      expect(Object.is(data.values[2], -0)).toBe(true);
      // No copy: the samples are the answer's own bytes.
      expect(data.time.buffer).toBe(bytes.buffer);
      expect(error).toEqual(errorEntry);

      // Numbers that are not 8-byte aligned in memory are copied, not misread.
      const shifted = new Uint8Array(bytes.length + 1).subarray(1);
      shifted.set(bytes);
      const copied = await new ProxyClient('/base', fetcherAnswering(() => answered(shifted))).queryColumns(request);
      expect(copied.series).toEqual(answer.series);

      const json = { series: [{ ...series, time: [0, 1], values: [null, 2] }, errorEntry] };
      const older = fetcherAnswering(() => answered(arrayBufferOf(new TextEncoder().encode(JSON.stringify(json)))));
      await expect(new ProxyClient('/base', older).queryColumns(request)).resolves.toEqual({
        series: [{ ...series, time: Float64Array.of(0, 1), values: Float64Array.of(NaN, 2) }, errorEntry],
      });
    });

    it('refuses with queryColumns what query refuses', async () => {
      const bad = { series: [{ ...series, time: [0], values: ['1'] }] };
      const client = new ProxyClient('/base', fetcherAnswering(() => answered(bad)));
      await expect(client.query(request)).rejects.toMatchObject({ kind: 'invalid_response' });
      await expect(client.queryColumns(request)).rejects.toMatchObject({ kind: 'invalid_response' });
      const headless = queryResponseBinary([{ ...series, kind: 'nonsense' as 'trajectory', time: Float64Array.of(0), values: Float64Array.of(1) }]);
      await expect(new ProxyClient('/base', fetcherAnswering(() => answered(headless))).queryColumns(request)).rejects.toMatchObject({ kind: 'invalid_response' });
    });

    it('refuses a binary answer cut short, naming what is wrong', async () => {
      const bytes = queryResponseBinary([{ ...series, time: Float64Array.of(0, 1, 2), values: Float64Array.of(1, 2, 3) }]);
      const cut = fetcherAnswering(() => answered(arrayBufferOf(bytes.subarray(0, bytes.length - 4))));
      await expect(new ProxyClient('/base', cut).query(request)).rejects.toMatchObject({
        kind: 'invalid_response',
        message: expect.stringMatching(/^unreadable answer from \/base\/api\/v1\/query: a series claims 3 points/),
      });
    });
  });

  describe('live rows answers', () => {
    const meta = { variable: 'x', resolvedName: 'x', unit: 'm', displayUnit: null, valueType: null, description: 'position' };
    const head = { simulation: 'a', token: 't1', reset: false, from: 10, more: true, status: 'writing' as const, settled: false, span: { start: 0, stop: 5 }, missing: ['nope'] };
    const answer: RowsColumns = {
      ...head,
      time: Float64Array.of(0.1, 0.2, 0.2),
      series: [{ ...meta, values: Float64Array.of(1, NaN, -Infinity) }, { ...meta, variable: 'der(*)', resolvedName: 'der(x)', values: Float64Array.of(-0, 2, 3) }],
    };

    it('asks for the binary form and reads it as Float64Arrays, non-finite values as they are', async () => {
      const fetcher = fetcherAnswering(() => answered(arrayBufferOf(encodeRowsAnswer(answer))));
      const read = await new ProxyClient('/base', fetcher).rows('a', { variable: ['x', 'der(*)'], from: 10, token: undefined, waitMs: 0 });
      expect(fetcher.requests[0]).toMatchObject({ url: '/base/api/v1/simulations/a/rows', responseType: 'arraybuffer', headers: { Accept: expect.stringContaining(ROWS_MEDIA_TYPE) }, params: { variable: ['x', 'der(*)'], from: 10, waitMs: 0 } });
      expect(fetcher.requests[0].params).not.toHaveProperty('token');
      expect(read).toEqual(answer);
      expect(Object.is(read.series[1].values[0], -0)).toBe(true);
    });

    it('reads a JSON answer from an older proxy as the same columns, null as NaN', async () => {
      const json = { ...head, time: [0.1, 0.2, 0.2], series: [{ ...meta, values: [1, null, null] }, { ...meta, variable: 'der(*)', resolvedName: 'der(x)', values: [0, 2, 3] }] };
      const read = await new ProxyClient('/base', fetcherAnswering(() => answered(json))).rows('a', { variable: ['x'] });
      expect(read.time).toEqual(Float64Array.of(0.1, 0.2, 0.2));
      expect(read.series[0].values).toEqual(Float64Array.of(1, NaN, NaN));
    });

    it('refuses binary answers that do not hold what their head says, naming the URL', async () => {
      const bytes = encodeRowsAnswer(answer);
      const cases: Uint8Array[] = [bytes.subarray(0, bytes.length - 8), bytes.subarray(0, 12), Uint8Array.from([...bytes.subarray(0, 4), 255, 255, 255, 127])];
      const head = new TextEncoder().encode('{"rows":-1,"series":[]}');
      const lying = new Uint8Array(8 + 24);
      lying.set(bytes.subarray(0, 4));
      new DataView(lying.buffer).setUint32(4, head.length, true);
      lying.set(head, 8);
      cases.push(lying);
      for (const bad of cases) {
        const client = new ProxyClient('/base', fetcherAnswering(() => answered(arrayBufferOf(bad))));
        await expect(client.rows('a', { variable: ['x'] })).rejects.toMatchObject({ kind: 'invalid_response', message: expect.stringContaining('/base/api/v1/simulations/a/rows') });
      }
    });
  });
});
