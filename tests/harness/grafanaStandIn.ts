/**
 * The parts of Grafana's HTTP server that the plugin relies on, reproduced for the browser
 * harness: plugin assets under /public/plugins, datasource and plugin settings (secrets stay on
 * the server), the data proxy that applies the `routes` of the built plugin.json, the API of a
 * backend datasource (queries, resources, health) answered by the real backend over gRPC, and
 * Grafana Live's streams from it (backend/live.ts).
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

import type { PluginContextMessage } from '../../src/backend/grpc/messages';
import type { BackendClient } from './backend/client';
import { LIVE_SUBSCRIBE_ROUTE, LiveChannels } from './backend/live';
import { callResource, checkHealth, dsQuery, readBody } from './backend/routes';

export const APP_ID = 'simviz-simulation-app';
export const DATASOURCE_ID = 'simviz-simulation-datasource';

export interface DatasourceSettings {
  id: number;
  uid: string;
  name: string;
  type: string;
  access: 'proxy';
  url: string;
  jsonData: Record<string, unknown>;
  /** Kept on the server only, as Grafana keeps them encrypted in its database. */
  secureJsonData: Record<string, string>;
}

export interface StandInOptions {
  distDir: string;
  hostDir: string;
  iconsDir: string;
  /** Files Grafana serves from its own public folder that no npm package ships at the same path. */
  publicFiles: Record<string, string>;
  datasources: DatasourceSettings[];
  appJsonData: Record<string, unknown>;
  /** The datasource's backend, as Grafana's plugin manager has started it. */
  backend: BackendClient;
}

interface RouteHeader {
  name: string;
  content: string;
}

interface PluginRoute {
  path: string;
  method?: string;
  url: string;
  headers?: RouteHeader[];
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.html': 'text/html; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Serves a file below `root`; refuses anything that escapes it. */
function sendFile(res: ServerResponse, root: string, relative: string): void {
  const file = path.resolve(root, decodeURIComponent(relative));
  if (!file.startsWith(path.resolve(root) + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
    sendJson(res, 404, { message: 'Not found' });
    return;
  }
  res.writeHead(200, { 'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
}

/** Go-template placeholders of plugin.json routes: `{{ .JsonData.x }}` and `{{ .SecureJsonData.x }}`. */
export function interpolateRouteTemplate(template: string, settings: DatasourceSettings): string {
  return template.replace(/\{\{\s*\.(JsonData|SecureJsonData)\.([A-Za-z0-9_]+)\s*\}\}/g, (_, scope: string, key: string) => {
    const source: Record<string, unknown> = scope === 'JsonData' ? settings.jsonData : settings.secureJsonData;
    const value = source[key];
    return value === undefined || value === null ? '' : String(value);
  });
}

/** Joins like Go's util.JoinURLFragments: exactly one slash between the parts. */
function joinUrlPath(base: string, rest: string): string {
  if (!rest) {
    return base;
  }
  return `${base.replace(/\/+$/, '')}/${rest.replace(/^\/+/, '')}`;
}

/** Settings as Grafana's API returns them: secrets replaced by "is set" flags. */
export function publicSettings(settings: DatasourceSettings) {
  const { secureJsonData, ...rest } = settings;
  const secureJsonFields = Object.fromEntries(Object.entries(secureJsonData).map(([key, value]) => [key, value !== '']));
  return { ...rest, secureJsonFields, readOnly: false };
}

export class GrafanaStandIn {
  private readonly datasources = new Map<string, DatasourceSettings>();
  /** When each datasource's settings were last saved: the plugin keeps one instance per version of them. */
  private readonly updated = new Map<string, number>();
  private appJsonData: Record<string, unknown> = {};
  /** Grafana Live: the backend's streams, one per channel, to the browser's subscriptions. */
  readonly live: LiveChannels;

  constructor(private readonly options: StandInOptions) {
    this.reset();
    this.live = new LiveChannels({ backend: options.backend, contextFor: (uid) => this.pluginContext(uid) });
  }

  /** Back to the provisioned settings, so browser tests do not depend on each other's edits. */
  reset(): void {
    this.datasources.clear();
    this.options.datasources.forEach((ds) => this.save(structuredClone(ds)));
    this.appJsonData = structuredClone(this.options.appJsonData);
  }

  /** Stores settings as Grafana's database does, with a newer update time than any before. */
  private save(settings: DatasourceSettings): void {
    this.datasources.set(settings.uid, settings);
    this.updated.set(settings.uid, Math.max(Date.now(), (this.updated.get(settings.uid) ?? 0) + 1));
  }

  /** What Grafana sends the plugin with every call: the saved settings, jsonData as bytes and the secrets decrypted. */
  private pluginContext(uid: string): PluginContextMessage | undefined {
    const settings = this.datasources.get(uid);
    if (!settings) {
      return undefined;
    }
    // A secret reset in the editor is deleted, not kept empty.
    const secrets = Object.fromEntries(Object.entries(settings.secureJsonData).filter(([, value]) => value !== ''));
    return {
      orgId: 1,
      pluginId: DATASOURCE_ID,
      user: { login: 'admin', role: 'Admin' },
      dataSourceInstanceSettings: {
        id: settings.id,
        uid: settings.uid,
        name: settings.name,
        url: '',
        jsonData: Buffer.from(JSON.stringify(settings.jsonData)),
        decryptedSecureJsonData: secrets,
        lastUpdatedMS: this.updated.get(uid) ?? 0,
      },
      grafanaConfig: {},
    };
  }

  private pluginJson(relative: string): Record<string, unknown> {
    return JSON.parse(readFileSync(path.join(this.options.distDir, relative), 'utf8')) as Record<string, unknown>;
  }

  /** What Grafana's boot data holds for a datasource: instance settings with the plugin meta. */
  private instanceSettings(settings: DatasourceSettings) {
    const meta = this.pluginJson('datasource/plugin.json');
    return {
      ...publicSettings(settings),
      meta: {
        ...meta,
        module: `public/plugins/${APP_ID}/datasource/module.js`,
        baseUrl: `public/plugins/${APP_ID}/datasource`,
      },
    };
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://harness');
    const route = url.pathname;
    const proxyMatch = /^\/api\/datasources\/proxy\/uid\/([^/]+)\/?(.*)$/.exec(route);
    if (proxyMatch) {
      return this.dataProxy(req, res, decodeURIComponent(proxyMatch[1]), proxyMatch[2], url.search);
    }
    if (route === '/api/ds/query' && req.method === 'POST') {
      return dsQuery(req, res, this.options.backend, (uid) => this.pluginContext(uid));
    }
    if (route === LIVE_SUBSCRIBE_ROUTE && req.method === 'POST') {
      return this.live.subscribe(req, res);
    }
    const backendMatch = /^\/api\/datasources\/uid\/([^/]+)\/(health|resources)(?:\/(.*))?$/.exec(route);
    if (backendMatch) {
      return this.backendApi(req, res, decodeURIComponent(backendMatch[1]), backendMatch[2], backendMatch[3] ?? '', url.search);
    }
    const settingsMatch = /^\/api\/datasources\/uid\/([^/]+)$/.exec(route);
    if (settingsMatch) {
      return this.datasourceSettings(req, res, decodeURIComponent(settingsMatch[1]));
    }
    if (route === `/api/plugins/${APP_ID}/settings`) {
      return this.appSettings(req, res);
    }
    if (route === '/api/harness/reset' && req.method === 'POST') {
      this.reset();
      return sendJson(res, 200, { message: 'reset' });
    }
    if (route === '/api/harness/live') {
      // For the specs: which channels have subscribers or a running stream, and what went through them.
      return sendJson(res, 200, { channels: this.live.status() });
    }
    if (route === '/api/harness/datasources') {
      return sendJson(res, 200, [...this.datasources.values()].map((ds) => this.instanceSettings(ds)));
    }
    if (route.startsWith(`/public/plugins/${APP_ID}/`)) {
      return sendFile(res, this.options.distDir, route.slice(`/public/plugins/${APP_ID}/`.length));
    }
    const publicFile = this.options.publicFiles[route];
    if (publicFile) {
      return sendFile(res, path.dirname(publicFile), path.basename(publicFile));
    }
    if (route.startsWith('/public/build/img/icons/')) {
      return sendFile(res, this.options.iconsDir, route.slice('/public/build/img/icons/'.length));
    }
    if (route.startsWith('/harness/')) {
      return sendFile(res, this.options.hostDir, route.slice('/harness/'.length));
    }
    if (req.method === 'GET' && !route.startsWith('/api/') && !route.startsWith('/public/')) {
      // Every other page path is a client-side route of the host, as in Grafana's single-page app.
      return sendFile(res, this.options.hostDir, 'index.html');
    }
    sendJson(res, 404, { message: 'Not found' });
  }

  private async backendApi(req: IncomingMessage, res: ServerResponse, uid: string, kind: string, rest: string, search: string): Promise<void> {
    const context = this.pluginContext(uid);
    if (!context) {
      return sendJson(res, 404, { message: 'Data source not found' });
    }
    if (kind === 'health') {
      return req.method === 'GET' ? checkHealth(res, this.options.backend, context) : sendJson(res, 405, { message: 'Method not allowed' });
    }
    return callResource(req, res, this.options.backend, context, rest, search);
  }

  private async appSettings(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'POST') {
      const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as { jsonData?: Record<string, unknown> };
      this.appJsonData = body.jsonData ?? {};
      return sendJson(res, 200, { message: 'Plugin settings updated' });
    }
    const meta = this.pluginJson('plugin.json');
    return sendJson(res, 200, {
      ...meta,
      enabled: true,
      pinned: true,
      jsonData: this.appJsonData,
      secureJsonFields: {},
      module: `public/plugins/${APP_ID}/module.js`,
      baseUrl: `public/plugins/${APP_ID}`,
    });
  }

  private async datasourceSettings(req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
    const current = this.datasources.get(uid);
    if (!current) {
      return sendJson(res, 404, { message: 'Data source not found' });
    }
    if (req.method === 'PUT') {
      const body = JSON.parse((await readBody(req)).toString('utf8')) as {
        jsonData?: Record<string, unknown>;
        secureJsonData?: Record<string, string>;
        secureJsonFields?: Record<string, boolean>;
      };
      const secureJsonData = { ...current.secureJsonData };
      // A field reset in the editor arrives as secureJsonFields[x] = false with no new value.
      for (const [key, isSet] of Object.entries(body.secureJsonFields ?? {})) {
        if (!isSet) {
          secureJsonData[key] = '';
        }
      }
      Object.assign(secureJsonData, body.secureJsonData ?? {});
      const updated = { ...current, jsonData: body.jsonData ?? current.jsonData, secureJsonData };
      this.save(updated);
      return sendJson(res, 200, { message: 'Datasource updated', datasource: publicSettings(updated) });
    }
    return sendJson(res, 200, publicSettings(current));
  }

  /**
   * Grafana's data proxy: match a route of the datasource's plugin.json by path prefix and method,
   * forward to the route URL with the rendered headers, and turn an upstream 401 into Grafana's 400.
   */
  private async dataProxy(req: IncomingMessage, res: ServerResponse, uid: string, proxyPath: string, search: string) {
    const settings = this.datasources.get(uid);
    if (!settings) {
      return sendJson(res, 404, { message: 'Unable to find datasource' });
    }
    const routes = (this.pluginJson('datasource/plugin.json').routes ?? []) as PluginRoute[];
    const route = routes.find(
      (r) => (!r.method || r.method === '*' || r.method === req.method) && proxyPath.startsWith(r.path)
    );
    if (!route) {
      return sendJson(res, 502, { message: 'Bad Gateway: no plugin route matches', path: proxyPath });
    }
    const target = new URL(interpolateRouteTemplate(route.url, settings));
    target.pathname = joinUrlPath(target.pathname, proxyPath.slice(route.path.length));
    target.search = search;
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'accept', 'x-request-id']) {
      const value = req.headers[name];
      if (typeof value === 'string') {
        headers[name] = value;
      }
    }
    for (const header of route.headers ?? []) {
      headers[header.name.toLowerCase()] = interpolateRouteTemplate(header.content, settings);
    }
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req);
    let upstream: Response;
    try {
      upstream = await fetch(target, { method: req.method, headers, body: body ? new Uint8Array(body) : undefined });
    } catch {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('Bad Gateway');
      return;
    }
    if (upstream.status === 401) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('Authentication to data source failed');
      return;
    }
    const contentType = upstream.headers.get('content-type') ?? 'application/octet-stream';
    res.writeHead(upstream.status, { 'content-type': contentType });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  }
}
