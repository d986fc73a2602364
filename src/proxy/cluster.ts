/**
 * `--workers N`: the proxy in N processes sharing one port (node:cluster, round-robin), so a busy
 * proxy uses more than one core. The primary only supervises: it starts the workers, replaces
 * one that dies, forwards SIGTERM/SIGINT/SIGHUP, and answers the workers' requests for the
 * metrics of all of them, so /metrics reports the whole proxy whichever worker serves it.
 */
import cluster, { type Worker } from 'node:cluster';

import type { Logger } from 'pino';
import { AggregatorRegistry, type Registry } from 'prom-client';

const METRICS_REQUEST = 'simviz:metrics-request';
const METRICS_RESPONSE = 'simviz:metrics-response';
/** A worker that dies this soon after starting is failing to start, not crashing under load. */
const EARLY_EXIT_MS = 5000;
const MAX_EARLY_EXITS = 5;

interface MetricsRequest {
  type: typeof METRICS_REQUEST;
  id: number;
}

interface MetricsResponse {
  type: typeof METRICS_RESPONSE;
  id: number;
  body?: string;
  error?: string;
}

function isMessage<T extends { type: string }>(message: unknown, type: T['type']): message is T {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}

export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

/** In a worker: the registries the primary's aggregation reads, and a scrape of all workers. */
export function workerMetrics(registry: Registry): () => Promise<string> {
  // prom-client installs its answer to the primary's collection requests when an aggregator is made.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  let next = 0;
  const waiting = new Map<number, { resolve: (body: string) => void; reject: (error: Error) => void }>();
  process.on('message', (message: unknown) => {
    if (isMessage<MetricsResponse>(message, METRICS_RESPONSE)) {
      const pending = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.body !== undefined) {
        pending?.resolve(message.body);
      } else {
        pending?.reject(new Error(message.error ?? 'the primary could not collect the metrics'));
      }
    }
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      process.send?.({ type: METRICS_REQUEST, id } satisfies MetricsRequest);
    });
}

export interface PrimaryOptions {
  workers: number;
  shutdownTimeoutMs: number;
}

/** Runs the supervisor; resolves with the exit code once every worker has stopped. */
export function runPrimary(options: PrimaryOptions, logger: Logger): Promise<number> {
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  const earlyExits: number[] = [];
  const startedAt = new Map<Worker, number>();

  const answerMetrics = (worker: Worker, request: MetricsRequest) => {
    aggregator.clusterMetrics().then(
      (body) => worker.send({ type: METRICS_RESPONSE, id: request.id, body } satisfies MetricsResponse),
      (error: unknown) => worker.send({ type: METRICS_RESPONSE, id: request.id, error: String(error) } satisfies MetricsResponse)
    );
  };

  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
    worker.on('message', (message: unknown) => {
      if (isMessage<MetricsRequest>(message, METRICS_REQUEST)) {
        answerMetrics(worker, message);
      }
    });
  };

  return new Promise((resolve) => {
    let failed = false;
    cluster.on('exit', (worker, code, signal) => {
      const lived = Date.now() - (startedAt.get(worker) ?? 0);
      startedAt.delete(worker);
      if (stopping) {
        // A worker that could not finish its requests in time exits 1, and so does the proxy.
        failed ||= code !== 0;
        if (Object.keys(cluster.workers ?? {}).length === 0) {
          logger.info('shutdown complete: every worker stopped');
          resolve(failed ? 1 : 0);
        }
        return;
      }
      logger.error({ pid: worker.process.pid, code, signal, livedMs: lived }, 'worker stopped unexpectedly; starting another');
      if (lived < EARLY_EXIT_MS && earlyExits.push(Date.now()) >= MAX_EARLY_EXITS) {
        logger.fatal({ exits: earlyExits.length }, 'workers keep failing at start; giving up');
        stopping = true;
        failed = true;
        forEachWorker((w) => w.process.kill('SIGTERM'));
        return;
      }
      fork();
    });

    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        return;
      }
      stopping = true;
      logger.info({ signal }, 'shutdown: stopping the workers');
      forEachWorker((worker) => worker.process.kill('SIGTERM'));
      // Workers give in-flight requests shutdownTimeout; a worker that hangs beyond that is killed.
      setTimeout(() => forEachWorker((worker) => worker.process.kill('SIGKILL')), options.shutdownTimeoutMs + 2000).unref();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.on('SIGHUP', () => forEachWorker((worker) => worker.process.kill('SIGHUP')));

    logger.info({ workers: options.workers }, 'starting worker processes');
    for (let i = 0; i < options.workers; i++) {
      fork();
    }
  });
}

function forEachWorker(action: (worker: Worker) => void): void {
  for (const worker of Object.values(cluster.workers ?? {})) {
    if (worker) {
      action(worker);
    }
  }
}
