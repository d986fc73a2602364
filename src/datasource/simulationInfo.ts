import type { Simulation } from '../shared/api';
import type { ProxyClient } from '../shared/proxyClient';

/** How long a run's catalogue entry is reused: long enough for one dashboard refresh of many panels. */
const TTL_MS = 30_000;
const MAX_ENTRIES = 500;

/** Catalogue entries by id, fetched once per refresh instead of once per panel and query. */
export class SimulationInfoCache {
  private readonly entries = new Map<string, { at: number; simulation: Promise<Simulation> }>();

  constructor(private readonly client: ProxyClient) {}

  get(id: string): Promise<Simulation> {
    const now = Date.now();
    const known = this.entries.get(id);
    if (known && now - known.at < TTL_MS) {
      return known.simulation;
    }
    if (this.entries.size >= MAX_ENTRIES) {
      this.entries.clear();
    }
    const simulation = this.client.getSimulation(id);
    this.entries.set(id, { at: now, simulation });
    // A failed lookup is not kept: the next query asks again.
    simulation.catch(() => this.entries.delete(id));
    return simulation;
  }
}
