import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditLog, RequestMeta } from '@xinyuan/audit';
import { Clock, DomainException, ErrorCode, FieldError } from '@xinyuan/common';
import type { AuthUser } from '@xinyuan/identity';
import { JurisdictionService } from '@xinyuan/org';
import { isTimeZone } from '@xinyuan/common/local-time';
import { CareAccess, CarePerson } from './care-access';
import { CheckInSource, mayRecordCheckIn, VisitKind } from './care-policy';
import { deviceMayResolveBelowStage, DeviceKeyView, toDeviceKeyView } from './care-devices';
import { localDay } from './recurrence';
import { ruleProblems } from './rule-checks';
import { DutyToGenerate, VisitGenerator } from './visit-generator';

export interface CarePlanInput {
  checkIn?: { dailyBy: string; graceMinutes?: number; timeZone?: string } | null;
  visits?: { kind: VisitKind; rrule: string; assigneeUserId?: string | null; teamId?: string | null; serviceCode?: string | null }[];
}

export interface CarePlanView {
  beneficiaryId: string;
  checkIn: { dailyBy: string; graceMinutes: number; timeZone: string; nextDeadlineAt: string | null } | null;
  timeZone: string;
  awayUntil: string | null;
  visits: { id: string; kind: VisitKind; rrule: string; assigneeUserId: string | null; teamId: string | null; serviceCode: string | null }[];
  version: number;
  updatedAt: string;
}

export interface CheckInView {
  id: string;
  beneficiaryId: string;
  source: CheckInSource;
  localDay: string;
  at: string;
  resolvedAlertIds: string[];
}

export interface CareStatusView {
  beneficiaryId: string;
  name: string;
  dailyBy: string | null;
  timeZone: string;
  today: string;
  checkedInToday: boolean;
  lastCheckInAt: string | null;
  openAlert: { id: string; stage: number; openedAt: string } | null;
}

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
/** Roles that can be an official of some region (CareAccess.official decides for the region). */
const OFFICIAL_ROLES: readonly string[] = ['grid_worker', 'dispatcher', 'admin'];
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Care plans (daily check-in deadline and recurring duties), check-ins from every source, the
 * status a family account reads, and the keys of check-in devices. Each write is one transaction;
 * reads of care data are audited like profile reads.
 */
@Injectable()
export class CarePlans {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: CareAccess,
    private readonly jurisdiction: JurisdictionService,
    private readonly generator: VisitGenerator,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async get(user: AuthUser, beneficiaryId: string, meta: RequestMeta): Promise<CarePlanView> {
    return this.dataSource.transaction(async (m) => {
      const person = await this.access.requireOfficial(m, user, beneficiaryId);
      const view = await this.view(m, beneficiaryId);
      if (!view) throw DomainException.notFound(ErrorCode.CarePlanNotFound);
      await this.audit.record({ actor: user, action: 'care.plan.read', objectType: 'beneficiary', objectId: beneficiaryId, regionId: person.regionId,
        outcome: 'success', statusCode: 200, meta }, m);
      return view;
    });
  }

  /** Replaces the plan: duties that stay the same keep their tasks; others are retired and their open future tasks removed. */
  async put(user: AuthUser, beneficiaryId: string, input: CarePlanInput): Promise<CarePlanView> {
    // who may: before anything of the body is looked at (rules are costly to check; a stranger gets 404 at once)
    if (!user.roles.some((r) => OFFICIAL_ROLES.includes(r))) throw DomainException.notFound(ErrorCode.BeneficiaryNotFound);
    const visits = input.visits ?? [];
    const now = this.clock.now();

    return this.dataSource.transaction(async (m) => {
      const person = await this.access.requireOfficial(m, user, beneficiaryId, true);
      const timeZone = input.checkIn?.timeZone ?? DEFAULT_TIME_ZONE;
      if (!isTimeZone(timeZone) || !(await this.knownToPostgres(m, timeZone))) {
        throw new DomainException(ErrorCode.InvalidTimeZone, 400, undefined, [{ field: 'checkIn.timeZone', messages: ['unknown IANA time zone'] }]);
      }
      const bad = ruleProblems(visits, timeZone, now);
      if (bad.length) throw new DomainException(ErrorCode.InvalidRrule, 400, undefined, bad);
      const outside = await this.assigneeProblems(m, person, visits);
      if (outside.length) throw new DomainException(ErrorCode.AssigneeOutsideRegion, 422, undefined, outside);
      const c = input.checkIn ?? null;
      await m.query(
        `INSERT INTO care_plans (beneficiary_id, daily_by, grace_minutes, time_zone, next_deadline_at, created_by, updated_by)
         VALUES ($1, $2, $3, $4, CASE WHEN $2::text IS NULL THEN NULL ELSE care_next_deadline($6, $2, $3, $4) END, $5, $5)
         ON CONFLICT (beneficiary_id) DO UPDATE SET daily_by = EXCLUDED.daily_by, grace_minutes = EXCLUDED.grace_minutes,
           time_zone = EXCLUDED.time_zone, next_deadline_at = EXCLUDED.next_deadline_at, updated_by = EXCLUDED.updated_by,
           version = care_plans.version + 1, updated_at = now()`,
        [beneficiaryId, c?.dailyBy ?? null, c?.graceMinutes ?? 30, timeZone, user.id, now],
      );
      const existing: (DutyToGenerate & { retired_at: Date | null })[] = await m.query(
        `SELECT id, kind, rrule, assignee_user_id, team_id, service_code FROM care_duties WHERE beneficiary_id = $1 AND retired_at IS NULL`,
        [beneficiaryId],
      );
      const sig = (v: { kind: string; rrule: string; assignee: string | null; team: string | null; service: string | null }) =>
        JSON.stringify([v.kind, v.rrule.trim(), v.assignee, v.team, v.service]);
      const keep = new Map<string, string>();
      for (const d of existing) keep.set(sig({ kind: d.kind, rrule: d.rrule, assignee: d.assignee_user_id, team: d.team_id, service: d.service_code }), d.id);
      const kept = new Set<string>();
      for (const v of visits) {
        const s = sig({ kind: v.kind, rrule: v.rrule, assignee: v.assigneeUserId ?? null, team: v.teamId ?? null, service: v.serviceCode ?? null });
        const id = keep.get(s);
        if (id && !kept.has(id)) {
          kept.add(id);
          continue;
        }
        const [row] = await m.query(
          `INSERT INTO care_duties (beneficiary_id, kind, rrule, assignee_user_id, team_id, service_code, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
          [beneficiaryId, v.kind, v.rrule.trim(), v.assigneeUserId ?? null, v.teamId ?? null, v.serviceCode ?? null, now],
        );
        kept.add(row.id);
      }
      const retired = existing.map((d) => d.id).filter((id) => !kept.has(id));
      if (retired.length) {
        await m.query(`UPDATE care_duties SET retired_at = $2 WHERE id = ANY($1::uuid[])`, [retired, now]);
        // future tasks that nobody did yet go with their rule; done ones stay as they are
        await m.query(`DELETE FROM care_visits WHERE duty_id = ANY($1::uuid[]) AND status = 'open' AND due_at > $2`, [retired, now]);
      }
      // the time zone may have changed: tasks are made (or kept) for every active duty now
      const duties: DutyToGenerate[] = await m.query(
        `SELECT d.id, d.beneficiary_id, d.kind, d.rrule, d.assignee_user_id, d.team_id, d.service_code, d.created_at, p.time_zone
           FROM care_duties d JOIN care_plans p ON p.beneficiary_id = d.beneficiary_id WHERE d.beneficiary_id = $1 AND d.retired_at IS NULL`,
        [beneficiaryId],
      );
      for (const d of duties) await this.generator.generate(m, d, now);
      return (await this.view(m, beneficiaryId))!;
    });
  }

  async checkIn(user: AuthUser, beneficiaryId: string, input: { source: CheckInSource; note?: string }): Promise<CheckInView> {
    return this.dataSource.transaction(async (m) => {
      const person = await this.access.person(m, beneficiaryId);
      const rel = await this.access.relation(m, user, person);
      if (!rel.official && !rel.owner && !rel.serving) throw DomainException.notFound(ErrorCode.BeneficiaryNotFound);
      if (!mayRecordCheckIn(rel, input.source)) {
        throw new DomainException(ErrorCode.Forbidden, 403, '这个账号不能以这种方式报平安', [{ field: 'source', messages: ['this account may not record this source'] }]);
      }
      return this.record(m, person, input.source, input.note ?? null, user.id, null);
    });
  }

  /** A device or meter feed ("usage seen today"), authenticated by its key. */
  async deviceCheckIn(key: string | undefined, note: string | null): Promise<CheckInView> {
    if (!key || key.length < 20 || key.length > 200) throw new DomainException(ErrorCode.DeviceKeyInvalid, 401);
    return this.dataSource.transaction(async (m) => {
      const [device] = await m.query(`SELECT id, beneficiary_id FROM care_device_keys WHERE key_hash = $1 AND revoked_at IS NULL`, [sha256(key)]);
      if (!device) throw new DomainException(ErrorCode.DeviceKeyInvalid, 401);
      const person = await this.access.person(m, device.beneficiary_id);
      return this.record(m, person, 'device', note, null, device.id);
    });
  }

  async createDeviceKey(user: AuthUser, beneficiaryId: string, name: string): Promise<{ id: string; name: string; key: string }> {
    return this.dataSource.transaction(async (m) => {
      await this.access.requireOfficial(m, user, beneficiaryId);
      const key = `xyd_${randomBytes(24).toString('base64url')}`;
      const [row] = await m.query(
        `INSERT INTO care_device_keys (beneficiary_id, name, key_hash, created_by) VALUES ($1, $2, $3, $4) RETURNING id`,
        [beneficiaryId, name, sha256(key), user.id],
      );
      return { id: row.id, name, key };
    });
  }

  /** The person's device keys, newest first, revoked ones included (never the key itself). */
  async listDeviceKeys(user: AuthUser, beneficiaryId: string, meta: RequestMeta): Promise<DeviceKeyView[]> {
    return this.dataSource.transaction(async (m) => {
      const person = await this.access.requireOfficial(m, user, beneficiaryId);
      const rows = await m.query(
        `SELECT k.id, k.name, k.created_at, k.revoked_at,
                (SELECT max(c.at) FROM care_check_ins c WHERE c.beneficiary_id = k.beneficiary_id AND c.device_id = k.id) AS last_check_in_at
           FROM care_device_keys k WHERE k.beneficiary_id = $1 ORDER BY k.created_at DESC, k.id`,
        [beneficiaryId],
      );
      await this.audit.record({ actor: user, action: 'care.devices.list', objectType: 'beneficiary', objectId: beneficiaryId, regionId: person.regionId,
        outcome: 'success', statusCode: 200, meta }, m);
      return rows.map(toDeviceKeyView);
    });
  }

  /**
   * Revokes a device key: the device's check-ins are refused (401 DEVICE_KEY_INVALID) from now on;
   * the key and its past check-ins stay. Revoking a revoked key changes nothing.
   */
  async revokeDeviceKey(user: AuthUser, beneficiaryId: string, deviceId: string, meta: RequestMeta): Promise<DeviceKeyView> {
    return this.dataSource.transaction(async (m) => {
      const person = await this.access.requireOfficial(m, user, beneficiaryId);
      const [row] = await m.query(
        `WITH r AS (UPDATE care_device_keys SET revoked_at = COALESCE(revoked_at, $3) WHERE id = $1 AND beneficiary_id = $2 RETURNING *)
         SELECT r.id, r.name, r.created_at, r.revoked_at,
                (SELECT max(c.at) FROM care_check_ins c WHERE c.beneficiary_id = r.beneficiary_id AND c.device_id = r.id) AS last_check_in_at
           FROM r`,
        [deviceId, beneficiaryId, this.clock.now()],
      );
      if (!row) throw DomainException.notFound(ErrorCode.CareDeviceNotFound);
      await this.audit.record({ actor: user, action: 'care.device.revoke', objectType: 'care_device_key', objectId: deviceId, regionId: person.regionId,
        outcome: 'success', statusCode: 204, meta }, m);
      return toDeviceKeyView(row);
    });
  }

  /** What the person's own or linked account (and officials) may read: checked in today, an open alert. */
  async status(user: AuthUser, beneficiaryId: string, meta: RequestMeta): Promise<CareStatusView> {
    return this.dataSource.transaction(async (m) => {
      const person = await this.access.person(m, beneficiaryId);
      const rel = await this.access.relation(m, user, person);
      if (!rel.official && !rel.owner && !rel.serving) throw DomainException.notFound(ErrorCode.BeneficiaryNotFound);
      const [plan] = await m.query(`SELECT daily_by, time_zone FROM care_plans WHERE beneficiary_id = $1`, [beneficiaryId]);
      const timeZone = plan?.time_zone ?? DEFAULT_TIME_ZONE;
      const today = localDay(this.clock.now(), timeZone);
      const [last] = await m.query(`SELECT at, local_day FROM care_check_ins WHERE beneficiary_id = $1 ORDER BY at DESC LIMIT 1`, [beneficiaryId]);
      const [todayRow] = await m.query(`SELECT 1 FROM care_check_ins WHERE beneficiary_id = $1 AND local_day = $2 LIMIT 1`, [beneficiaryId, today]);
      const [alert] = await m.query(
        `SELECT id, stage, opened_at FROM care_alerts WHERE beneficiary_id = $1 AND status = 'open' AND kind = 'checkin_missed' ORDER BY opened_at DESC LIMIT 1`,
        [beneficiaryId],
      );
      await this.audit.record({ actor: user, action: 'care.status.read', objectType: 'beneficiary', objectId: beneficiaryId, regionId: person.regionId,
        outcome: 'success', statusCode: 200, meta }, m);
      return {
        beneficiaryId, name: person.name, dailyBy: plan?.daily_by ?? null, timeZone, today, checkedInToday: !!todayRow,
        lastCheckInAt: last ? new Date(last.at).toISOString() : null,
        openAlert: alert ? { id: alert.id, stage: alert.stage, openedAt: new Date(alert.opened_at).toISOString() } : null,
      };
    });
  }

  /**
   * One check-in (all sources are kept; one per local day is enough). Open missed-check-in alerts of
   * the person are resolved by it (`checked_in`), their ladder stops, in the same transaction — except
   * that a device's check-in does not close an alert at stage 2 or higher (someone was sent to look:
   * a person confirms); it is noted in the alert's steps instead.
   */
  private async record(m: EntityManager, person: CarePerson, source: CheckInSource, note: string | null, by: string | null, deviceId: string | null): Promise<CheckInView> {
    const now = this.clock.now();
    const [plan] = await m.query(`SELECT time_zone FROM care_plans WHERE beneficiary_id = $1`, [person.id]);
    const day = localDay(now, plan?.time_zone ?? DEFAULT_TIME_ZONE);
    const [row] = await m.query(
      `INSERT INTO care_check_ins (beneficiary_id, local_day, source, note, recorded_by, device_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [person.id, day, source, note, by, deviceId, now],
    );
    const maxStage = deviceMayResolveBelowStage(source);
    const resolved: { id: string }[] = await m.query(
      `WITH r AS (
         UPDATE care_alerts SET status = 'resolved', outcome = 'checked_in', resolved_at = $2, resolved_by = $3, next_step_at = NULL,
                steps = steps || jsonb_build_array(jsonb_build_object('action', 'resolved', 'outcome', 'checked_in', 'source', $4::text, 'at', $5::text))
          WHERE beneficiary_id = $1 AND kind = 'checkin_missed' AND status = 'open' AND ($6::int IS NULL OR stage < $6::int) RETURNING id)
       SELECT id FROM r`,
      [person.id, now, by, source, now.toISOString(), maxStage],
    );
    if (maxStage !== null) {
      // the alert stays open (a person must confirm), but the staff see that the device spoke
      await m.query(
        `UPDATE care_alerts SET steps = steps || jsonb_build_array(jsonb_build_object('stage', stage, 'action', 'device_check_in', 'source', $2::text, 'at', $3::text))
          WHERE beneficiary_id = $1 AND kind = 'checkin_missed' AND status = 'open' AND stage >= $4::int`,
        [person.id, source, now.toISOString(), maxStage],
      );
    }
    return { id: String(row.id), beneficiaryId: person.id, source, localDay: day, at: now.toISOString(), resolvedAlertIds: resolved.map((r) => r.id) };
  }

  private async view(m: EntityManager, beneficiaryId: string): Promise<CarePlanView | null> {
    const [p] = await m.query(`SELECT * FROM care_plans WHERE beneficiary_id = $1`, [beneficiaryId]);
    if (!p) return null;
    const duties = await m.query(
      `SELECT id, kind, rrule, assignee_user_id, team_id, service_code FROM care_duties WHERE beneficiary_id = $1 AND retired_at IS NULL ORDER BY created_at, id`,
      [beneficiaryId],
    );
    return {
      beneficiaryId,
      checkIn: p.daily_by
        ? { dailyBy: p.daily_by, graceMinutes: p.grace_minutes, timeZone: p.time_zone, nextDeadlineAt: p.next_deadline_at ? new Date(p.next_deadline_at).toISOString() : null }
        : null,
      timeZone: p.time_zone,
      awayUntil: p.away_until ? new Date(p.away_until).toISOString() : null,
      visits: duties.map((d: any) => ({ id: d.id, kind: d.kind, rrule: d.rrule, assigneeUserId: d.assignee_user_id, teamId: d.team_id, serviceCode: d.service_code })),
      version: p.version,
      updatedAt: new Date(p.updated_at).toISOString(),
    };
  }

  /**
   * An assignee must serve the person's region: a grid worker or staff member whose jurisdiction
   * covers it, or a member of a team of the same county; a team must belong to that county.
   */
  private async assigneeProblems(m: EntityManager, person: CarePerson, visits: NonNullable<CarePlanInput['visits']>): Promise<FieldError[]> {
    const problems: FieldError[] = [];
    const path = (await this.jurisdiction.pathOf(person.regionId, m)) ?? [];
    const county = path[0] ?? null;
    for (const [i, v] of visits.entries()) {
      if (v.assigneeUserId) {
        const [u] = await m.query(`SELECT id, roles, region_id FROM users WHERE id = $1 AND disabled_at IS NULL`, [v.assigneeUserId]);
        let ok = false;
        if (u) {
          ok = await this.access.official(m, { roles: u.roles, regionId: u.region_id }, person.regionId);
          if (!ok && county) {
            const [t] = await m.query(
              `SELECT 1 FROM team_members tm JOIN teams t ON t.id = tm.team_id JOIN regions r ON r.id = t.region_id
                WHERE tm.user_id = $1 AND r.path @> ARRAY[$2::uuid] LIMIT 1`,
              [u.id, county],
            );
            ok = !!t;
          }
        }
        if (!ok) problems.push({ field: `visits.${i}.assigneeUserId`, messages: ['the assignee does not serve the person\'s region'] });
      }
      if (v.teamId) {
        const [t] = county
          ? await m.query(`SELECT 1 FROM teams t JOIN regions r ON r.id = t.region_id WHERE t.id = $1 AND r.path @> ARRAY[$2::uuid]`, [v.teamId, county])
          : [];
        if (!t) problems.push({ field: `visits.${i}.teamId`, messages: ['the team does not serve the person\'s county'] });
      }
    }
    return problems;
  }

  private async knownToPostgres(m: EntityManager, tz: string): Promise<boolean> {
    const [row] = await m.query(`SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1) AS ok`, [tz]);
    return row.ok;
  }
}
