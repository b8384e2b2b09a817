import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { isRealTimestamp } from './calendar';
import { DomainException } from './domain.exception';
import { UUID_RE } from './uuid';

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'opaque cursor from a previous page' })
  @IsOptional()
  @IsString()
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Keyset cursor over (timestamp, id): stable under inserts, no OFFSET scans. */
export interface KeysetCursor {
  at: string;
  id: string;
}

export function encodeCursor(cursor: KeysetCursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString('base64url');
}

export function decodeCursor(raw: string | undefined): KeysetCursor | undefined {
  if (!raw) return undefined;
  try {
    const [at, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    // both go into SQL as parameters: a timestamp Postgres would refuse, or a non-UUID, is the client's error
    if (typeof at === 'string' && typeof id === 'string' && isRealTimestamp(at) && UUID_RE.test(id)) return { at, id };
  } catch {
    // fall through to the validation error below
  }
  throw DomainException.validation([{ field: 'cursor', messages: ['cursor is invalid'] }], '分页游标无效');
}

export function pageLimit(query: PageQuery): number {
  return query.limit ?? 20;
}

/** Given rows fetched with limit + 1, cut the page and compute the next cursor. */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => KeysetCursor): Page<T> {
  const items = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? encodeCursor(keyOf(items[items.length - 1])) : null;
  return { items, nextCursor };
}
