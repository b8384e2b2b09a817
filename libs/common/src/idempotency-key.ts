import { DomainException } from './domain.exception';

/** An `Idempotency-Key` header: 8–128 characters of [A-Za-z0-9_.:-] (POST /orders, redemptions). */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

/** The header's value when absent or well-formed; otherwise 400 VALIDATION_FAILED naming the header. */
export function checkIdempotencyKey(key: string | undefined): string | undefined {
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw DomainException.validation([{ field: 'Idempotency-Key', messages: ['must be 8–128 characters of [A-Za-z0-9_.:-]'] }]);
  }
  return key;
}
