import { createHash, timingSafeEqual } from 'node:crypto';

import type { FastifyRequest } from 'fastify';

import { API_PREFIX } from '../../shared/api';
import type { App } from './app';
import { HttpError } from './errors';

const OPEN_ROUTES = new Set([`${API_PREFIX}/health`]);

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** True when `candidate` equals one of the keys, comparing digests in constant time. */
export function makeKeyCheck(keys: readonly string[]): (candidate: string) => boolean {
  const digests = keys.map(digest);
  return (candidate) => {
    const probe = digest(candidate);
    let match = false;
    for (const known of digests) {
      // No early exit: the time taken does not depend on which key matched.
      match = timingSafeEqual(known, probe) || match;
    }
    return match;
  };
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  return match ? match[1].trim() : undefined;
}

/** With keys configured, every route but the open ones needs `Authorization: Bearer <key>`. */
export function installAuth(app: App, keys: readonly string[]): void {
  if (keys.length === 0) {
    return;
  }
  const isKnown = makeKeyCheck(keys);
  app.addHook('onRequest', async (request, reply) => {
    if (OPEN_ROUTES.has(request.url.split('?')[0])) {
      return;
    }
    const token = bearerToken(request);
    reply.header('WWW-Authenticate', 'Bearer realm="simviz"');
    if (!token) {
      throw new HttpError(401, 'unauthorized', 'missing API key: send "Authorization: Bearer <key>"');
    }
    if (!isKnown(token)) {
      throw new HttpError(401, 'unauthorized', 'invalid API key');
    }
    reply.removeHeader('WWW-Authenticate');
  });
}
