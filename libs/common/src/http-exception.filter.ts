import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DomainException } from './domain.exception';
import { ERROR_MESSAGES, ErrorCode } from './error-code';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code: string;
  fields?: { field: string; messages: string[] }[];
  correlationId?: string;
  [extra: string]: unknown;
}

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.ValidationFailed,
  401: ErrorCode.Unauthenticated,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  408: ErrorCode.RequestTimeout,
  413: ErrorCode.PayloadTooLarge,
  414: ErrorCode.UriTooLong,
  415: ErrorCode.UnsupportedMediaType,
  429: ErrorCode.RateLimited,
};

/** Errors raised by Fastify itself before a route runs (body parsing, content type, size). */
function fromFastifyError(err: { code?: string; statusCode?: number; message?: string }): ErrorBody | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return body(400, ErrorCode.MalformedJson);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return body(413, ErrorCode.PayloadTooLarge);
    case 'FST_ERR_BAD_URL':
      return body(400, ErrorCode.MalformedUrl);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return body(414, ErrorCode.UriTooLong);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return body(415, ErrorCode.UnsupportedMediaType);
  }
  if (err instanceof SyntaxError && (err as { statusCode?: number }).statusCode === 400) return body(400, ErrorCode.MalformedJson);
  return undefined;
}

function body(status: number, code: ErrorCode, message?: string): ErrorBody {
  return { statusCode: status, error: REASON[status] ?? 'Error', message: message ?? ERROR_MESSAGES[code], code };
}

export function toErrorBody(exception: unknown): { body: ErrorBody; unexpected: boolean } {
  if (exception instanceof DomainException) {
    const b = body(exception.status, exception.code, exception.message);
    if (exception.fields) b.fields = exception.fields;
    if (exception.details) Object.assign(b, exception.details);
    return { body: b, unexpected: false };
  }
  if (isDatabaseUnavailable(exception)) {
    // a failover or restart: the request did not commit; the client may retry (idempotency keys make that safe)
    return { body: { ...body(503, ErrorCode.DatabaseUnavailable), retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS }, unexpected: true };
  }
  const fastify = fromFastifyError(exception as { code?: string; statusCode?: number });
  if (fastify) return { body: fastify, unexpected: false };
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code = CODE_BY_STATUS[status];
    if (status < 500) {
      return { body: body(status, code ?? ErrorCode.NotFound, code ? undefined : exception.message), unexpected: false };
    }
  }
  const status = (exception as { statusCode?: number })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = CODE_BY_STATUS[status] ?? ErrorCode.ValidationFailed;
    return { body: body(status, code), unexpected: false };
  }
  return { body: body(HttpStatus.INTERNAL_SERVER_ERROR, ErrorCode.InternalError), unexpected: true };
}

const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * SQLSTATEs of a server going away or refusing connections, of writing to a demoted primary, and
 * PgBouncer's own refusals (08P01: its server connection crashed, login retry, query wait timeout).
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '08P01', '25006']);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/, /timeout exceeded when trying to connect/, /Client has encountered a connection error/,
  /Connection is not established/, /Client was closed and is not queryable/, /server conn crashed/, /server closed the connection unexpectedly/,
];

/**
 * True for errors that mean "the database cannot be reached right now" (restart, failover, network),
 * as opposed to a bug: those answer 503 with Retry-After instead of 500.
 */
export function isDatabaseUnavailable(exception: unknown): boolean {
  const candidates = [exception, (exception as { driverError?: unknown })?.driverError].filter(Boolean) as { code?: unknown; message?: unknown }[];
  return candidates.some((e) => {
    if (typeof e.code === 'string' && (UNAVAILABLE_SQLSTATES.has(e.code) || UNAVAILABLE_NODE_CODES.has(e.code))) return true;
    return typeof e.message === 'string' && UNAVAILABLE_MESSAGES.some((re) => re.test(e.message as string));
  });
}

/**
 * One filter for every app: known errors become the API.md error body; anything else becomes a
 * generic 500 with a correlation id that is also logged, so no stack trace or SQL ever leaks.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse();
    const request = host.switchToHttp().getRequest();
    const { body: errorBody, unexpected } = toErrorBody(exception);
    // 429 / 503 answers that say when to come back carry it as a header too (RFC 9110 Retry-After)
    if (typeof errorBody.retryAfterSeconds === 'number') reply.header('Retry-After', String(Math.max(1, Math.ceil(errorBody.retryAfterSeconds))));
    if (unexpected) {
      errorBody.correlationId = randomUUID();
      this.logger.error(
        `${request?.method} ${request?.url} failed [${errorBody.correlationId}]`,
        exception instanceof Error ? exception.stack : String(exception),
      );
    }
    reply.status(errorBody.statusCode).send(errorBody);
  }
}
