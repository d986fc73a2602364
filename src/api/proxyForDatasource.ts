import { getBackendSrv } from '@grafana/runtime';

import { ProxyClient } from '../shared/proxyClient';
import { resourcesUrl } from '../datasource/resources';

/** A client for the REST API behind a datasource: Grafana forwards it to the backend (CallResource), which adds the key. */
export function proxyClientFor(datasourceUid: string): ProxyClient {
  return new ProxyClient(resourcesUrl(datasourceUid), getBackendSrv());
}
