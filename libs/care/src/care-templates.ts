import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DomainException, ErrorCode, FieldError } from '@xinyuan/common';
import type { AuthUser } from '@xinyuan/identity';
import { isTimeZone } from '@xinyuan/common/local-time';
import { JurisdictionService } from '@xinyuan/org';
import { CareAccess } from './care-access';
import { CarePlanInput, CarePlans, CarePlanView, DEFAULT_TIME_ZONE } from './care-plans';
import { VisitKind } from './care-policy';
import { parseRule, RruleProblem } from './recurrence';
export { DEFAULT_CARE_TEMPLATES } from './care-template-defaults';

export interface CareTemplateInput {
  name: string;
  checkIn?: { dailyBy: string; graceMinutes?: number; timeZone?: string } | null;
  visits: { kind: VisitKind; rrule: string; serviceCode?: string | null }[];
}

export interface CareTemplateView {
  id: string;
  countyId: string;
  tag: string;
  name: string;
  checkIn: { dailyBy: string; graceMinutes: number; timeZone: string } | null;
  visits: { kind: VisitKind; rrule: string; serviceCode: string | null }[];
  version: number;
  updatedAt: string;
}


/**
 * Plan templates by beneficiary tag, one per county and tag. A county's admin (or the deployment
 * admin, naming the county) sets them; the county's staff and grid workers read them and apply one
 * to a person of their region, which adds the template's duties (assigned to whom they name, by
 * default themselves) and, when the plan has none, its daily check-in — an ordinary plan, adjusted
 * afterwards with PUT care-plan.
 */
@Injectable()
export class CareTemplates {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdiction: JurisdictionService,
    private readonly access: CareAccess,
    private readonly plans: CarePlans,
  ) {}

  /** The county whose templates the caller reads: their own (staff or grid worker), or the one named by the deployment admin. */
  private async readableCounty(user: AuthUser, countyId?: string): Promise<string> {
    const staff = await this.jurisdiction.staffScope(user);
    if (staff.kind === 'all') {
      if (!countyId) throw DomainException.validation([{ field: 'countyId', messages: ['countyId is required for a deployment-wide admin'] }]);
      if (!(await this.isCounty(countyId))) throw DomainException.notFound(ErrorCode.RegionNotFound);
      return countyId;
    }
    const grid = await this.jurisdiction.gridScope(user);
    const scope = staff.kind === 'subtree' ? staff : grid;
    if (scope.kind !== 'subtree') throw DomainException.forbidden();
    const county = (await this.jurisdiction.pathOf(scope.regionId))?.[0];
    if (!county) throw DomainException.forbidden();
    if (countyId && countyId !== county) throw new DomainException(ErrorCode.OutsideJurisdiction, 403);
    return county;
  }

  /** Who may set templates: a county-wide admin (their county) or the deployment admin (any county, named). */
  private async editableCounty(user: AuthUser, countyId?: string): Promise<string> {
    const scope = await this.jurisdiction.staffScope(user);
    if (!user.roles.includes('admin')) throw new DomainException(ErrorCode.OutsideJurisdiction, 403, '只有县级管理员可以设置关爱模板');
    if (scope.kind === 'all') return this.readableCounty(user, countyId);
    if (scope.kind === 'subtree' && scope.countyWide) {
      if (countyId && countyId !== scope.regionId) throw new DomainException(ErrorCode.OutsideJurisdiction, 403);
      return scope.regionId;
    }
    throw new DomainException(ErrorCode.OutsideJurisdiction, 403, '只有县级管理员可以设置关爱模板');
  }

  async list(user: AuthUser, countyId?: string): Promise<{ items: CareTemplateView[] }> {
    const county = await this.readableCounty(user, countyId);
    const rows = await this.dataSource.query(`SELECT * FROM care_templates WHERE county_id = $1 ORDER BY tag`, [county]);
    return { items: rows.map(templateView) };
  }

  async put(user: AuthUser, tag: string, input: CareTemplateInput & { countyId?: string }): Promise<CareTemplateView> {
    const county = await this.editableCounty(user, input.countyId);
    await validateTemplate(input, (tz) => this.knownToPostgres(tz));
    const checkIn = input.checkIn
      ? { dailyBy: input.checkIn.dailyBy, graceMinutes: input.checkIn.graceMinutes ?? 30, timeZone: input.checkIn.timeZone ?? DEFAULT_TIME_ZONE }
      : null;
    const visits = input.visits.map((v) => ({ kind: v.kind, rrule: v.rrule.trim(), serviceCode: v.serviceCode ?? null }));
    const [row] = await this.dataSource.query(
      `INSERT INTO care_templates (county_id, tag, name, check_in, visits, created_by, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $6)
       ON CONFLICT (county_id, tag) DO UPDATE SET name = EXCLUDED.name, check_in = EXCLUDED.check_in, visits = EXCLUDED.visits,
         updated_by = EXCLUDED.updated_by, version = care_templates.version + 1, updated_at = now()
       RETURNING *`,
      [county, tag, input.name, checkIn ? JSON.stringify(checkIn) : null, JSON.stringify(visits), user.id],
    );
    return templateView(row);
  }

  async remove(user: AuthUser, tag: string, countyId?: string): Promise<void> {
    const county = await this.editableCounty(user, countyId);
    const rows = await this.dataSource.query(`DELETE FROM care_templates WHERE county_id = $1 AND tag = $2 RETURNING id`, [county, tag]);
    if (!rows.length) throw DomainException.notFound(ErrorCode.CareTemplateNotFound);
  }

  /**
   * Applies the person's county's template for `tag`: its duties are added to the plan (a duty of the
   * same kind and rule is not added twice), assigned to `assigneeUserId` / `teamId` (default: the
   * caller); its daily check-in is taken when the plan has none. The plan is then written through
   * `CarePlans.put` (same checks, same transaction rules, tasks generated).
   */
  async apply(user: AuthUser, beneficiaryId: string, input: { tag: string; assigneeUserId?: string; teamId?: string }): Promise<CarePlanView> {
    const { template, current } = await this.dataSource.transaction(async (m: EntityManager) => {
      const person = await this.access.requireOfficial(m, user, beneficiaryId);
      const county = (await this.jurisdiction.pathOf(person.regionId, m))?.[0];
      const [t] = county ? await m.query(`SELECT * FROM care_templates WHERE county_id = $1 AND tag = $2`, [county, input.tag]) : [];
      if (!t) throw DomainException.notFound(ErrorCode.CareTemplateNotFound);
      const [plan] = await m.query(`SELECT daily_by, grace_minutes, time_zone FROM care_plans WHERE beneficiary_id = $1`, [beneficiaryId]);
      const duties = await m.query(
        `SELECT kind, rrule, assignee_user_id, team_id, service_code FROM care_duties WHERE beneficiary_id = $1 AND retired_at IS NULL ORDER BY created_at, id`,
        [beneficiaryId],
      );
      return { template: templateView(t), current: { plan, duties } };
    });
    const assignee = input.teamId ? null : (input.assigneeUserId ?? user.id);
    const visits: NonNullable<CarePlanInput['visits']> = current.duties.map((d: any) => ({
      kind: d.kind, rrule: d.rrule, assigneeUserId: d.assignee_user_id, teamId: d.team_id, serviceCode: d.service_code,
    }));
    for (const v of template.visits) {
      if (visits.some((d) => d.kind === v.kind && d.rrule.trim() === v.rrule.trim())) continue;
      visits.push({ kind: v.kind, rrule: v.rrule, assigneeUserId: assignee, teamId: input.teamId ?? null, serviceCode: v.serviceCode });
    }
    const checkIn = current.plan?.daily_by
      ? { dailyBy: current.plan.daily_by, graceMinutes: current.plan.grace_minutes, timeZone: current.plan.time_zone }
      : template.checkIn;
    return this.plans.put(user, beneficiaryId, { checkIn, visits });
  }

  private async isCounty(regionId: string): Promise<boolean> {
    const [row] = await this.dataSource.query(`SELECT 1 FROM regions WHERE id = $1 AND parent_id IS NULL`, [regionId]);
    return !!row;
  }

  private async knownToPostgres(tz: string): Promise<boolean> {
    const [row] = await this.dataSource.query(`SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1) AS ok`, [tz]);
    return row.ok;
  }
}

/** Bad rules → 400 INVALID_RRULE (field `visits.N.rrule`); an unknown zone → 400 INVALID_TIME_ZONE. */
export async function validateTemplate(input: CareTemplateInput, knownZone: (tz: string) => Promise<boolean>): Promise<void> {
  const tz = input.checkIn?.timeZone;
  if (tz !== undefined && (!isTimeZone(tz) || !(await knownZone(tz)))) {
    throw new DomainException(ErrorCode.InvalidTimeZone, 400, undefined, [{ field: 'checkIn.timeZone', messages: ['unknown IANA time zone'] }]);
  }
  const bad: FieldError[] = [];
  input.visits.forEach((v, i) => {
    try {
      parseRule(v.rrule);
    } catch (e) {
      if (!(e instanceof RruleProblem)) throw e;
      bad.push({ field: `visits.${i}.rrule`, messages: [`not an RFC 5545 rule: ${e.message}`] });
    }
  });
  if (bad.length) throw new DomainException(ErrorCode.InvalidRrule, 400, undefined, bad);
}

function templateView(r: any): CareTemplateView {
  return {
    id: r.id, countyId: r.county_id, tag: r.tag, name: r.name, checkIn: r.check_in ?? null,
    visits: (r.visits ?? []).map((v: any) => ({ kind: v.kind, rrule: v.rrule, serviceCode: v.serviceCode ?? null })),
    version: r.version, updatedAt: new Date(r.updated_at).toISOString(),
  };
}
