import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { decodeCursor, DomainException, ErrorCode, Page, toPage } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import type { AuthUser } from '@xinyuan/identity';
import { JurisdictionService, scopeSql } from '@xinyuan/org';
import { correctEntry, updateReturning, verifyCredit } from './credits';
import { FRAUD_FLAGS, PendingReason, ServiceCreditRow, ServiceLedgerRow } from './record.tables';
import { hoursToNextStar, parseStarThresholds, starLevel } from './record-rules';
import { parseRulePacks, RulePacks } from './wallet';

export interface LedgerEntryView {
  id: string;
  kind: string;
  minutes: number;
  content: string;
  serviceCode: string | null;
  sourceType: string;
  sourceId: string | null;
  organiser: string;
  confirmation: string;
  reversesId: string | null;
  reason: string | null;
  servedAt: string;
  recordedAt: string;
}

export interface CreditView {
  id: string;
  volunteerId: string;
  volunteerName?: string;
  sourceType: string;
  sourceId: string;
  content: string;
  minutes: number;
  startedAt: string;
  endedAt: string;
  status: string;
  pendingReasons: PendingReason[];
  flagged: boolean;
  recipientConfirmedAt: string | null;
  reviewNote: string | null;
}

export interface CorrectionRequestView {
  id: string;
  volunteerId: string;
  volunteerName?: string;
  entryId: string;
  minutes: number;
  reason: string;
  status: string;
  decisionNote: string | null;
  createdAt: string;
  decidedAt: string | null;
}

export interface ServiceRecordView {
  verifiedMinutes: number;
  pendingMinutes: number;
  verifiedHours: number;
  starLevel: number;
  hoursToNextStar: number | null;
  starThresholdsHours: number[];
  entries: LedgerEntryView[];
  pending: CreditView[];
}

export const toEntryView = (r: ServiceLedgerRow): LedgerEntryView => ({
  id: String(r.id),
  kind: r.kind,
  minutes: r.minutes,
  content: r.content,
  serviceCode: r.service_code,
  sourceType: r.source_type,
  sourceId: r.source_id,
  organiser: r.organiser,
  confirmation: r.confirmation,
  reversesId: r.reverses_id === null ? null : String(r.reverses_id),
  reason: r.reason,
  servedAt: new Date(r.served_at).toISOString(),
  recordedAt: new Date(r.recorded_at).toISOString(),
});

const toCreditView = (r: ServiceCreditRow & { volunteer_name?: string }): CreditView => ({
  id: r.id,
  volunteerId: r.volunteer_id,
  ...(r.volunteer_name !== undefined ? { volunteerName: r.volunteer_name } : {}),
  sourceType: r.source_type,
  sourceId: r.source_id,
  content: r.content,
  minutes: r.minutes,
  startedAt: new Date(r.started_at).toISOString(),
  endedAt: new Date(r.ended_at).toISOString(),
  status: r.status,
  pendingReasons: r.pending_reasons,
  flagged: r.pending_reasons.some((p) => FRAUD_FLAGS.includes(p)),
  recipientConfirmedAt: r.recipient_confirmed_at ? new Date(r.recipient_confirmed_at).toISOString() : null,
  reviewNote: r.review_note,
});

const toRequestView = (r: any): CorrectionRequestView => ({
  id: r.id,
  volunteerId: r.volunteer_id,
  ...(r.volunteer_name !== undefined ? { volunteerName: r.volunteer_name } : {}),
  entryId: String(r.entry_id),
  minutes: r.minutes,
  reason: r.reason,
  status: r.status,
  decisionNote: r.decision_note,
  createdAt: new Date(r.created_at).toISOString(),
  decidedAt: r.decided_at ? new Date(r.decided_at).toISOString() : null,
});

/**
 * The service record's use cases: a volunteer's record, staff review of pending minutes (confirm,
 * reject), ledger corrections and correction requests. Each state change is one transaction; staff
 * act only on objects in their jurisdiction (others answer 404).
 */
@Injectable()
export class ServiceRecordService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdiction: JurisdictionService,
    private readonly config: AppConfig,
  ) {}

  get rulePacks(): RulePacks {
    return parseRulePacks(this.config.RULE_PACKS, this.config.REGION_RULE_PACKS);
  }

  get starThresholds(): number[] {
    return parseStarThresholds(this.config.STAR_LEVEL_HOURS);
  }

  /** The team page: each member's verified minutes and star level (staff of the team's jurisdiction; 404 outside it). */
  async memberStars(staff: AuthUser, teamId: string): Promise<{ userId: string; name: string; verifiedMinutes: number; starLevel: number }[]> {
    const [team] = await this.dataSource.query(`SELECT region_id FROM teams WHERE id = $1`, [teamId]);
    if (!team || !(await this.jurisdiction.staffCovers(staff, team.region_id))) throw DomainException.notFound(ErrorCode.TeamNotFound);
    const rows: { user_id: string; name: string; minutes: number }[] = await this.dataSource.query(
      `SELECT tm.user_id, u.name, COALESCE((SELECT sum(l.minutes) FROM service_ledger l WHERE l.volunteer_id = tm.user_id), 0)::int AS minutes
         FROM team_members tm JOIN users u ON u.id = tm.user_id WHERE tm.team_id = $1 ORDER BY tm.role, tm.joined_at`,
      [teamId],
    );
    return rows.map((r) => ({ userId: r.user_id, name: r.name, verifiedMinutes: r.minutes, starLevel: starLevel(r.minutes, this.starThresholds) }));
  }

  async verifiedMinutes(volunteerId: string, m: EntityManager = this.dataSource.manager): Promise<number> {
    const [{ total }] = await m.query(`SELECT COALESCE(sum(minutes), 0)::int AS total FROM service_ledger WHERE volunteer_id = $1`, [volunteerId]);
    return total;
  }

  async record(volunteerId: string): Promise<ServiceRecordView> {
    const m = this.dataSource.manager;
    const verified = await this.verifiedMinutes(volunteerId, m);
    const [{ pending }] = await m.query(
      `SELECT COALESCE(sum(minutes), 0)::int AS pending FROM service_credits WHERE volunteer_id = $1 AND status = 'pending'`,
      [volunteerId],
    );
    const entries: ServiceLedgerRow[] = await m.query(`SELECT * FROM service_ledger WHERE volunteer_id = $1 ORDER BY id DESC LIMIT 200`, [volunteerId]);
    const pendingCredits: ServiceCreditRow[] = await m.query(
      `SELECT * FROM service_credits WHERE volunteer_id = $1 AND status = 'pending' ORDER BY started_at DESC LIMIT 100`,
      [volunteerId],
    );
    const thresholds = this.starThresholds;
    return {
      verifiedMinutes: verified,
      pendingMinutes: pending,
      verifiedHours: Math.round(verified / 6) / 10,
      starLevel: starLevel(verified, thresholds),
      hoursToNextStar: hoursToNextStar(verified, thresholds),
      starThresholdsHours: thresholds,
      entries: entries.map(toEntryView),
      pending: pendingCredits.map(toCreditView),
    };
  }

  /** Staff: credits of their jurisdiction, newest first; `flagged` = only those a fraud check flagged. */
  async listCredits(staff: AuthUser, q: { status?: string; flagged?: boolean; limit: number; cursor?: string }): Promise<Page<CreditView>> {
    const params: unknown[] = [];
    const where = [scopeSql(await this.jurisdiction.staffScope(staff), 'c.region_id', params)];
    if (q.status) {
      params.push(q.status);
      where.push(`c.status = $${params.length}`);
    }
    if (q.flagged) {
      params.push(FRAUD_FLAGS);
      where.push(`c.pending_reasons && $${params.length}::text[]`);
    }
    const cursor = decodeCursor(q.cursor);
    if (cursor) {
      params.push(cursor.at, cursor.id);
      where.push(`(c.created_at, c.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(q.limit + 1);
    const rows = await this.dataSource.query(
      `SELECT c.*, u.name AS volunteer_name FROM service_credits c JOIN users u ON u.id = c.volunteer_id
        WHERE ${where.join(' AND ')} ORDER BY c.created_at DESC, c.id DESC LIMIT $${params.length}`,
      params,
    );
    const page = toPage<any>(rows, q.limit, (r) => ({ at: new Date(r.created_at).toISOString(), id: r.id }));
    return { items: page.items.map(toCreditView), nextCursor: page.nextCursor };
  }

  /** Staff confirm pending minutes (after review of any flag): verified, and the ledger's credit row. */
  async confirmCredit(staff: AuthUser, creditId: string, note?: string): Promise<{ credit: CreditView; entry: LedgerEntryView }> {
    return this.dataSource.transaction(async (m) => {
      await this.lockCredit(m, staff, creditId);
      const entry = await verifyCredit(m, creditId, 'staff', staff.id, note, { rules: this.rulePacks, timeZone: this.config.STATS_TIME_ZONE });
      if (!entry) throw DomainException.conflict(ErrorCode.CreditNotPending);
      const [credit] = await m.query(`SELECT * FROM service_credits WHERE id = $1`, [creditId]);
      return { credit: toCreditView(credit), entry: toEntryView(entry) };
    });
  }

  /** Staff reject pending minutes (the service did not happen as claimed): nothing enters the ledger. */
  async rejectCredit(staff: AuthUser, creditId: string, reason: string): Promise<CreditView> {
    return this.dataSource.transaction(async (m) => {
      await this.lockCredit(m, staff, creditId);
      const [credit] = await updateReturning(m,
        `UPDATE service_credits SET status = 'rejected', reviewed_by = $2, reviewed_at = now(), review_note = $3
          WHERE id = $1 AND status = 'pending' RETURNING *`,
        [creditId, staff.id, reason],
      );
      if (!credit) throw DomainException.conflict(ErrorCode.CreditNotPending);
      return toCreditView(credit);
    });
  }

  /** Staff correct a ledger entry: a reversing row and a new one (never an update). */
  async correct(staff: AuthUser, entryId: string, input: { minutes: number; reason: string }) {
    return this.dataSource.transaction(async (m) => {
      await this.entryInScope(m, staff, entryId);
      const { reversal, correction } = await correctEntry(m, entryId, { ...input, actorId: staff.id }, { rules: this.rulePacks });
      return { reversal: toEntryView(reversal), correction: toEntryView(correction) };
    });
  }

  /** A volunteer asks for one of their entries to be corrected (one open request per entry). */
  async requestCorrection(volunteer: AuthUser, input: { entryId: string; minutes: number; reason: string }): Promise<CorrectionRequestView> {
    return this.dataSource.transaction(async (m) => {
      const [entry] = await m.query(`SELECT id, kind FROM service_ledger WHERE id = $1 AND volunteer_id = $2`, [input.entryId, volunteer.id]);
      if (!entry) throw DomainException.notFound(ErrorCode.LedgerEntryNotFound);
      const [reversed] = await m.query(`SELECT 1 FROM service_ledger WHERE reverses_id = $1`, [input.entryId]);
      if (entry.kind === 'reversal' || reversed) throw DomainException.conflict(ErrorCode.EntryAlreadyReversed);
      const [row] = await m.query(
        `INSERT INTO correction_requests (volunteer_id, entry_id, minutes, reason) VALUES ($1, $2, $3, $4)
         ON CONFLICT (entry_id) WHERE status = 'open' DO NOTHING RETURNING *`,
        [volunteer.id, input.entryId, input.minutes, input.reason],
      );
      if (!row) throw DomainException.conflict(ErrorCode.CorrectionRequestNotOpen, '这条记录已有一份待处理的更正申请');
      return toRequestView(row);
    });
  }

  async myRequests(volunteer: AuthUser): Promise<CorrectionRequestView[]> {
    const rows = await this.dataSource.query(`SELECT * FROM correction_requests WHERE volunteer_id = $1 ORDER BY created_at DESC LIMIT 100`, [volunteer.id]);
    return rows.map(toRequestView);
  }

  async listRequests(staff: AuthUser, q: { status?: string; limit: number; cursor?: string }): Promise<Page<CorrectionRequestView>> {
    const params: unknown[] = [];
    const where = [scopeSql(await this.jurisdiction.staffScope(staff), 'e.region_id', params)];
    if (q.status) {
      params.push(q.status);
      where.push(`r.status = $${params.length}`);
    }
    const cursor = decodeCursor(q.cursor);
    if (cursor) {
      params.push(cursor.at, cursor.id);
      where.push(`(r.created_at, r.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(q.limit + 1);
    const rows = await this.dataSource.query(
      `SELECT r.*, u.name AS volunteer_name FROM correction_requests r JOIN service_ledger e ON e.id = r.entry_id JOIN users u ON u.id = r.volunteer_id
        WHERE ${where.join(' AND ')} ORDER BY r.created_at DESC, r.id DESC LIMIT $${params.length}`,
      params,
    );
    const page = toPage<any>(rows, q.limit, (r) => ({ at: new Date(r.created_at).toISOString(), id: r.id }));
    return { items: page.items.map(toRequestView), nextCursor: page.nextCursor };
  }

  /** Staff decide a request: approved applies the correction (reversal + new entry) in the same transaction. */
  async decide(staff: AuthUser, requestId: string, input: { approve: boolean; note?: string }) {
    return this.dataSource.transaction(async (m) => {
      const [req] = await m.query(`SELECT * FROM correction_requests WHERE id = $1 FOR UPDATE`, [requestId]);
      if (!req) throw DomainException.notFound(ErrorCode.CorrectionRequestNotFound);
      const [entry] = await m.query(`SELECT region_id FROM service_ledger WHERE id = $1`, [req.entry_id]);
      if (!(await this.jurisdiction.staffCovers(staff, entry?.region_id ?? null, m))) throw DomainException.notFound(ErrorCode.CorrectionRequestNotFound);
      if (req.status !== 'open') throw DomainException.conflict(ErrorCode.CorrectionRequestNotOpen);
      let applied: { reversal: LedgerEntryView; correction: LedgerEntryView } | null = null;
      if (input.approve) {
        const done = await correctEntry(m, String(req.entry_id), { minutes: req.minutes, reason: `更正申请：${req.reason}`, actorId: staff.id }, { rules: this.rulePacks });
        applied = { reversal: toEntryView(done.reversal), correction: toEntryView(done.correction) };
      }
      const [row] = await updateReturning(m,
        `UPDATE correction_requests SET status = $2, decided_by = $3, decided_at = now(), decision_note = $4 WHERE id = $1 RETURNING *`,
        [requestId, input.approve ? 'approved' : 'rejected', staff.id, input.note ?? null],
      );
      return { request: toRequestView(row), ...(applied ?? {}) };
    });
  }

  /**
   * Ledger rows for the station's files (台账): one volunteer's, or every row credited through one
   * team (staff of the team's jurisdiction), oldest first, with the volunteer's name.
   */
  async ledgerForExport(filter: { volunteerId: string } | { staff: AuthUser; teamId: string }): Promise<(ServiceLedgerRow & { volunteer_name: string })[]> {
    if ('volunteerId' in filter) {
      return this.dataSource.query(
        `SELECT e.*, u.name AS volunteer_name FROM service_ledger e JOIN users u ON u.id = e.volunteer_id WHERE e.volunteer_id = $1 ORDER BY e.id LIMIT 50000`,
        [filter.volunteerId],
      );
    }
    const [team] = await this.dataSource.query(`SELECT region_id FROM teams WHERE id = $1`, [filter.teamId]);
    if (!team || !(await this.jurisdiction.staffCovers(filter.staff, team.region_id))) throw DomainException.notFound(ErrorCode.TeamNotFound);
    return this.dataSource.query(
      `SELECT e.*, u.name AS volunteer_name FROM service_ledger e JOIN service_credits c ON c.id = e.credit_id JOIN users u ON u.id = e.volunteer_id
        WHERE c.team_id = $1 ORDER BY e.id LIMIT 50000`,
      [filter.teamId],
    );
  }

  private async lockCredit(m: EntityManager, staff: AuthUser, creditId: string): Promise<ServiceCreditRow> {
    const [credit] = await m.query(`SELECT * FROM service_credits WHERE id = $1 FOR UPDATE`, [creditId]);
    if (!credit || !(await this.jurisdiction.staffCovers(staff, credit.region_id, m))) throw DomainException.notFound(ErrorCode.CreditNotFound);
    return credit;
  }

  private async entryInScope(m: EntityManager, staff: AuthUser, entryId: string): Promise<void> {
    const [entry] = await m.query(`SELECT region_id FROM service_ledger WHERE id = $1`, [entryId]);
    if (!entry || !(await this.jurisdiction.staffCovers(staff, entry.region_id, m))) throw DomainException.notFound(ErrorCode.LedgerEntryNotFound);
  }
}
