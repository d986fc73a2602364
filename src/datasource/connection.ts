import type { TestDataSourceResponse } from '@grafana/data';

import { ProxyError, type ProxyClient } from '../shared/proxyClient';

function failure(message: string, details?: string): TestDataSourceResponse {
  return { status: 'error', message, details: details ? { message: details } : undefined };
}

/**
 * "Save & test": reachability and version from the open health route, then the API key against
 * an authenticated route, so each failure gets its own message.
 */
export async function testConnection(client: ProxyClient, proxyUrl: string | undefined): Promise<TestDataSourceResponse> {
  if (!proxyUrl) {
    return failure('Set the SimViz proxy URL first, e.g. http://simviz-proxy:9800');
  }
  try {
    const health = await client.health();
    await client.listSimulations({ limit: 1 });
    const count = `${health.simulations} simulation${health.simulations === 1 ? '' : 's'}`;
    return { status: 'success', message: `Connected to the SimViz proxy ${health.version} at ${proxyUrl}: ${count}` };
  } catch (error) {
    if (!(error instanceof ProxyError)) {
      throw error;
    }
    switch (error.kind) {
      case 'unreachable':
        return failure(`Cannot reach the SimViz proxy at ${proxyUrl}`, `Is it running, and can the Grafana server reach that address? (${error.message})`);
      case 'unauthorized':
        return failure('The SimViz proxy rejected the API key', 'Check the API key in the settings below; it must be one of the keys the proxy was started with.');
      case 'invalid_response':
      case 'not_found':
        return failure(`${proxyUrl} does not answer like a SimViz proxy`, error.message);
      default:
        return failure(`The SimViz proxy at ${proxyUrl} reported an error`, error.message);
    }
  }
}
