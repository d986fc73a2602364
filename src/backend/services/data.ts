/** pluginv2.Data: QueryData, cancelled with the host's request. */
import { status, type handleUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';

import { messageOf } from '../../shared/proxyClient';
import type { Instances } from '../connection/instances';
import type { DataResponseMessage, QueryDataRequestMessage, QueryDataResponseMessage } from '../grpc/messages';
import { queryData } from '../query/queryData';

/** Every query gets the same error when the datasource itself cannot be used (bad settings, missing folder). */
function allFailed(request: QueryDataRequestMessage, message: string): QueryDataResponseMessage {
  const failed: DataResponseMessage = { frames: [], error: message, status: 400, errorSource: 'plugin' };
  return { responses: Object.fromEntries(request.queries.map((query) => [query.refId, failed])) };
}

export function dataService(instances: Instances, logger: Logger): UntypedServiceImplementation {
  const handler: handleUnaryCall<QueryDataRequestMessage, QueryDataResponseMessage> = (call, callback) => {
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort(new Error('the request was cancelled')));
    const started = Date.now();
    instances
      .get(call.request.pluginContext)
      .then(
        (instance) => queryData(instance, call.request.queries, abort.signal, logger),
        (error: unknown) => allFailed(call.request, messageOf(error))
      )
      .then((response) => {
        logger.debug({ queries: call.request.queries.length, ms: Date.now() - started }, 'QueryData');
        callback(null, response);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'QueryData failed');
        callback({ code: status.INTERNAL, details: messageOf(error) });
      });
  };
  return { QueryData: handler };
}
