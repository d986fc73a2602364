import helmet from '@fastify/helmet';

import type { App } from './app';

export interface SecurityHeaderOptions {
  /** HTTPS served by the proxy itself: then browsers are told to keep using it (HSTS). */
  tls: boolean;
  /** CORS origins are configured: their pages may read responses, so resources are not same-origin only. */
  crossOrigin: boolean;
}

/**
 * Security headers on every response (helmet), 401s and errors included. The proxy serves only
 * JSON and metrics text: the content security policy allows nothing to load and no page to frame
 * a response, so a response opened in a browser can never run as a page.
 */
export function installSecurityHeaders(app: App, options: SecurityHeaderOptions): void {
  void app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    hsts: options.tls ? { maxAge: 180 * 24 * 60 * 60, includeSubDomains: false } : false,
    crossOriginResourcePolicy: { policy: options.crossOrigin ? 'cross-origin' : 'same-origin' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}
