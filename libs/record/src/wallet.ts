import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DomainException, ErrorCode } from '@xinyuan/common';
import { updateReturning } from './record-sql';
import { packOf, pointsFor, RulePack, RulePacks } from './rule-packs';

export * from './rule-packs';

/**
 * Points (积分) and the time bank (时间银行) by rule pack, double-entry: every movement is one
 * `wallet_movements` row debiting one account and crediting another with the same amount, and both
 * balances change in the same transaction. A person's balance never goes negative: the debit is a
 * conditional update (`balance >= amount`) on the locked account, backed by a CHECK.
 */

export async function packForRegion(m: EntityManager, rules: RulePacks, regionId: string | null): Promise<{ name: string; pack: RulePack }> {
  if (!regionId) return packOf(rules, []);
  const path: { id: string; name: string }[] = await m.query(
    `SELECT p.id, p.name FROM regions r CROSS JOIN LATERAL unnest(r.path) WITH ORDINALITY AS x(id, n) JOIN regions p ON p.id = x.id
      WHERE r.id = $1 ORDER BY x.n`,
    [regionId],
  );
  return packOf(rules, path);
}

/** The region a volunteer belongs to (their first team's), for their pack. */
export async function volunteerRegion(m: EntityManager, userId: string): Promise<string | null> {
  const [row] = await m.query(
    `SELECT t.region_id FROM team_members tm JOIN teams t ON t.id = tm.team_id WHERE tm.user_id = $1 ORDER BY tm.joined_at LIMIT 1`,
    [userId],
  );
  return row?.region_id ?? null;
}

export type PersonalAccount = 'points' | 'time_bank';
export type SystemAccount = 'points_issued' | 'points_redeemed' | 'points_expired' | 'time_issued' | 'time_pool' | 'time_drawn';

/** A person's account, created on first use; `lock` takes its row lock (FOR UPDATE). */
export async function personalAccount(m: EntityManager, ownerId: string, kind: PersonalAccount, lock = false): Promise<{ id: string; balance: number }> {
  await m.query(`INSERT INTO wallet_accounts (owner_id, kind) VALUES ($1, $2) ON CONFLICT (owner_id, kind) WHERE owner_id IS NOT NULL DO NOTHING`, [ownerId, kind]);
  const [row] = await m.query(`SELECT id, balance FROM wallet_accounts WHERE owner_id = $1 AND kind = $2 ${lock ? 'FOR UPDATE' : ''}`, [ownerId, kind]);
  return { id: row.id, balance: Number(row.balance) };
}

export async function systemAccount(m: EntityManager, kind: SystemAccount): Promise<string> {
  const [row] = await m.query(`SELECT id FROM wallet_accounts WHERE owner_id IS NULL AND kind = $1`, [kind]);
  return row.id;
}

/**
 * One movement: debit one account, credit another, one row. A person's account is debited only
 * while it covers the amount (else 409 INSUFFICIENT_BALANCE); system accounts may go below zero
 * (they are where points come from).
 */
export async function move(
  m: EntityManager,
  input: { type: 'earn' | 'redeem' | 'expire' | 'bank' | 'transfer' | 'donate' | 'correct' | 'draw'; debit: string; credit: string; amount: number; ref?: string | null; actorId?: string | null },
): Promise<void> {
  if (!(input.amount > 0)) return;
  const debited = await updateReturning(m,
    `UPDATE wallet_accounts SET balance = balance - $2 WHERE id = $1 AND (owner_id IS NULL OR balance >= $2) RETURNING id`,
    [input.debit, input.amount],
  );
  if (!debited.length) throw DomainException.conflict(ErrorCode.InsufficientBalance);
  await m.query(`UPDATE wallet_accounts SET balance = balance + $2 WHERE id = $1`, [input.credit, input.amount]);
  await m.query(
    `INSERT INTO wallet_movements (type, debit_account, credit_account, amount, ref, actor_id) VALUES ($1, $2, $3, $4, $5, $6)`,
    [input.type, input.debit, input.credit, input.amount, input.ref ?? null, input.actorId ?? null],
  );
}

/**
 * A verified credit earns points (by its region's pack, within the daily cap; a lot that expires
 * after `expiryDays`) and banks its minutes in the time bank.
 */
export async function earnForCredit(
  m: EntityManager,
  rules: RulePacks,
  timeZone: string,
  credit: { id: string; volunteer_id: string; minutes: number; region_id: string | null },
): Promise<void> {
  const { pack } = await packForRegion(m, rules, credit.region_id);
  const points = await personalAccount(m, credit.volunteer_id, 'points', true);
  const [{ today }] = await m.query(
    `SELECT COALESCE(sum(amount), 0)::int AS today FROM wallet_movements
      WHERE type = 'earn' AND credit_account = $1 AND (at AT TIME ZONE $2)::date = (now() AT TIME ZONE $2)::date`,
    [points.id, timeZone],
  );
  const earned = pointsFor(credit.minutes, pack, today);
  if (earned > 0) {
    await move(m, { type: 'earn', debit: await systemAccount(m, 'points_issued'), credit: points.id, amount: earned, ref: `credit:${credit.id}` });
    await m.query(
      `INSERT INTO point_lots (account_id, amount, remaining, earned_at, expires_at, credit_id)
       VALUES ($1, $2, $2, now(), now() + make_interval(days => $3), $4)`,
      [points.id, earned, pack.expiryDays, credit.id],
    );
  }
  if (credit.minutes > 0) {
    const bank = await personalAccount(m, credit.volunteer_id, 'time_bank');
    await move(m, { type: 'bank', debit: await systemAccount(m, 'time_issued'), credit: bank.id, amount: credit.minutes, ref: `credit:${credit.id}` });
  }
}

/**
 * A ledger correction of a credited entry corrects what the credit earned: the points (by the pack
 * of the credit's region, as if earned with the corrected minutes, never more than the daily cap
 * allowed at first) and the banked minutes, by `correct` movements referring to the credit. What
 * was already spent cannot be taken back: a reversal takes at most the balance (never negative).
 */
export async function correctForCredit(
  m: EntityManager,
  rules: RulePacks,
  credit: { id: string; volunteer_id: string; region_id: string | null },
  fromMinutes: number,
  toMinutes: number,
  actorId: string | null,
): Promise<void> {
  if (fromMinutes === toMinutes) return;
  const { pack } = await packForRegion(m, rules, credit.region_id);
  const ref = `credit:${credit.id}`;
  const points = await personalAccount(m, credit.volunteer_id, 'points', true);
  // what the credit holds now: earned + corrections in − corrections out
  const [{ held }] = await m.query(
    `SELECT COALESCE(sum(CASE WHEN credit_account = $1 THEN amount ELSE -amount END), 0)::int AS held
       FROM wallet_movements WHERE ref = $2 AND type IN ('earn', 'correct') AND (credit_account = $1 OR debit_account = $1)`,
    [points.id, ref],
  );
  const [{ earned }] = await m.query(`SELECT COALESCE(sum(amount), 0)::int AS earned FROM wallet_movements WHERE ref = $2 AND type = 'earn' AND credit_account = $1`, [points.id, ref]);
  // the first earning was capped by the day's allowance: scale the corrected amount the same way
  const [original] = await m.query(`SELECT minutes FROM service_credits WHERE id = $1`, [credit.id]);
  const uncapped = pointsFor(Number(original?.minutes ?? fromMinutes), { ...pack, dailyCap: Number.MAX_SAFE_INTEGER }, 0);
  const ratio = uncapped > 0 ? Math.min(1, earned / uncapped) : 1;
  const target = Math.floor(pointsFor(toMinutes, { ...pack, dailyCap: Number.MAX_SAFE_INTEGER }, 0) * ratio);
  if (target < held) {
    const take = Math.min(held - target, points.balance);
    if (take > 0) {
      // from the credit's own lot first, then the lots that expire first
      const [lot] = await m.query(`SELECT id, remaining FROM point_lots WHERE credit_id = $1 FOR UPDATE`, [credit.id]);
      const fromLot = Math.min(take, lot ? Number(lot.remaining) : 0);
      if (fromLot > 0) await m.query(`UPDATE point_lots SET remaining = remaining - $2 WHERE id = $1`, [lot.id, fromLot]);
      if (take > fromLot) await consumeLots(m, points.id, take - fromLot);
      await move(m, { type: 'correct', debit: points.id, credit: await systemAccount(m, 'points_issued'), amount: take, ref, actorId });
    }
  } else if (target > held) {
    await move(m, { type: 'correct', debit: await systemAccount(m, 'points_issued'), credit: points.id, amount: target - held, ref, actorId });
    await m.query(
      `INSERT INTO point_lots (account_id, amount, remaining, earned_at, expires_at) VALUES ($1, $2, $2, now(), now() + make_interval(days => $3))`,
      [points.id, target - held, pack.expiryDays],
    );
  }
  const bank = await personalAccount(m, credit.volunteer_id, 'time_bank', true);
  const delta = toMinutes - fromMinutes;
  if (delta > 0) await move(m, { type: 'correct', debit: await systemAccount(m, 'time_issued'), credit: bank.id, amount: delta, ref, actorId });
  else {
    const take = Math.min(-delta, bank.balance);
    if (take > 0) await move(m, { type: 'correct', debit: bank.id, credit: await systemAccount(m, 'time_issued'), amount: take, ref, actorId });
  }
}

/** Lots whose time has come (by the caller's clock) expire: one `expire` movement for their remainder. */
export async function expireLapsed(m: EntityManager, accountId: string, now: Date): Promise<number> {
  const lapsed = await updateReturning<{ remaining_before: number }>(m,
    `UPDATE point_lots l SET remaining = 0 FROM (SELECT id, remaining FROM point_lots WHERE account_id = $1 AND remaining > 0 AND expires_at <= $2 FOR UPDATE) x
      WHERE l.id = x.id RETURNING x.remaining AS remaining_before`,
    [accountId, now],
  );
  const total = lapsed.reduce((s, r) => s + Number(r.remaining_before), 0);
  if (total > 0) await move(m, { type: 'expire', debit: accountId, credit: await systemAccount(m, 'points_expired'), amount: total, ref: 'expiry' });
  return total;
}

/** Spends points from the lots that expire first. */
export async function consumeLots(m: EntityManager, accountId: string, amount: number): Promise<void> {
  let left = amount;
  const lots: { id: string; remaining: number }[] = await m.query(
    `SELECT id, remaining FROM point_lots WHERE account_id = $1 AND remaining > 0 ORDER BY expires_at, id FOR UPDATE`,
    [accountId],
  );
  for (const lot of lots) {
    if (left <= 0) break;
    const take = Math.min(lot.remaining, left);
    await m.query(`UPDATE point_lots SET remaining = remaining - $2 WHERE id = $1`, [lot.id, take]);
    left -= take;
  }
}

const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export function pickupCode(): string {
  return [...randomBytes(8)].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
}
