import { createHash, timingSafeEqual } from 'node:crypto';

import type { FastifyRequest } from 'fastify';

import { API_PREFIX } from '../../shared/api';
import { SCOPES, type ApiKey, type Scope } from '../config/values';
import type { App } from './app';
import { HttpError } from './errors';
import { METRICS_ROUTE } from './metrics';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * What the request's API key may do, set for every request before routing continues. Every
     * scope when the proxy runs without keys; none on an open route called without a valid key.
     */
    scopes: ReadonlySet<Scope>;
  }
}

/** Probes (liveness, readiness) cannot send keys, and answer nothing worth protecting. */
export const OPEN_ROUTES: readonly string[] = [`${API_PREFIX}/health`, `${API_PREFIX}/ready`];

const ALL_SCOPES: ReadonlySet<Scope> = new Set(SCOPES);
const NO_SCOPES: ReadonlySet<Scope> = new Set();

export interface AuthOptions {
  /** Whether /metrics needs a key like the API routes; open by default, as Prometheus scrapes it. */
  metricsProtected?: boolean;
  /** Served only in process (no port): an open API is the intent, not an oversight to warn about. */
  inProcess?: boolean;
}

/** A key's scopes as granted: `write` implies `read`, as a client that uploads files must see them. */
export function grantedScopes(scopes: readonly Scope[]): ReadonlySet<Scope> {
  return new Set<Scope>(scopes.includes('write') ? ['read', ...scopes] : scopes);
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** The scopes of the key `candidate` equals, or undefined; digests are compared in constant time. */
export function makeKeyCheck(keys: readonly ApiKey[]): (candidate: string) => ReadonlySet<Scope> | undefined {
  const known = keys.map((key) => ({ digest: digest(key.key), scopes: grantedScopes(key.scopes) }));
  return (candidate) => {
    const probe = digest(candidate);
    let found: ReadonlySet<Scope> | undefined;
    for (const entry of known) {
      // No early exit: the time taken does not depend on which key matched, or whether one did.
      if (timingSafeEqual(entry.digest, probe)) {
        found = entry.scopes;
      }
    }
    return found;
  };
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  return match ? match[1].trim() : undefined;
}

/** A CORS preflight: browsers never send credentials with it, and @fastify/cors answers it. */
function isPreflight(request: FastifyRequest): boolean {
  return request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
}

function forbidden(scope: Scope): HttpError {
  return new HttpError(403, 'forbidden', `this API key lacks the "${scope}" scope`);
}

/**
 * Authenticates every request in one onRequest hook, so routes added later (by any module) are
 * covered without opting in: with keys configured, every route but the open ones needs
 * `Authorization: Bearer <key>` of a key with the `read` scope. Routes that change data add
 * `requireScope('write')`.
 */
export function installAuth(app: App, keys: readonly ApiKey[], options: AuthOptions = {}): void {
  const open = new Set(options.metricsProtected ? OPEN_ROUTES : [...OPEN_ROUTES, METRICS_ROUTE]);
  if (keys.length === 0 && !options.inProcess) {
    app.log.warn('no API keys configured: every client may read and upload; configure keys unless only trusted clients can reach the proxy');
  }
  const check = makeKeyCheck(keys);
  app.addHook('onRequest', async (request, reply) => {
    // Assigned here rather than declared with decorateRequest, which refuses object defaults.
    if (keys.length === 0) {
      request.scopes = ALL_SCOPES;
      return;
    }
    const token = bearerToken(request);
    const scopes = token === undefined ? undefined : check(token);
    request.scopes = scopes ?? NO_SCOPES;
    if (isPreflight(request) || open.has(request.routeOptions.url ?? '')) {
      return;
    }
    if (!scopes) {
      reply.header('WWW-Authenticate', 'Bearer realm="simviz"');
      throw new HttpError(401, 'unauthorized', token === undefined ? 'missing API key: send "Authorization: Bearer <key>"' : 'invalid API key');
    }
    if (!scopes.has('read')) {
      throw forbidden('read');
    }
  });
}

/**
 * A preHandler that answers 403 unless the request's key has `scope`, for routes that need more
 * than `read`: `app.post(url, { preHandler: requireScope('write') }, handler)`. Runs after
 * authentication, so it only ever sees requests with a valid key (or a proxy without keys).
 */
export function requireScope(scope: Scope): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    if (!request.scopes.has(scope)) {
      throw forbidden(scope);
    }
  };
}
