import type { TestDataSourceResponse } from '@grafana/data';

import { API_REVISION, type Health } from '../shared/api';
import { ProxyError, type ProxyClient } from '../shared/proxyClient';

function failure(message: string, details?: string): TestDataSourceResponse {
  return { status: 'error', message, details: details ? { message: details } : undefined };
}

/** Proxies before API revision 2 did not report one. */
function isRecentEnough(health: Health): boolean {
  return (health.api ?? 1) >= API_REVISION;
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
    if (!isRecentEnough(health)) {
      return failure(
        `The SimViz proxy at ${proxyUrl} is too old (version ${health.version})`,
        `This datasource needs a proxy that speaks API revision ${API_REVISION} or later (SimViz proxy 0.2.0 or later); update the proxy.`
      );
    }
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
