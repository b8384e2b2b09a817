import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, DomainException, ErrorCode } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { LatLng, toEwkt } from '@xinyuan/geo';
import type { AuthUser } from '@xinyuan/identity';
import { JurisdictionService, scopeSql } from '@xinyuan/org';
import { creditService, verifyCredit } from './credits';
import { parseRulePacks } from './wallet';
import { venueCode, venueCodeMatches } from './venue-code';

export interface ActivityInput {
  regionId: string;
  theme: string;
  description?: string;
  startsAt: string;
  endsAt: string;
  location: LatLng;
  address: string;
  capacity: number;
  creditedMinutes: number;
}

export interface ActivityView {
  id: string;
  regionId: string;
  area: string | null;
  theme: string;
  description: string | null;
  startsAt: string;
  endsAt: string;
  location: LatLng;
  address: string;
  capacity: number;
  creditedMinutes: number;
  confirmed: number;
  waiting: number;
  attended: number;
  /** The caller's sign-up: confirmed, waiting, cancelled, or null. */
  myStatus?: string | null;
  myAttended?: boolean;
  /** The caller's place on the waiting list (1 = next), when waiting. */
  myWaitingPosition?: number | null;
  /** What the venue's QR code holds (staff only). */
  qrToken?: string;
  venueCode?: string;
  qrSvg?: string;
}

/** SQL: activity `a` lies in the county (root region) of one of the volunteer's teams. */
function volunteerSeesSql(userId: string, params: unknown[]): string {
  params.push(userId);
  return `EXISTS (SELECT 1 FROM regions ar, team_members tm JOIN teams mt ON mt.id = tm.team_id JOIN regions mr ON mr.id = mt.region_id
                   WHERE ar.id = a.region_id AND tm.user_id = $${params.length} AND ar.path[1] = mr.path[1])`;
}

/** A QR scan counts from this long before the start until the end. */
const EARLY_SCAN_MS = 30 * 60_000;


const ACTIVITY_SELECT = `
  SELECT a.*, ST_Y(a.location::geometry) AS lat, ST_X(a.location::geometry) AS lng, r.name AS area,
         (SELECT count(*)::int FROM activity_signups s WHERE s.activity_id = a.id AND s.status = 'confirmed') AS confirmed,
         (SELECT count(*)::int FROM activity_signups s WHERE s.activity_id = a.id AND s.status = 'waiting') AS waiting,
         (SELECT count(*)::int FROM activity_signups s WHERE s.activity_id = a.id AND s.attended_at IS NOT NULL) AS attended
    FROM activities a LEFT JOIN regions r ON r.id = a.region_id`;

/**
 * Themed activities (月月有主题): staff of a region create them; volunteers sign up (waiting list
 * beyond the capacity, promoted in order) and attend by the venue's QR code, valid only near the
 * place (CHECKIN_MAX_DISTANCE_M) and during the activity (by the injected clock); attended minutes
 * enter the ledger at once, confirmed by the organiser.
 */
@Injectable()
export class ActivitiesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdiction: JurisdictionService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async create(staff: AuthUser, input: ActivityInput): Promise<ActivityView> {
    const starts = new Date(input.startsAt);
    const ends = new Date(input.endsAt);
    if (!(ends > starts) || ends.getTime() - starts.getTime() > 24 * 3600_000) {
      throw DomainException.validation([{ field: 'endsAt', messages: ['endsAt must be after startsAt, within 24 hours'] }]);
    }
    const region = await this.jurisdiction.region(input.regionId);
    if (!region) throw DomainException.notFound(ErrorCode.RegionNotFound);
    await this.jurisdiction.requireStaffCovers(staff, input.regionId);
    const [row] = await this.dataSource.query(
      `INSERT INTO activities (region_id, theme, description, starts_at, ends_at, location, address, capacity, credited_minutes, qr_token, created_by)
       VALUES ($1, $2, $3, $4, $5, $6::geography, $7, $8, $9, $10, $11) RETURNING id`,
      [input.regionId, input.theme, input.description ?? null, starts, ends, toEwkt(input.location), input.address, input.capacity,
        input.creditedMinutes, randomBytes(16).toString('base64url'), staff.id],
    );
    return this.get(staff, row.id);
  }

  /** Staff: activities of their jurisdiction; volunteers: those of their teams' counties. `month` is YYYY-MM in STATS_TIME_ZONE. */
  async list(user: AuthUser, month?: string): Promise<ActivityView[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    const staff = user.roles.includes('admin') || user.roles.includes('dispatcher');
    if (staff) where.push(scopeSql(await this.jurisdiction.staffScope(user), 'a.region_id', params));
    else where.push(volunteerSeesSql(user.id, params));
    if (month) {
      params.push(`${month}-01`, this.config.STATS_TIME_ZONE);
      where.push(`(a.starts_at AT TIME ZONE $${params.length})::date >= $${params.length - 1}::date
        AND (a.starts_at AT TIME ZONE $${params.length})::date < ($${params.length - 1}::date + interval '1 month')`);
    }
    const rows = await this.dataSource.query(`${ACTIVITY_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.starts_at LIMIT 200`, params);
    return Promise.all(rows.map((r: any) => this.view(this.dataSource.manager, r, user, staff)));
  }

  async get(user: AuthUser, id: string): Promise<ActivityView> {
    const [row] = await this.dataSource.query(`${ACTIVITY_SELECT} WHERE a.id = $1`, [id]);
    if (!row) throw DomainException.notFound(ErrorCode.ActivityNotFound);
    const staff = await this.jurisdiction.staffCovers(user, row.region_id);
    if (!staff && !(await this.volunteerSees(this.dataSource.manager, user, id))) throw DomainException.notFound(ErrorCode.ActivityNotFound);
    return this.view(this.dataSource.manager, row, user, staff);
  }

  /** Staff of the activity's region: who signed up, in order, with the waiting-list places and attendance. */
  async signups(staff: AuthUser, id: string): Promise<{ volunteerId: string; name: string; status: string; waitingPosition: number | null; attendedAt: string | null; signedUpAt: string }[]> {
    const [row] = await this.dataSource.query(`SELECT region_id FROM activities WHERE id = $1`, [id]);
    if (!row || !(await this.jurisdiction.staffCovers(staff, row.region_id))) throw DomainException.notFound(ErrorCode.ActivityNotFound);
    const rows = await this.dataSource.query(
      `SELECT s.volunteer_id, u.name, s.status, s.attended_at, s.signed_up_at,
              CASE WHEN s.status = 'waiting' THEN row_number() OVER (PARTITION BY s.status ORDER BY s.signed_up_at, s.volunteer_id) END::int AS position
         FROM activity_signups s JOIN users u ON u.id = s.volunteer_id
        WHERE s.activity_id = $1 ORDER BY CASE s.status WHEN 'confirmed' THEN 0 WHEN 'waiting' THEN 1 ELSE 2 END, s.signed_up_at, s.volunteer_id`,
      [id],
    );
    return rows.map((r: any) => ({
      volunteerId: r.volunteer_id, name: r.name, status: r.status, waitingPosition: r.position ?? null,
      attendedAt: r.attended_at ? new Date(r.attended_at).toISOString() : null, signedUpAt: new Date(r.signed_up_at).toISOString(),
    }));
  }

  /** A volunteer sees the activities of the counties their teams belong to. */
  private async volunteerSees(m: EntityManager, user: AuthUser, id: string): Promise<boolean> {
    const params: unknown[] = [id];
    const [row] = await m.query(`SELECT 1 FROM activities a WHERE a.id = $1 AND ${volunteerSeesSql(user.id, params)}`, params);
    return !!row;
  }

  /** Within the capacity: confirmed; beyond it: the waiting list. Signing up again answers the same sign-up. */
  async signUp(user: AuthUser, id: string): Promise<ActivityView> {
    await this.dataSource.transaction(async (m) => {
      const activity = await this.lock(m, id);
      if (!(await this.volunteerSees(m, user, id))) throw DomainException.notFound(ErrorCode.ActivityNotFound);
      const [mine] = await m.query(`SELECT status FROM activity_signups WHERE activity_id = $1 AND volunteer_id = $2`, [id, user.id]);
      if (mine && mine.status !== 'cancelled') return;
      const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM activity_signups WHERE activity_id = $1 AND status = 'confirmed'`, [id]);
      const status = n < activity.capacity ? 'confirmed' : 'waiting';
      await m.query(
        `INSERT INTO activity_signups (activity_id, volunteer_id, status) VALUES ($1, $2, $3)
         ON CONFLICT (activity_id, volunteer_id) DO UPDATE SET status = EXCLUDED.status, signed_up_at = now()`,
        [id, user.id, status],
      );
    });
    return this.get(user, id);
  }

  /** Cancelling a confirmed place promotes the longest-waiting volunteer. */
  async cancel(user: AuthUser, id: string): Promise<ActivityView> {
    await this.dataSource.transaction(async (m) => {
      await this.lock(m, id);
      const [mine] = await m.query(`SELECT status, attended_at FROM activity_signups WHERE activity_id = $1 AND volunteer_id = $2`, [id, user.id]);
      if (!mine || mine.status === 'cancelled' || mine.attended_at) throw DomainException.conflict(ErrorCode.NotSignedUp);
      await m.query(`UPDATE activity_signups SET status = 'cancelled' WHERE activity_id = $1 AND volunteer_id = $2`, [id, user.id]);
      if (mine.status === 'confirmed') {
        await m.query(
          `UPDATE activity_signups SET status = 'confirmed' WHERE (activity_id, volunteer_id) = (
             SELECT activity_id, volunteer_id FROM activity_signups WHERE activity_id = $1 AND status = 'waiting' ORDER BY signed_up_at, volunteer_id LIMIT 1)`,
          [id],
        );
      }
    });
    return this.get(user, id);
  }

  /** The volunteer scans the venue's QR code: right code, near the place, during the activity, with a confirmed place. */
  async attendByQr(user: AuthUser, id: string, input: { token: string; location: LatLng }): Promise<ActivityView> {
    await this.dataSource.transaction(async (m) => {
      const activity = await this.lock(m, id);
      if (!(await this.volunteerSees(m, user, id))) throw DomainException.notFound(ErrorCode.ActivityNotFound);
      if (!venueCodeMatches(activity.qr_token, input.token)) throw new DomainException(ErrorCode.ActivityQrInvalid, 422);
      const now = this.clock.now().getTime();
      if (now < new Date(activity.starts_at).getTime() - EARLY_SCAN_MS || now > new Date(activity.ends_at).getTime()) {
        throw new DomainException(ErrorCode.ActivityNotNow, 422, undefined, undefined, { startsAt: new Date(activity.starts_at).toISOString(), endsAt: new Date(activity.ends_at).toISOString() });
      }
      const [{ d }] = await m.query(`SELECT ST_Distance($1::geography, location) AS d FROM activities WHERE id = $2`, [toEwkt(input.location), id]);
      const maxM = this.config.CHECKIN_MAX_DISTANCE_M;
      if (Number(d) > maxM) throw new DomainException(ErrorCode.ActivityTooFar, 422, undefined, undefined, { distanceM: Math.round(Number(d)), maxDistanceM: maxM });
      await this.markAttended(m, activity, [user.id], 'qr');
    });
    return this.get(user, id);
  }

  /** Staff of the activity's region mark attendance for the named volunteers (the leader's list). */
  async attendByStaff(staff: AuthUser, id: string, volunteerIds: string[]): Promise<ActivityView> {
    await this.dataSource.transaction(async (m) => {
      const activity = await this.lock(m, id);
      if (!(await this.jurisdiction.staffCovers(staff, activity.region_id, m))) throw DomainException.notFound(ErrorCode.ActivityNotFound);
      await this.markAttended(m, activity, [...new Set(volunteerIds)], 'staff');
    });
    return this.get(staff, id);
  }

  private async markAttended(m: EntityManager, activity: any, volunteerIds: string[], how: 'qr' | 'staff'): Promise<void> {
    const marked: { volunteer_id: string }[] = await m.query(
      `WITH u AS (UPDATE activity_signups SET attended_at = now(), attendance = $3
                   WHERE activity_id = $1 AND volunteer_id = ANY($2::uuid[]) AND status = 'confirmed' AND attended_at IS NULL RETURNING volunteer_id)
       SELECT volunteer_id FROM u`,
      [activity.id, volunteerIds, how],
    );
    if (how === 'qr' && !marked.length) {
      const [already] = await m.query(`SELECT attended_at FROM activity_signups WHERE activity_id = $1 AND volunteer_id = $2`, [activity.id, volunteerIds[0]]);
      if (!already?.attended_at) throw DomainException.conflict(ErrorCode.NotSignedUp);
      return;
    }
    if (!marked.length) return;
    await creditService(m, {
      sourceType: 'activity', sourceId: activity.id, regionId: activity.region_id, teamId: null, serviceCode: null,
      content: `主题活动：${activity.theme}`, volunteerIds: marked.map((r) => r.volunteer_id), minutes: activity.credited_minutes,
      startedAt: new Date(activity.starts_at), endedAt: new Date(activity.ends_at), reasons: [],
    });
    const credits: { id: string; pending_reasons: string[] }[] = await m.query(
      `SELECT id, pending_reasons FROM service_credits WHERE source_type = 'activity' AND source_id = $1 AND volunteer_id = ANY($2::uuid[]) AND status = 'pending'`,
      [activity.id, marked.map((r) => r.volunteer_id)],
    );
    const wallet = { rules: parseRulePacks(this.config.RULE_PACKS, this.config.REGION_RULE_PACKS), timeZone: this.config.STATS_TIME_ZONE };
    // the organiser's attendance is the confirmation; a flagged credit (overlap) waits for review
    for (const c of credits) if (c.pending_reasons.length === 0) await verifyCredit(m, c.id, 'organiser', null, undefined, wallet);
  }

  private async lock(m: EntityManager, id: string): Promise<any> {
    const [row] = await m.query(`SELECT * FROM activities WHERE id = $1 FOR UPDATE`, [id]);
    if (!row) throw DomainException.notFound(ErrorCode.ActivityNotFound);
    return row;
  }

  private async view(m: EntityManager, r: any, user: AuthUser, staff: boolean): Promise<ActivityView> {
    const [mine] = await m.query(
      `SELECT s.status, s.attended_at,
              CASE WHEN s.status = 'waiting' THEN (SELECT count(*) FROM activity_signups w WHERE w.activity_id = s.activity_id AND w.status = 'waiting'
                                                     AND (w.signed_up_at, w.volunteer_id) <= (s.signed_up_at, s.volunteer_id)) END::int AS position
         FROM activity_signups s WHERE s.activity_id = $1 AND s.volunteer_id = $2`,
      [r.id, user.id],
    );
    return {
      id: r.id, regionId: r.region_id, area: r.area ?? null, theme: r.theme, description: r.description,
      startsAt: new Date(r.starts_at).toISOString(), endsAt: new Date(r.ends_at).toISOString(),
      location: { lat: Number(r.lat), lng: Number(r.lng) }, address: r.address, capacity: r.capacity, creditedMinutes: r.credited_minutes,
      confirmed: r.confirmed, waiting: r.waiting, attended: r.attended,
      myStatus: mine?.status ?? null, myAttended: !!mine?.attended_at, myWaitingPosition: mine?.position ?? null,
      ...(staff ? { qrToken: r.qr_token, venueCode: venueCode(r.qr_token), qrSvg: await (await import('qrcode')).default.toString(r.qr_token, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 }) } : {}),
    };
  }
}
