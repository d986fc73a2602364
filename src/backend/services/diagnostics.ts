/** pluginv2.Diagnostics: CheckHealth (Save & test) and CollectMetrics. */
import type { handleUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { TestDataSourceResponse } from '@grafana/data';
import type { Logger } from 'pino';
import { register } from 'prom-client';

import { messageOf } from '../../shared/proxyClient';
import type { Instances } from '../connection/instances';
import type { CheckHealthRequestMessage, CheckHealthResponseMessage } from '../grpc/messages';

/** Settings problems are phrased as clauses ("set the folder ... first"); Save & test shows a sentence. */
function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function toHealth(answer: TestDataSourceResponse): CheckHealthResponseMessage {
  const details = answer.details === undefined ? new Uint8Array() : new TextEncoder().encode(JSON.stringify(answer.details));
  return { status: answer.status === 'success' ? 'OK' : 'ERROR', message: answer.message, jsonDetails: details };
}

export function diagnosticsService(instances: Instances, logger: Logger): UntypedServiceImplementation {
  const checkHealth: handleUnaryCall<CheckHealthRequestMessage, CheckHealthResponseMessage> = (call, callback) => {
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort());
    instances
      .get(call.request.pluginContext)
      .then((instance) => instance.health(abort.signal))
      .then(toHealth, (error: unknown) => toHealth({ status: 'error', message: sentence(messageOf(error)) }))
      .then((answer) => callback(null, answer))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'CheckHealth failed');
        callback(null, toHealth({ status: 'error', message: `the health check failed: ${messageOf(error)}` }));
      });
  };
  const collectMetrics: handleUnaryCall<CheckHealthRequestMessage, { metrics: { prometheus: Uint8Array } }> = (call, callback) => {
    const own = call.request.pluginContext?.dataSourceInstanceSettings
      ? instances.get(call.request.pluginContext).then((instance) => instance.metrics(), () => '')
      : Promise.resolve('');
    Promise.all([register.metrics(), own])
      .then((texts) => callback(null, { metrics: { prometheus: new TextEncoder().encode(texts.filter(Boolean).join('\n')) } }))
      .catch((error: unknown) => callback(null, { metrics: { prometheus: new TextEncoder().encode(`# ${messageOf(error)}\n`) } }));
  };
  return { CheckHealth: checkHealth, CollectMetrics: collectMetrics };
}
