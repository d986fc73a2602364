/**
 * One datasource's connection, for one version of its settings: the SimViz proxy over HTTP, or a
 * folder on the Grafana server read by the engine in this process through the proxy's own REST
 * routes (so both modes run one API implementation).
 */
import type { Stats } from 'node:fs';
import { access, constants, mkdir, stat } from 'node:fs/promises';

import type { TestDataSourceResponse } from '@grafana/data';
import type { Logger } from 'pino';

import { testConnection } from '../../datasource/connection';
import { Catalog } from '../../engine/catalog/catalog';
import { PROXY_VERSION } from '../../engine/version';
import { parseRoots } from '../../proxy/config/config';
import type { App } from '../../proxy/http/app';
import { buildServer } from '../../proxy/http/server';
import { ProxyMetrics } from '../../proxy/metrics';
import { messageOf, ProxyClient } from '../../shared/proxyClient';
import type { BackendSettings, Connection } from '../settings';
import { compiledCheck } from './compiledCheck';
import { HttpUpstream } from './http';
import { InjectUpstream } from './inject';
import { upstreamFetcher, type RawRequest, type RawResponse, type Upstream } from './upstream';

/** How long a request waits for the first scan of a folder before it is answered from what is indexed so far. */
const FIRST_SCAN_WAIT_MS = 20_000;

export interface Instance {
  readonly settings: BackendSettings;
  readonly upstream: Upstream;
  /** How long one query may take in all (the proxy's timeout setting); undefined: no limit. */
  readonly deadlineMs: number | undefined;
  /** A REST client whose calls stop when `signal` aborts (a cancelled Grafana request). */
  client(signal?: AbortSignal): ProxyClient;
  /** `signal` aborts when Grafana gives up on the health check. */
  health(signal?: AbortSignal): Promise<TestDataSourceResponse>;
  /** Prometheus text of the instance's instruments (empty for a proxy: it has its own /metrics). */
  metrics(): Promise<string>;
  close(): Promise<void>;
}

/** Merges the caller's signal into each request. */
class SignalledUpstream implements Upstream {
  constructor(
    private readonly inner: Upstream,
    private readonly signal: AbortSignal
  ) {}

  get description(): string {
    return this.inner.description;
  }

  request(request: RawRequest): Promise<RawResponse> {
    const signal = request.signal ? AbortSignal.any([request.signal, this.signal]) : this.signal;
    return this.inner.request({ ...request, signal });
  }
}

function clientOver(upstream: Upstream, signal: AbortSignal | undefined): ProxyClient {
  return new ProxyClient('', upstreamFetcher(signal ? new SignalledUpstream(upstream, signal) : upstream), undefined, compiledCheck);
}

class ProxyInstance implements Instance {
  readonly upstream: Upstream;

  constructor(
    readonly settings: BackendSettings,
    private readonly connection: Extract<Connection, { mode: 'proxy' }>
  ) {
    this.upstream = new HttpUpstream(connection.proxyUrl, connection.apiKey, connection.timeoutMs);
    this.deadlineMs = connection.timeoutMs;
  }

  readonly deadlineMs: number;

  client(signal?: AbortSignal): ProxyClient {
    return clientOver(this.upstream, signal);
  }

  health(signal?: AbortSignal): Promise<TestDataSourceResponse> {
    const deadline = AbortSignal.timeout(this.connection.timeoutMs);
    return testConnection(this.client(signal ? AbortSignal.any([signal, deadline]) : deadline), this.connection.proxyUrl);
  }

  async metrics(): Promise<string> {
    return '';
  }

  async close(): Promise<void> {}
}

/** Waits for the first scan, at most FIRST_SCAN_WAIT_MS, before each request. */
class FolderUpstream implements Upstream {
  readonly description: string;
  private readonly inner: InjectUpstream;

  constructor(
    app: App,
    folder: string,
    private readonly scanned: Promise<void>
  ) {
    this.description = `the folder ${folder}`;
    this.inner = new InjectUpstream(app, this.description);
  }

  async request(request: RawRequest): Promise<RawResponse> {
    let timer: NodeJS.Timeout | undefined;
    const patience = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, FIRST_SCAN_WAIT_MS);
    });
    await Promise.race([this.scanned, patience]).finally(() => clearTimeout(timer));
    return this.inner.request(request);
  }
}

/**
 * The embedded API's logger. Fastify logs every request it is given twice at info ("incoming
 * request", "request completed"): for calls made in process that is two lines in Grafana's log per
 * panel query, and 0.5 ms of each query's time spent writing them. They stay at debug and trace;
 * at info the embedded API logs its warnings and errors only.
 */
function appLogger(logger: Logger): Logger {
  return logger.isLevelEnabled('debug') ? logger : logger.child({}, { level: logger.isLevelEnabled('warn') ? 'warn' : logger.level });
}

class FolderInstance implements Instance {
  readonly upstream: Upstream;
  readonly deadlineMs = undefined;
  private readonly app: App;
  private readonly catalog: Catalog;
  private readonly metricsSet = new ProxyMetrics();
  private readonly scanned: Promise<void>;
  private readonly folder: string;

  constructor(
    readonly settings: BackendSettings,
    private readonly connection: Extract<Connection, { mode: 'folder' }>,
    logger: Logger
  ) {
    const roots = parseRoots([connection.folder], 'the datasource setting "folder"');
    this.catalog = new Catalog(roots, logger, {
      decode: { cacheDir: connection.cacheFolder },
      indexDir: connection.cacheFolder,
      watch: { usePolling: false },
    });
    this.app = buildServer({ catalog: this.catalog, logger: appLogger(logger), apiKeys: [], metrics: this.metricsSet, inProcess: true });
    this.scanned = this.start(logger);
    this.upstream = new FolderUpstream(this.app, roots[0].path, this.scanned);
    this.folder = roots[0].path;
  }

  private async start(logger: Logger): Promise<void> {
    await mkdir(this.connection.cacheFolder, { recursive: true }).catch((error: unknown) =>
      logger.warn({ err: error, cacheFolder: this.connection.cacheFolder }, 'cannot create the cache folder; reads go uncached')
    );
    await this.app.ready();
    await this.catalog.start().catch((error: unknown) => logger.error({ err: error, folder: this.connection.folder }, 'the first scan of the folder failed'));
  }

  client(signal?: AbortSignal): ProxyClient {
    return clientOver(this.upstream, signal);
  }

  async health(): Promise<TestDataSourceResponse> {
    const problem = await folderProblem(this.connection.folder);
    if (problem) {
      return { status: 'error', message: problem };
    }
    await this.scanned;
    const count = this.catalog.size;
    return {
      status: 'success',
      message: `SimViz ${PROXY_VERSION} reads the folder ${this.folder} on the Grafana server: ${count} simulation${count === 1 ? '' : 's'}`,
    };
  }

  metrics(): Promise<string> {
    return this.metricsSet.registry.metrics();
  }

  async close(): Promise<void> {
    await this.scanned;
    await this.app.close();
    await this.catalog.close();
  }
}

/** The folder of a `NAME=/path` setting (the name only fixes the ids). */
function folderPath(setting: string): string {
  return setting.replace(/^[^=/]+=/, '');
}

/** Why the folder cannot be read, in words for Save & test; undefined when it can. */
export async function folderProblem(setting: string): Promise<string | undefined> {
  const folder = folderPath(setting);
  let info: Stats;
  try {
    info = await stat(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? `The folder ${folder} does not exist on the Grafana server`
      : `Cannot read the folder ${folder} on the Grafana server (${code ?? messageOf(error)})`;
  }
  if (!info.isDirectory()) {
    return `${folder} on the Grafana server is not a folder`;
  }
  const readable = await access(folder, constants.R_OK | constants.X_OK).then(
    () => true,
    () => false
  );
  return readable ? undefined : `The Grafana server's user may not read the folder ${folder}: give it read and list permission`;
}

export async function openInstance(settings: BackendSettings, logger: Logger): Promise<Instance> {
  const { connection } = settings;
  if (connection.mode === 'proxy') {
    return new ProxyInstance(settings, connection);
  }
  const problem = await folderProblem(connection.folder);
  if (problem) {
    throw new Error(problem);
  }
  return new FolderInstance(settings, connection, logger.child({ datasource: settings.uid }));
}
