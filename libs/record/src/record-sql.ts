import type { EntityManager } from 'typeorm';

/** Rows of an UPDATE … RETURNING: TypeORM answers `[rows, affected]` for UPDATE/DELETE on Postgres. */
export async function updateReturning<T = any>(m: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const result = await m.query(sql, params);
  return Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number' ? result[0] : result;
}

