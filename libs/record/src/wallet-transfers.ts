import type { EntityManager } from 'typeorm';

/** The fixed list of relations a time-bank transfer names (the recipient must be a resident account). */
export const RELATIVE_RELATIONS = ['配偶', '父母', '子女', '兄弟姐妹', '祖父母', '外祖父母', '其他亲属'] as const;
export type RelativeRelation = (typeof RELATIVE_RELATIONS)[number];

/**
 * Row locks on wallet accounts, always in the order of their ids: two transactions that each need
 * the same two accounts (A→B and B→A at the same moment) then queue on the first instead of each
 * holding one and waiting for the other (a deadlock, which Postgres ends by failing one of them).
 */
export async function lockInOrder(m: Pick<EntityManager, 'query'>, accountIds: string[]): Promise<void> {
  for (const id of [...new Set(accountIds)].sort()) await m.query(`SELECT id FROM wallet_accounts WHERE id = $1 FOR UPDATE`, [id]);
}
