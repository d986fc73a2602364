import type { FastifyError } from 'fastify';

import type { ErrorBody } from '../../shared/api';
import type { App } from './app';

/** An error with the HTTP status and the stable code clients see. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string
  ) {
    super(message);
  }
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

const CODES_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
};

/**
 * Every failure leaves as `{"error":{"code","message"}}` with its status. Client errors keep their
 * message; server errors are logged with their stack and answered with a generic message.
 */
export function installErrorHandlers(app: App): void {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) {
      return reply.status(error.statusCode).send(errorBody(error.code, error.message));
    }
    const status = error.statusCode ?? 500;
    if (error.validation) {
      return reply.status(400).send(errorBody('bad_request', error.message));
    }
    if (status >= 400 && status < 500) {
      return reply.status(status).send(errorBody(CODES_BY_STATUS[status] ?? 'bad_request', error.message));
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send(errorBody('internal', 'internal error; the proxy log has the details'));
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}
