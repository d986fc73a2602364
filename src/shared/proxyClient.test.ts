import type { BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import { of, throwError, type Observable } from 'rxjs';

import { ProxyClient, ProxyError, toProxyError, type Fetcher } from './proxyClient';

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
});
