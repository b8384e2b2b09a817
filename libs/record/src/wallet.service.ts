import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { Clock, DomainException, ErrorCode, PiiCipher } from '@xinyuan/common';
import { MAINLAND_MOBILE, normalizePhone } from '@xinyuan/identity';
import { AppConfig } from '@xinyuan/config';
import type { AuthUser } from '@xinyuan/identity';
import { JurisdictionService } from '@xinyuan/org';
import { updateReturning } from './record-sql';
import { RedemptionCatalogueService } from './redemption-catalogue';
import { lockInOrder, RelativeRelation } from './wallet-transfers';
import {
  consumeLots, expireLapsed, mayDraw, move, packForRegion, parseRulePacks, personalAccount, pickupCode, RulePack, RulePacks, systemAccount, volunteerRegion,
} from './wallet';

export interface WalletView {
  /** Verified service minutes (permanent; the ledger's sum). */
  verifiedMinutes: number;
  /** Spendable points. */
  points: number;
  /** Banked time-bank minutes. */
  bankedMinutes: number;
  pack: { name: string } & RulePack;
  /** The soonest expiry of points still held, and how many then. */
  nextExpiry: { at: string; points: number } | null;
  movements: { id: string; type: string; account: 'points' | 'time_bank'; amount: number; at: string; ref: string | null }[];
}

export interface RedemptionView {
  id: string;
  /** The catalogue item (null for redemptions made before the catalogue). */
  itemId: string | null;
  /** The item's name when redeemed. */
  item: string;
  quantity: number;
  /** What it cost in all: the catalogue price times the quantity. */
  points: number;
  pickupCode: string;
  status: string;
  createdAt: string;
  collectedAt: string | null;
  balance?: number;
}

const toRedemption = (r: any, balance?: number): RedemptionView => ({
  id: r.id,
  itemId: r.item_id ?? null,
  item: r.item,
  quantity: Number(r.quantity ?? 1),
  points: r.points,
  pickupCode: r.pickup_code,
  status: r.status,
  createdAt: new Date(r.created_at).toISOString(),
  collectedAt: r.collected_at ? new Date(r.collected_at).toISOString() : null,
  ...(balance !== undefined ? { balance } : {}),
});

/**
 * The volunteer's wallet: hours (permanent), points (spendable, expiring by the pack) and banked
 * time, separately; 爱心超市 redemptions with a pickup code; time-bank transfers and donations as
 * the pack allows. Every change is one transaction on the locked account.
 */
export interface RelativeView {
  userId: string;
  name: string;
  relation: string;
}

@Injectable()
export class WalletService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdiction: JurisdictionService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly cipher: PiiCipher,
    private readonly catalogue: RedemptionCatalogueService,
  ) {}

  private get rules(): RulePacks {
    return parseRulePacks(this.config.RULE_PACKS, this.config.REGION_RULE_PACKS);
  }

  private async packOf(m: EntityManager, userId: string) {
    return packForRegion(m, this.rules, await volunteerRegion(m, userId));
  }

  async wallet(user: AuthUser): Promise<WalletView> {
    return this.dataSource.transaction(async (m) => {
      const points = await personalAccount(m, user.id, 'points', true);
      await expireLapsed(m, points.id, this.clock.now());
      const bank = await personalAccount(m, user.id, 'time_bank');
      const [balances] = await m.query(
        `SELECT (SELECT balance FROM wallet_accounts WHERE id = $1) AS points, (SELECT balance FROM wallet_accounts WHERE id = $2) AS banked,
                (SELECT COALESCE(sum(minutes), 0) FROM service_ledger WHERE volunteer_id = $3) AS verified`,
        [points.id, bank.id, user.id],
      );
      const [next] = await m.query(
        `SELECT expires_at, sum(remaining)::int AS points FROM point_lots WHERE account_id = $1 AND remaining > 0
          GROUP BY expires_at ORDER BY expires_at LIMIT 1`,
        [points.id],
      );
      const movements = await m.query(
        `SELECT id, type, amount, at, ref, CASE WHEN debit_account = $1 OR credit_account = $1 THEN 'points' ELSE 'time_bank' END AS account,
                (credit_account = $1 OR credit_account = $2) AS incoming
           FROM wallet_movements WHERE debit_account IN ($1, $2) OR credit_account IN ($1, $2) ORDER BY id DESC LIMIT 50`,
        [points.id, bank.id],
      );
      const { name, pack } = await this.packOf(m, user.id);
      return {
        verifiedMinutes: Number(balances.verified),
        points: Number(balances.points),
        bankedMinutes: Number(balances.banked),
        pack: { name, ...pack },
        nextExpiry: next ? { at: new Date(next.expires_at).toISOString(), points: next.points } : null,
        movements: movements.map((r: any) => ({
          id: String(r.id), type: r.type, account: r.account, amount: (r.incoming ? 1 : -1) * Number(r.amount), at: new Date(r.at).toISOString(), ref: r.ref,
        })),
      };
    });
  }

  /**
   * 爱心超市: a catalogue item of the volunteer's area, at the catalogue's price times the quantity;
   * the points are deducted at once (never below zero, even under concurrent requests); staff hand
   * over against the pickup code. With an `Idempotency-Key` the same key (and body) answers the
   * redemption it made (`replayed`), never a second debit; the same key with another body is 422.
   */
  async redeem(user: AuthUser, input: { itemId: string; quantity?: number }, idempotencyKey?: string): Promise<RedemptionView & { replayed?: boolean }> {
    const quantity = input.quantity ?? 1;
    const requestHash = idempotencyKey ? createHash('sha256').update(JSON.stringify({ itemId: input.itemId, quantity })).digest('hex') : null;
    const replay = () => (idempotencyKey ? this.replayRedemption(this.dataSource.manager, user.id, idempotencyKey, requestHash!) : Promise.resolve(undefined));
    const earlier = await replay();
    if (earlier) return earlier;
    const item = await this.catalogue.offeredItem(this.dataSource.manager, user.id, input.itemId);
    const price = item.points * quantity;
    // fast refusal without a lock (200 simultaneous requests must not queue on the row): a balance
    // already too low cannot cover it (expiry only lowers it further); the locked path decides the rest
    const [seen] = await this.dataSource.query(`SELECT balance FROM wallet_accounts WHERE owner_id = $1 AND kind = 'points'`, [user.id]);
    if (!seen || Number(seen.balance) < price) {
      // the same key's first request may have just spent the points: answer as it did
      const done = await replay();
      if (done) return done;
      throw DomainException.conflict(ErrorCode.InsufficientBalance);
    }
    try {
      return await this.dataSource.transaction(async (m) => {
        const account = await personalAccount(m, user.id, 'points', true);
        // requests of one volunteer queue on the account's lock: a same-key request that got here
        // second sees the first one's redemption (committed) and answers with it
        if (idempotencyKey) {
          const again = await this.replayRedemption(m, user.id, idempotencyKey, requestHash!);
          if (again) return again;
        }
        // the item as it is now (locked against a concurrent retirement or price change)
        const now = await this.catalogue.offeredItem(m, user.id, input.itemId, true);
        const cost = now.points * quantity;
        await expireLapsed(m, account.id, this.clock.now());
        await move(m, { type: 'redeem', debit: account.id, credit: await systemAccount(m, 'points_redeemed'), amount: cost, actorId: user.id, ref: `redeem:${now.id}` });
        await consumeLots(m, account.id, cost);
        const [row] = await m.query(
          `INSERT INTO redemptions (volunteer_id, item, points, pickup_code, region_id, item_id, quantity, idempotency_key, request_hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
          [user.id, now.name, cost, pickupCode(), await volunteerRegion(m, user.id), now.id, quantity, idempotencyKey ?? null, requestHash],
        );
        const [{ balance }] = await m.query(`SELECT balance FROM wallet_accounts WHERE id = $1`, [account.id]);
        return toRedemption(row, Number(balance));
      });
    } catch (e) {
      // the unique (volunteer, key) index is the last word should two same-key requests ever both get this far
      if (idempotencyKey && e instanceof QueryFailedError && (e.driverError as { code?: string })?.code === '23505') {
        const done = await replay();
        if (done) return done;
      }
      throw e;
    }
  }

  private async replayRedemption(m: EntityManager, userId: string, key: string, requestHash: string): Promise<(RedemptionView & { replayed: true }) | undefined> {
    const [row] = await m.query(`SELECT * FROM redemptions WHERE volunteer_id = $1 AND idempotency_key = $2`, [userId, key]);
    if (!row) return undefined;
    if (row.request_hash !== requestHash) {
      throw new DomainException(ErrorCode.IdempotencyKeyReused, 422, undefined, [{ field: 'Idempotency-Key', messages: ['this key was used for another redemption'] }]);
    }
    return { ...toRedemption(row), replayed: true };
  }

  async myRedemptions(user: AuthUser): Promise<RedemptionView[]> {
    const rows = await this.dataSource.query(`SELECT * FROM redemptions WHERE volunteer_id = $1 ORDER BY created_at DESC LIMIT 100`, [user.id]);
    return rows.map((r: any) => toRedemption(r));
  }

  /** Staff of the volunteer's jurisdiction hand the goods over: reserved → collected, once. */
  async collect(staff: AuthUser, code: string): Promise<RedemptionView> {
    return this.dataSource.transaction(async (m) => {
      const [row] = await m.query(`SELECT * FROM redemptions WHERE pickup_code = $1 FOR UPDATE`, [code]);
      if (!row || !(await this.jurisdiction.staffCovers(staff, row.region_id, m))) throw DomainException.notFound(ErrorCode.RedemptionNotFound);
      if (row.status === 'collected') throw DomainException.conflict(ErrorCode.RedemptionAlreadyCollected);
      const [done] = await updateReturning(m,
        `UPDATE redemptions SET status = 'collected', collected_at = now(), collected_by = $2 WHERE id = $1 RETURNING *`, [row.id, staff.id]);
      return toRedemption(done);
    });
  }

  /**
   * Banked minutes to a relative's time bank, when the volunteer's pack allows it. There is no
   * register of relatives: the recipient must be an active resident account, and the relation is
   * one of RELATIVE_RELATIONS (kept in the movement's ref). Both accounts are locked in the order
   * of their ids, so opposite transfers at the same moment queue instead of deadlocking.
   */
  async transfer(user: AuthUser, input: { toUserId: string; minutes: number; relation: RelativeRelation }): Promise<WalletView> {
    if (input.toUserId === user.id) throw DomainException.validation([{ field: 'toUserId', messages: ['cannot transfer to yourself'] }]);
    const { pack } = await this.packOf(this.dataSource.manager, user.id);
    if (!pack.transferToRelative) throw new DomainException(ErrorCode.TransferNotAllowed, 422, '本地的时间银行规则不允许把时间转给亲属');
    // a relative exists only when both have named each other (the recipient's naming is the confirmation);
    // one answer for "no such account", "disabled" and "not named": a volunteer learns nothing about other accounts
    const [both] = await this.dataSource.query(
      `SELECT 1 FROM time_bank_relatives a JOIN time_bank_relatives b ON b.owner_id = a.relative_id AND b.relative_id = a.owner_id
         JOIN users u ON u.id = a.relative_id AND u.disabled_at IS NULL
        WHERE a.owner_id = $1 AND a.relative_id = $2`,
      [user.id, input.toUserId],
    );
    if (!both) throw new DomainException(ErrorCode.NotARelative, 422, undefined, [{ field: 'toUserId', messages: ['not a confirmed relative'] }]);
    // both accounts exist before the transaction (each insert commits alone, so no insert waits inside it)
    const mine = await personalAccount(this.dataSource.manager, user.id, 'time_bank');
    const theirs = await personalAccount(this.dataSource.manager, input.toUserId, 'time_bank');
    await this.dataSource.transaction(async (m) => {
      // in id order: two opposite transfers at once wait for each other instead of deadlocking
      await lockInOrder(m, [mine.id, theirs.id]);
      await move(m, { type: 'transfer', debit: mine.id, credit: theirs.id, amount: input.minutes, actorId: user.id, ref: `relative:${input.relation}` });
    });
    return this.wallet(user);
  }

  /**
   * Names the account holding `phone` as a relative. The answer never says whether such an account
   * exists (no phone-number oracle): the relation shows up in the list, with the name, once the other
   * person has named the caller too.
   */
  async addRelative(user: AuthUser, input: { phone: string; relation: string }): Promise<{ relatives: RelativeView[] }> {
    const normal = normalizePhone(input.phone);
    if (!MAINLAND_MOBILE.test(normal)) throw DomainException.validation([{ field: 'phone', messages: ['phone must be a mainland mobile number'] }]);
    await this.dataSource.query(
      `INSERT INTO time_bank_relatives (owner_id, relative_id, relation)
       SELECT $1, u.id, $3 FROM users u WHERE u.phone_bidx = $2 AND u.id <> $1 AND u.disabled_at IS NULL
       ON CONFLICT (owner_id, relative_id) DO UPDATE SET relation = EXCLUDED.relation`,
      [user.id, this.cipher.blindIndex(normal), input.relation],
    );
    return { relatives: await this.relatives(user) };
  }

  /** The relatives both sides have named (a pending naming is not shown: it would reveal that the number has an account). */
  async relatives(user: AuthUser): Promise<RelativeView[]> {
    const rows = await this.dataSource.query(
      `SELECT a.relative_id, a.relation, u.name FROM time_bank_relatives a
         JOIN time_bank_relatives b ON b.owner_id = a.relative_id AND b.relative_id = a.owner_id
         JOIN users u ON u.id = a.relative_id
        WHERE a.owner_id = $1 ORDER BY a.created_at`,
      [user.id],
    );
    return rows.map((r: any) => ({ userId: r.relative_id, name: r.name, relation: r.relation }));
  }

  /**
   * Drawing care from the time bank for a person whose profile (一人一档) the caller recorded — themself
   * or a parent: their age band must start at or above the minimum age of the pack of the person's
   * region (else 422 DRAW_AGE_BELOW_MINIMUM); the minutes leave the caller's time bank at once.
   */
  async draw(user: AuthUser, input: { beneficiaryId: string; minutes: number }): Promise<WalletView> {
    await this.dataSource.transaction(async (m) => {
      const [person] = await m.query(
        `SELECT id, region_id, age_band FROM beneficiaries WHERE id = $1 AND created_by = $2 AND archived_at IS NULL`, [input.beneficiaryId, user.id]);
      if (!person) throw DomainException.notFound(ErrorCode.BeneficiaryNotFound);
      const { pack } = await packForRegion(m, this.rules, person.region_id);
      if (!mayDraw(person.age_band, pack)) {
        throw new DomainException(ErrorCode.DrawAgeBelowMinimum, 422, undefined, undefined, { minAgeToDraw: pack.minAgeToDraw, ageBand: person.age_band });
      }
      const mine = await personalAccount(m, user.id, 'time_bank', true);
      await move(m, { type: 'draw', debit: mine.id, credit: await systemAccount(m, 'time_drawn'), amount: input.minutes, actorId: user.id, ref: `beneficiary:${person.id}` });
    });
    return this.wallet(user);
  }

  /** Banked minutes to the common pool, when the pack allows it. */
  async donate(user: AuthUser, input: { minutes: number }): Promise<WalletView> {
    await this.dataSource.transaction(async (m) => {
      const { pack } = await this.packOf(m, user.id);
      if (!pack.donateToPool) throw new DomainException(ErrorCode.TransferNotAllowed, 422, '本地的时间银行规则不允许捐赠到公共时间池');
      const mine = await personalAccount(m, user.id, 'time_bank', true);
      await move(m, { type: 'donate', debit: mine.id, credit: await systemAccount(m, 'time_pool'), amount: input.minutes, actorId: user.id, ref: 'pool' });
    });
    return this.wallet(user);
  }
}
