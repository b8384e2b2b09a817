import { ERROR_MESSAGES, ErrorCode } from './error-code';

export interface FieldError {
  field: string;
  messages: string[];
}

/**
 * The one exception domain code throws. The global filter turns it into the error body (docs/api.md):
 * `{ statusCode, error, message, code, fields? }`.
 */
export class DomainException extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message?: string,
    readonly fields?: FieldError[],
    readonly details?: Record<string, unknown>,
  ) {
    super(message ?? ERROR_MESSAGES[code]);
  }

  static validation(fields: FieldError[], message?: string): DomainException {
    return new DomainException(ErrorCode.ValidationFailed, 400, message, fields);
  }
  static notFound(code: ErrorCode, message?: string): DomainException {
    return new DomainException(code, 404, message);
  }
  static conflict(code: ErrorCode, message?: string, details?: Record<string, unknown>): DomainException {
    return new DomainException(code, 409, message, undefined, details);
  }
  static forbidden(message?: string): DomainException {
    return new DomainException(ErrorCode.Forbidden, 403, message);
  }
  static unauthenticated(message?: string, details?: Record<string, unknown>): DomainException {
    return new DomainException(ErrorCode.Unauthenticated, 401, message, undefined, details);
  }
  /** 429 with `retryAfterSeconds` in the body; the filter adds the `Retry-After` header. */
  static tooManyRequests(code: ErrorCode, retryAfterSeconds: number, message?: string): DomainException {
    return new DomainException(code, 429, message, undefined, { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) });
  }
}
