import { ParseUUIDPipe } from '@nestjs/common';
import { DomainException } from './domain.exception';

/** `:id` path parameters must be UUIDs; anything else is a clean 400, never a database error. */
export const uuidParam = (field = 'id') =>
  new ParseUUIDPipe({
    exceptionFactory: () => DomainException.validation([{ field, messages: [`${field} must be a UUID`] }], 'ID 格式不正确'),
  });

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
