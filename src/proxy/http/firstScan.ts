/**
 * A proxy that has just (re)started answers at once, while its first scan runs. A request that
 * names a simulation the scan has not listed yet waits for it (at most FIRST_SCAN_WAIT_MS) rather
 * than being told the run does not exist: after a restart or a deploy, every dashboard would
 * otherwise show "no simulation" for the runs the scan had not reached, until refreshed.
 */
import type { FastifyRequest } from 'fastify';

import type { Catalog } from '../../engine/catalog/catalog';

/** As long as the backend's folder mode waits for its first scan. */
export const FIRST_SCAN_WAIT_MS = 20_000;

function strings(value: unknown): string[] {
  if (typeof value === 'string') {
    return [value];
  }
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** The simulation ids a request names: a route's `:id`, a query's `simulations`, a comparison's `referenceId`, `?simulation=`. */
function namedSimulations(request: FastifyRequest): string[] {
  const params = (request.params ?? {}) as { id?: unknown };
  const body = (request.body ?? {}) as { simulations?: unknown; referenceId?: unknown };
  const query = (request.query ?? {}) as { simulation?: unknown };
  return [...strings(params.id), ...strings(body.simulations), ...strings(body.referenceId), ...strings(query.simulation)];
}

export function waitForFirstScan(catalog: Catalog, waitMs = FIRST_SCAN_WAIT_MS): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    if (!catalog.ready && namedSimulations(request).some((id) => catalog.get(id) === undefined)) {
      await catalog.whenReady(waitMs);
    }
  };
}
