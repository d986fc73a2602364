import type { PageQuery, SimulationPage } from '../shared/api';
import { useAsyncValue, type AsyncValue } from './useAsyncValue';
import { useProxyClient } from './useProxyClient';

/** One page of the proxy's simulation list; the latest request wins when the inputs change quickly. */
export function useSimulations(datasourceUid: string, query: PageQuery): AsyncValue<SimulationPage> {
  const client = useProxyClient(datasourceUid);
  return useAsyncValue(JSON.stringify([datasourceUid, query]), () => client.listSimulations(query));
}
