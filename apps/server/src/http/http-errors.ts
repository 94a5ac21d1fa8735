/**
 * One error shape for every HTTP answer: `{ error: { code, message } }`. Codes are stable,
 * machine-readable values; messages say what was wrong in English for whoever reads the log or
 * the network panel (the shell localizes what it shows to users).
 */
import type { ApiErrorCode } from '@parley/contracts';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string };
}

/** Builds an error body. */
export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** Sends an error response with the given status; its code is one the apps know (API_ERROR_CODES). */
export function sendError(reply: FastifyReply, status: number, code: ApiErrorCode, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(errorBody(code, message));
}

/** Codes for Fastify's own client errors, so callers need not know Fastify's names. */
const FASTIFY_CODES: Record<string, ApiErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_BAD_URL: 'bad_url',
};

/**
 * Makes a Fastify instance answer unknown routes, malformed requests and unexpected failures in
 * the shared shape. Server faults are logged and answered without details, which could leak state.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    sendError(reply, 404, 'not_found', `No route for ${request.method} ${request.url.split('?')[0]}`);
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    handleError(error, request, reply);
  });
}

/** For Fastify's `frameworkErrors` option: errors raised before routing (e.g. a malformed URL). */
export function handleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  handleError(error, request, reply);
}

function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
  if (status >= 500) {
    request.log.error({ err: error }, 'request failed');
    sendError(reply, status, 'internal', 'The server failed to handle this request; see its log.');
    return;
  }
  const code = FASTIFY_CODES[error.code] ?? (status === 404 ? 'not_found' : 'bad_request');
  // A SyntaxError's message quotes the body it failed on; answer with Fastify's generic text instead.
  const message = error instanceof SyntaxError ? 'The request body is not valid JSON.' : error.message;
  sendError(reply, status, code, message);
}
