/**
 * Test support for the datasource and app code under jsdom: the harness server (a Grafana
 * stand-in whose data proxy applies the plugin.json routes) in front of a real SimViz proxy, both
 * in child processes, and a backendSrv-style fetcher that talks to it over real HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';

import type { DataSourceInstanceSettings } from '@grafana/data';
import type { BackendSrvRequest, FetchError, FetchResponse, TemplateSrv } from '@grafana/runtime';
import { Observable } from 'rxjs';

import { buildUrl, HarnessTemplateSrv } from '../harness/host/services';
import { DataSource } from '../../src/datasource/datasource';
import { PROXY_ROUTE, type SimVizOptions } from '../../src/datasource/types';
import { ProxyClient, type Fetcher } from '../../src/shared/proxyClient';

const REPO = path.resolve(__dirname, '../..');

export interface HarnessProcess {
  /** Base URL of the Grafana stand-in. */
  url: string;
  /** Base URL of the SimViz proxy behind it. */
  proxyUrl: string;
  stop(): Promise<void>;
}

/** Starts tests/harness/server.ts on a free port, reading routes from src/ (no build needed). */
export function startHarness(): Promise<HarnessProcess> {
  const tsx = require.resolve('tsx/cli');
  const args = [tsx, path.join(REPO, 'tests/harness/server.ts'), '--port', '0', '--plugin-dir', 'src', '--no-build'];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const ready = /^\{"harness":"([^"]+)","proxy":"([^"]+)"\}$/.exec(line);
      if (ready) {
        resolve({
          url: ready[1],
          proxyUrl: ready[2],
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

/** A datasource as Grafana constructs it, talking to the harness through its data-proxy route. */
export function harnessDatasource(
  harness: HarnessProcess,
  uid = 'simviz',
  proxyUrl = harness.proxyUrl,
  templateSrv: TemplateSrv = new HarnessTemplateSrv()
): DataSource {
  const settings = harnessInstanceSettings(uid, proxyUrl);
  return new DataSource(settings, new ProxyClient(`${settings.url}/${PROXY_ROUTE}`, httpFetcher(harness.url)), templateSrv);
}
