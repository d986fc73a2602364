/**
 * The Grafana Live channel of a live query: `ds/<datasource uid>/live/<simulation id>/<key>`.
 * Grafana keeps one stream per channel and shares it among every panel subscribed to it, so the
 * channel must name everything the stream's frames depend on: the key is a hash of those
 * parameters, and the parameters themselves travel as the subscription's data (Grafana hands them
 * to both SubscribeStream and RunStream). The backend refuses data that does not hash to the key.
 */
import type { TimeAxis } from '../datasource/types';

export const LIVE_PATH_PREFIX = 'live';

/** What a live stream's frames depend on: one run, its variables and how they are drawn. */
export interface LiveParams {
  simulation: string;
  /** Names or globs, as the query gives them. */
  variables: string[];
  maxDataPoints: number;
  timeAxis: TimeAxis;
  legend?: string;
  displayUnits?: boolean;
}

/** Grafana allows letters, digits, `_`, `-`, `/`, `.` and `=` in a channel path, and 160 characters in all. */
const CHANNEL_PATH_PATTERN = /^live\/([A-Za-z0-9_-]{22})\/([0-9a-f]{16})$/;

/** The parameters in a fixed key order, absent options left out, so that equal queries share a stream. */
export function canonicalParams(params: LiveParams): LiveParams {
  const canonical: LiveParams = {
    simulation: params.simulation,
    variables: [...params.variables],
    maxDataPoints: params.maxDataPoints,
    timeAxis: params.timeAxis,
  };
  if (params.legend) {
    canonical.legend = params.legend;
  }
  if (params.displayUnits) {
    canonical.displayUnits = true;
  }
  return canonical;
}

/**
 * 64-bit FNV-1a of the canonical JSON, as 16 hex digits. Not a secret and not an authorisation:
 * it only tells streams apart (and must be computed the same way in the browser and the backend,
 * synchronously, hence no Web Crypto).
 */
export function liveKey(params: LiveParams): string {
  const text = JSON.stringify(canonicalParams(params));
  let high = 0xcbf29ce4;
  let low = 0x84222325;
  for (let i = 0; i < text.length; i++) {
    low = (low ^ text.charCodeAt(i)) >>> 0;
    // Multiply the 64-bit value by the FNV prime 2^40 + 0x1b3, in 32-bit halves.
    const lowTimes = low * 0x1b3;
    const carry = Math.floor(lowTimes / 0x100000000);
    const newLow = lowTimes >>> 0;
    high = (high * 0x1b3 + (low << 8) + carry) >>> 0;
    low = newLow;
  }
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
}

export function livePath(params: LiveParams): string {
  return `${LIVE_PATH_PREFIX}/${params.simulation}/${liveKey(params)}`;
}

/** The simulation and key of a live channel path; undefined for any other path. */
export function parseLivePath(path: string): { simulation: string; key: string } | undefined {
  const match = CHANNEL_PATH_PATTERN.exec(path);
  return match ? { simulation: match[1], key: match[2] } : undefined;
}

/** The backend's resource that answers with a running stream's snapshot (`?path=<channel path>`), for a page that missed a packet. */
export const LIVE_SNAPSHOT_PATH = 'live/snapshot';
