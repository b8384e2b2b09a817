import { ArgumentMetadata, PipeTransform, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainException, FieldError } from './domain.exception';
import { memoizeValidationMetadata } from './validation-metadata-memo';

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) out.push({ field, messages: Object.values(e.constraints) });
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}

/** Strict validation for every body and query: unknown fields are rejected, each bad field is listed. */
export function createValidationPipe(): ValidationPipe {
  memoizeValidationMetadata();
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) => DomainException.validation(flatten(errors)),
  });
}

/**
 * PostgreSQL text cannot hold U+0000: a path parameter or query value carrying one (`%00`) would fail
 * its query with a 500. JSON bodies are checked as they are parsed (http-app); this pipe checks the
 * path and the query string of every route, before any other pipe.
 */
export class RefuseNulPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'param' && metadata.type !== 'query') return value;
    const field = nulField(value, metadata.data ?? metadata.type);
    if (field) throw DomainException.validation([{ field, messages: ['must not contain NUL (U+0000) characters'] }], '请求内容含有非法字符');
    return value;
  }
}

function nulField(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (const v of value) if (nulField(v, path)) return path;
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000')) return k.replace(/\u0000/g, '\\u0000');
      const found = nulField(v, k);
      if (found) return found;
    }
  }
  return undefined;
}
