/**
 * Test support for the datasource and app code under jsdom: the harness server (a Grafana
 * stand-in that runs the real datasource backend, in front of a real SimViz proxy), in child
 * processes, and a backendSrv that talks to it over real HTTP, as DataSourceWithBackend needs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';

import type { DataQueryRequest, DataQueryResponse, DataSourceInstanceSettings } from '@grafana/data';
import { setBackendSrv, type BackendSrv, type BackendSrvRequest, type FetchError, type FetchResponse, type TemplateSrv } from '@grafana/runtime';
import { lastValueFrom, Observable } from 'rxjs';

import { HARNESS_API_KEY } from '../harness/constants';
import { buildUrl, HarnessTemplateSrv } from '../harness/host/services';
import { DataSource } from '../../src/datasource/datasource';
import type { SimVizOptions, SimVizQuery } from '../../src/datasource/types';
import type { Fetcher } from '../../src/shared/proxyClient';

const REPO = path.resolve(__dirname, '../..');

export interface HarnessProcess {
  /** Base URL of the Grafana stand-in. */
  url: string;
  /** Base URL of the SimViz proxy behind the proxy-mode datasources. */
  proxyUrl: string;
  /** The example results' folder: the proxy serves it, and the `simviz-folder` datasource reads it. */
  examplesFolder: string;
  stop(): Promise<void>;
}

interface ReadyLine {
  harness: string;
  proxy: string;
  examples: string;
}

function readyLine(line: string): ReadyLine | undefined {
  if (!line.startsWith('{"harness":')) {
    return undefined;
  }
  return JSON.parse(line) as ReadyLine;
}

/** Starts tests/harness/server.ts on a free port, reading routes from src/ (no build needed). */
export function startHarness(): Promise<HarnessProcess> {
  const tsx = require.resolve('tsx/cli');
  const args = [tsx, path.join(REPO, 'tests/harness/server.ts'), '--port', '0', '--plugin-dir', 'src', '--no-build'];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const ready = readyLine(line);
      if (ready) {
        resolve({
          url: ready.harness,
          proxyUrl: ready.proxy,
          examplesFolder: ready.examples,
          stop: () =>
            new Promise<void>((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`the harness exited with code ${code} before it was ready`)));
  });
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A JSON request from the test process (jsdom has no fetch), e.g. to change the stand-in's settings; resolves to the status. */
export function sendJson(method: string, url: string, body: object): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(url, { method, headers: { 'content-type': 'application/json' } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    outgoing.on('error', reject);
    outgoing.end(JSON.stringify(body));
  });
}

/** A GET from the test process, e.g. straight to the proxy as an oracle; rejects unless 200. */
export function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => (response.statusCode === 200 ? resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T) : reject(new Error(`GET ${url}: ${response.statusCode}`))));
      })
      .on('error', reject);
  });
}

/**
 * The newest finished run matching a search, asked of the proxy itself (by file modification
 * time, which the generated examples do not fix): what "newest" queries must read.
 */
export async function newestRunName(harness: HarnessProcess, search: string): Promise<string> {
  const url = `${harness.proxyUrl}/api/v1/simulations?search=${encodeURIComponent(search)}&status=ok&sort=modifiedAt&order=desc&limit=1`;
  const page = await getJson<{ items: Array<{ name: string }> }>(url, { authorization: `Bearer ${HARNESS_API_KEY}` });
  return page.items[0].name;
}

/** Grafana's backendSrv.fetch over node:http (jsdom has no fetch): relative URLs go to `base`. */
export function httpFetcher(base: string): Fetcher {
  return {
    fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
      return new Observable((subscriber) => {
        const url = new URL(buildUrl(options), base);
        const body = options.data === undefined ? undefined : JSON.stringify(options.data);
        const headers = { ...(body ? { 'content-type': 'application/json' } : {}), ...(options.headers as Record<string, string> | undefined) };
        const request = http.request(
          url,
          { method: options.method ?? 'GET', headers },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => {
              const status = response.statusCode ?? 0;
              const bytes = Buffer.concat(chunks);
              // As Grafana's backendSrv: the bytes themselves when asked for, else JSON or text.
              const data = options.responseType === 'arraybuffer' ? bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) : parse(bytes.toString('utf8'));
              if (status >= 200 && status < 300) {
                subscriber.next({ data: data as T, status, statusText: response.statusMessage ?? '', ok: true, headers: {} as Headers, redirected: false, type: 'basic', url: url.href, config: options });
                subscriber.complete();
              } else {
                const error: FetchError = { status, statusText: response.statusMessage, data, config: options };
                subscriber.error(error);
              }
            });
          }
        );
        request.on('error', (error) => subscriber.error({ status: 0, statusText: error.message, data: undefined, config: options }));
        request.end(body);
        return () => request.destroy();
      });
    },
  };
}

/**
 * Makes the harness Grafana's backendSrv, as DataSourceWithBackend calls it (queries, health) and
 * the datasource's REST client (resources). Only fetch is used by the plugin's code paths.
 */
export function installHarnessBackendSrv(harness: HarnessProcess): void {
  setBackendSrv(httpFetcher(harness.url) as unknown as BackendSrv);
}

/** Instance settings as Grafana gives a SimViz datasource with proxy access. */
export function harnessInstanceSettings(uid: string, proxyUrl: string): DataSourceInstanceSettings<SimVizOptions> {
  return {
    uid,
    type: 'simviz-simulation-datasource',
    name: uid,
    url: `/api/datasources/proxy/uid/${uid}`,
    jsonData: { proxyUrl },
    meta: {} as DataSourceInstanceSettings['meta'],
    readOnly: false,
    access: 'proxy',
  } as DataSourceInstanceSettings<SimVizOptions>;
}

/**
 * A datasource as Grafana constructs it, talking to the harness: queries and Save & test through
 * /api/ds/query and the health API, REST calls through its resources. The settings the backend
 * uses are the stand-in's; `proxyUrl` is only what the browser would be told.
 */
export function harnessDatasource(
  harness: HarnessProcess,
  uid = 'simviz',
  proxyUrl = harness.proxyUrl,
  templateSrv: TemplateSrv = new HarnessTemplateSrv()
): DataSource {
  installHarnessBackendSrv(harness);
  return new DataSource(harnessInstanceSettings(uid, proxyUrl), undefined, templateSrv);
}

/**
 * Runs a request as Grafana's query runner does: the datasource's filterQuery drops what it
 * refuses (nothing is sent when nothing is left), then query() answers once.
 */
export async function runQueries(ds: DataSource, request: DataQueryRequest<SimVizQuery>): Promise<DataQueryResponse> {
  const targets = request.targets.filter((target) => ds.filterQuery(target));
  if (targets.length === 0) {
    return { data: [] };
  }
  return lastValueFrom(ds.query({ ...request, targets }));
}
