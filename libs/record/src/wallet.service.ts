import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, DomainException, ErrorCode, PiiCipher } from '@xinyuan/common';
import { MAINLAND_MOBILE, normalizePhone } from '@xinyuan/identity';
import { AppConfig } from '@xinyuan/config';
import type { AuthUser } from '@xinyuan/identity';
import { JurisdictionService } from '@xinyuan/org';
import { updateReturning } from './record-sql';
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
  item: string;
  points: number;
  pickupCode: string;
  status: string;
  createdAt: string;
  collectedAt: string | null;
  balance?: number;
}

const toRedemption = (r: any, balance?: number): RedemptionView => ({
  id: r.id,
  item: r.item,
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

  /** 爱心超市: the points are deducted at once (never below zero, even under concurrent requests); staff hand over against the pickup code. */
  async redeem(user: AuthUser, input: { item: string; points: number }): Promise<RedemptionView> {
    // fast refusal without a lock (200 simultaneous requests must not queue on the row): a balance
    // already too low cannot cover it (expiry only lowers it further); the locked path decides the rest
    const [seen] = await this.dataSource.query(`SELECT balance FROM wallet_accounts WHERE owner_id = $1 AND kind = 'points'`, [user.id]);
    if (!seen || Number(seen.balance) < input.points) throw DomainException.conflict(ErrorCode.InsufficientBalance);
    return this.dataSource.transaction(async (m) => {
      const account = await personalAccount(m, user.id, 'points', true);
      await expireLapsed(m, account.id, this.clock.now());
      await move(m, { type: 'redeem', debit: account.id, credit: await systemAccount(m, 'points_redeemed'), amount: input.points, actorId: user.id, ref: `redeem:${input.item}` });
      await consumeLots(m, account.id, input.points);
      const [row] = await m.query(
        `INSERT INTO redemptions (volunteer_id, item, points, pickup_code, region_id) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [user.id, input.item, input.points, pickupCode(), await volunteerRegion(m, user.id)],
      );
      const [{ balance }] = await m.query(`SELECT balance FROM wallet_accounts WHERE id = $1`, [account.id]);
      return toRedemption(row, Number(balance));
    });
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

  /** Banked minutes to a relative's time bank, when the volunteer's pack allows it. */
  async transfer(user: AuthUser, input: { toUserId: string; minutes: number; relation: string }): Promise<WalletView> {
    await this.dataSource.transaction(async (m) => {
      const { pack } = await this.packOf(m, user.id);
      if (!pack.transferToRelative) throw new DomainException(ErrorCode.TransferNotAllowed, 422, '本地的时间银行规则不允许把时间转给亲属');
      if (input.toUserId === user.id) throw DomainException.validation([{ field: 'toUserId', messages: ['cannot transfer to yourself'] }]);
      const [target] = await m.query(`SELECT id FROM users WHERE id = $1 AND disabled_at IS NULL`, [input.toUserId]);
      if (!target) throw DomainException.notFound(ErrorCode.UserNotFound);
      // the relation exists only when both have named each other (the recipient's naming is the confirmation)
      const [both] = await m.query(
        `SELECT 1 FROM time_bank_relatives a JOIN time_bank_relatives b ON b.owner_id = a.relative_id AND b.relative_id = a.owner_id
          WHERE a.owner_id = $1 AND a.relative_id = $2`,
        [user.id, input.toUserId],
      );
      if (!both) throw new DomainException(ErrorCode.NotARelative, 422, undefined, [{ field: 'toUserId', messages: ['not a confirmed relative'] }]);
      const mine = await personalAccount(m, user.id, 'time_bank', true);
      const theirs = await personalAccount(m, input.toUserId, 'time_bank');
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
