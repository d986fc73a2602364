import { createHash } from 'node:crypto';

/**
 * Opaque, URL-safe and stable: the same root name and relative path give the same id on every
 * start and on every replica, and the id reveals nothing about the path.
 */
export function simulationId(rootName: string, relativePath: string): string {
  return createHash('sha256').update(`${rootName}\0${relativePath}`).digest('base64url').slice(0, 22);
}

/** Ids are what simulationId produces; anything else is rejected before any lookup. */
export function isWellFormedId(id: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(id);
}
