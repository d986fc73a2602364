import { getBackendSrv } from '@grafana/runtime';

import { ProxyClient } from '../shared/proxyClient';
import { PROXY_ROUTE } from '../datasource/types';

/** A client for the SimViz proxy behind a datasource, through Grafana's data proxy and the datasource's route. */
export function proxyClientFor(datasourceUid: string): ProxyClient {
  return new ProxyClient(`/api/datasources/proxy/uid/${encodeURIComponent(datasourceUid)}/${PROXY_ROUTE}`, getBackendSrv());
}
