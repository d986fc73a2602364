import { useEffect, useMemo, useState } from 'react';

import type { SimulationPage } from '../shared/api';
import { proxyClientFor } from '../api/proxyForDatasource';

export interface SimulationsState {
  /** The latest page received (kept while the next one loads). */
  page: SimulationPage | undefined;
  loading: boolean;
  error: string | undefined;
}

interface Result {
  key: string;
  page?: SimulationPage;
  error?: string;
}

/** One page of the proxy's simulation list; the latest request wins when the inputs change quickly. */
export function useSimulations(datasourceUid: string, search: string, offset: number, limit: number): SimulationsState {
  const client = useMemo(() => proxyClientFor(datasourceUid), [datasourceUid]);
  const key = JSON.stringify([datasourceUid, search, offset, limit]);
  const [result, setResult] = useState<Result>({ key: '' });

  useEffect(() => {
    let current = true;
    client.listSimulations({ search, offset, limit }).then(
      (page) => current && setResult({ key, page }),
      (error: unknown) => current && setResult({ key, error: error instanceof Error ? error.message : String(error) })
    );
    return () => {
      current = false;
    };
  }, [client, key, search, offset, limit]);

  const loading = result.key !== key;
  return { page: result.page, loading, error: loading ? undefined : result.error };
}
