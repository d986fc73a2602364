import { useMemo } from 'react';

import type { ProxyClient } from '../shared/proxyClient';
import { proxyClientFor } from '../api/proxyForDatasource';

export function useProxyClient(datasourceUid: string): ProxyClient {
  return useMemo(() => proxyClientFor(datasourceUid), [datasourceUid]);
}
