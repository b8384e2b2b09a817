import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditLog, RequestMeta } from '@xinyuan/audit';
import { Clock, decodeCursor, DomainException, ErrorCode, Page, PiiCipher, toPage } from '@xinyuan/common';
import type { AuthUser } from '@xinyuan/identity';
import { OrderRecord, OrderTransitions, PlaceOrderUseCase } from '@xinyuan/orders';
import { JurisdictionService, scopeSql } from '@xinyuan/org';
import { CareAccess } from './care-access';
import { AlertOutcome, FollowUpOutcome, Wellbeing } from './care-policy';
import type { AlertStep } from './care.tables';

export interface CareAlertView {
  id: string;
  beneficiaryId: string;
  beneficiaryName: string;
  area: string | null;
  kind: string;
  stage: number;
  status: string;
  localDay: string | null;
  deadlineAt: string | null;
  openedAt: string;
  nextStepAt: string | null;
  acknowledgedAt: string | null;
  steps: AlertStep[];
  orderId: string | null;
  outcome: string | null;
  note: string | null;
  resolvedAt: string | null;
}

export interface CareVisitView {
  id: string;
  beneficiaryId: string | null;
  beneficiaryName: string | null;
  area: string | null;
  kind: string;
  reason: string | null;
  dueAt: string;
  localDay: string;
  overdue: boolean;
  status: string;
  assigneeUserId: string | null;
  teamId: string | null;
  alertId: string | null;
  sourceOrderId: string | null;
  wellbeing: string | null;
  note: string | null;
  completedAt: string | null;
  orderId: string | null;
  data: Record<string, unknown> | null;
  campaignId: string | null;
}

export type DueFilter = 'today' | 'overdue' | 'upcoming' | 'all';

export interface CompleteVisitInput {
  wellbeing: Wellbeing;
  note: string;
  order?: { serviceCode: string; description: string };
  followUp?: { outcome: FollowUpOutcome; keepTeam?: boolean };
}

/** The role in which an official acts on an order's timeline. */
function officialRole(user: AuthUser): 'admin' | 'dispatcher' | 'grid_worker' {
  if (user.roles.includes('admin')) return 'admin';
  return user.roles.includes('dispatcher') ? 'dispatcher' : 'grid_worker';
}

const ALERT_COLUMNS = `a.*, b.name AS beneficiary_name, r.name AS area_name, b.region_id, a.opened_at::text AS cursor_at`;
const VISIT_COLUMNS = `v.*, b.name AS beneficiary_name, r.name AS area_name, COALESCE(v.region_id, b.region_id) AS visit_region_id, v.due_at::text AS cursor_at,
  to_char(v.due_at AT TIME ZONE v.time_zone, 'YYYY-MM-DD') AS local_day`;

/**
 * The work that care makes for people: alerts (list, acknowledge, resolve with an outcome) for the
 * region's staff and grid workers, and visit tasks (list by due day, complete with a wellbeing mark)
 * for their assignees and the region's officials. Other objects answer 404.
 */
@Injectable()
export class CareWork {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: CareAccess,
    private readonly jurisdiction: JurisdictionService,
    private readonly placeOrder: PlaceOrderUseCase,
    private readonly transitions: OrderTransitions,
    private readonly cipher: PiiCipher,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  private async officialScope(user: AuthUser, params: unknown[], column = 'b.region_id'): Promise<string> {
    const staff = scopeSql(await this.jurisdiction.staffScope(user), column, params);
    const grid = scopeSql(await this.jurisdiction.gridScope(user), column, params);
    return `(${staff} OR ${grid})`;
  }

  async alerts(user: AuthUser, filter: { status?: 'open' | 'resolved'; beneficiaryId?: string; limit: number; cursor?: string }, meta: RequestMeta): Promise<Page<CareAlertView>> {
    const params: unknown[] = [];
    const where = [await this.officialScope(user, params)];
    if (filter.status) {
      params.push(filter.status);
      where.push(`a.status = $${params.length}`);
    }
    if (filter.beneficiaryId) {
      params.push(filter.beneficiaryId);
      where.push(`a.beneficiary_id = $${params.length}`);
    }
    const cursor = decodeCursor(filter.cursor);
    if (cursor) {
      params.push(cursor.at, cursor.id);
      where.push(`(a.opened_at, a.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(filter.limit + 1);
    return this.dataSource.transaction(async (m) => {
      const rows = await m.query(
        `SELECT ${ALERT_COLUMNS} FROM care_alerts a JOIN beneficiaries b ON b.id = a.beneficiary_id LEFT JOIN regions r ON r.id = b.region_id
          WHERE ${where.join(' AND ')} ORDER BY a.opened_at DESC, a.id DESC LIMIT $${params.length}`,
        params,
      );
      const page = toPage(rows, filter.limit, (r: any) => ({ at: r.cursor_at, id: r.id }));
      if (page.items.length) {
        await this.audit.record({ actor: user, action: 'care.alerts.list', objectType: 'beneficiary', objectId: null, outcome: 'success', statusCode: 200, meta,
          data: { ids: page.items.map((r: any) => r.beneficiary_id) } }, m);
      }
      return { items: page.items.map(alertView), nextCursor: page.nextCursor };
    });
  }

  async resolve(user: AuthUser, alertId: string, input: { outcome: AlertOutcome; note: string; awayUntil?: string }): Promise<CareAlertView> {
    const now = this.clock.now();
    if (input.outcome === 'away' && !input.awayUntil) {
      throw DomainException.validation([{ field: 'awayUntil', messages: ['awayUntil is required when the outcome is away'] }], '请填写外出到哪天');
    }
    if (input.awayUntil && new Date(input.awayUntil).getTime() <= now.getTime()) {
      throw DomainException.validation([{ field: 'awayUntil', messages: ['awayUntil must be in the future'] }]);
    }
    return this.dataSource.transaction(async (m) => {
      const alert = await this.lockAlert(m, user, alertId);
      if (alert.status !== 'open') throw DomainException.conflict(ErrorCode.CareAlertResolved);
      const step = { action: 'resolved', outcome: input.outcome, by: user.id, at: now.toISOString(), ...(input.awayUntil ? { awayUntil: input.awayUntil } : {}) };
      await m.query(
        `UPDATE care_alerts SET status = 'resolved', outcome = $2, note = $3, resolved_at = $4, resolved_by = $5, next_step_at = NULL,
                steps = steps || jsonb_build_array($6::jsonb) WHERE id = $1`,
        [alertId, input.outcome, input.note, now, user.id, JSON.stringify(step)],
      );
      if (input.awayUntil) {
        // away with family, in hospital: the plan is suspended until then (no alert for those days)
        await m.query(`UPDATE care_plans SET away_until = $2, updated_at = now() WHERE beneficiary_id = $1`, [alert.beneficiary_id, input.awayUntil]);
      }
      return this.alertById(m, alertId);
    });
  }

  /** Someone is on it: the ladder stops climbing (the alert stays open until resolved). */
  async acknowledge(user: AuthUser, alertId: string, note?: string): Promise<CareAlertView> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const alert = await this.lockAlert(m, user, alertId);
      if (alert.status !== 'open') throw DomainException.conflict(ErrorCode.CareAlertResolved);
      if (!alert.acknowledged_at) {
        await m.query(
          `UPDATE care_alerts SET acknowledged_at = $2, acknowledged_by = $3, next_step_at = NULL, steps = steps || jsonb_build_array($4::jsonb) WHERE id = $1`,
          [alertId, now, user.id, JSON.stringify({ action: 'acknowledged', by: user.id, note: note ?? null, at: now.toISOString() })],
        );
      }
      return this.alertById(m, alertId);
    });
  }

  async visits(user: AuthUser, filter: { due?: DueFilter; status?: 'open' | 'done' | 'cancelled'; beneficiaryId?: string; kind?: string; campaignId?: string; limit: number; cursor?: string },
    meta: RequestMeta): Promise<Page<CareVisitView>> {
    const now = this.clock.now();
    const params: unknown[] = [now, user.id];
    const official = await this.officialScope(user, params, 'COALESCE(v.region_id, b.region_id)');
    const where = [`(${official} OR v.assignee_user_id = $2 OR v.team_id IN (SELECT team_id FROM team_members WHERE user_id = $2))`];
    const due = filter.due ?? 'all';
    const status = filter.status ?? (due === 'all' ? undefined : 'open');
    if (due === 'today') where.push(`(v.due_at AT TIME ZONE v.time_zone)::date = ($1::timestamptz AT TIME ZONE v.time_zone)::date`);
    if (due === 'overdue') where.push(`v.status = 'open' AND v.due_at < $1`);
    if (due === 'upcoming') where.push(`v.due_at >= $1`);
    if (status) {
      params.push(status);
      where.push(`v.status = $${params.length}`);
    }
    if (filter.beneficiaryId) {
      params.push(filter.beneficiaryId);
      where.push(`v.beneficiary_id = $${params.length}`);
    }
    if (filter.kind) {
      params.push(filter.kind);
      where.push(`v.kind = $${params.length}`);
    }
    if (filter.campaignId) {
      params.push(filter.campaignId);
      where.push(`v.campaign_id = $${params.length}`);
    }
    const cursor = decodeCursor(filter.cursor);
    if (cursor) {
      params.push(cursor.at, cursor.id);
      where.push(`(v.due_at, v.id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(filter.limit + 1);
    return this.dataSource.transaction(async (m) => {
      const rows = await m.query(
        `SELECT ${VISIT_COLUMNS}, (v.status = 'open' AND v.due_at < $1::timestamptz) AS overdue_now
           FROM care_visits v LEFT JOIN beneficiaries b ON b.id = v.beneficiary_id LEFT JOIN regions r ON r.id = COALESCE(v.region_id, b.region_id)
          WHERE (b.id IS NULL OR b.archived_at IS NULL) AND ${where.join(' AND ')} ORDER BY v.due_at, v.id LIMIT $${params.length}`,
        params,
      );
      const page = toPage(rows, filter.limit, (r: any) => ({ at: r.cursor_at, id: r.id }));
      if (page.items.length) {
        await this.audit.record({ actor: user, action: 'care.visits.list', objectType: 'beneficiary', objectId: null, outcome: 'success', statusCode: 200, meta,
          data: { ids: [...new Set(page.items.map((r: any) => r.beneficiary_id))] } }, m);
      }
      return { items: page.items.map((r: any) => visitView(r, now)), nextCursor: page.nextCursor };
    });
  }

  /**
   * The assignee (or an official of the region) completes a task with a wellbeing mark and a note.
   * `concern` / `urgent` opens an alert; a need found on the spot becomes an order for the person.
   * A 回访 (`followup`) needs `followUp.outcome`: `explained` / `resolved_by_phone` close the matter,
   * `redo` reopens the need as a new order linked to the first (its team offered last unless
   * `keepTeam`); the outcome goes on the first order's timeline. The order (keyed by the task, so a
   * retry never places two) and the task's completion are one transaction on one connection; the
   * order's dispatch is asked for after its commit.
   */
  async complete(user: AuthUser, visitId: string, input: CompleteVisitInput): Promise<CareVisitView & { alertId: string | null }> {
    // the visit stays locked until it is done: a second visitor completing it at the same time waits,
    // then finds it done (409) before placing a second order for the same need
    const placed: OrderRecord[] = [];
    const done = await this.dataSource.transaction((m) => this.completeLocked(m, user, visitId, input, placed));
    for (const order of placed) await this.placeOrder.dispatchPlaced(order);
    return done;
  }

  private async completeLocked(
    m: EntityManager, user: AuthUser, visitId: string, input: CompleteVisitInput, placed: OrderRecord[],
  ): Promise<CareVisitView & { alertId: string | null }> {
    const keep = (order: OrderRecord) => {
      placed.push(order);
      return order.id;
    };
    const visit = await this.loadVisit(m, user, visitId, true);
    if (visit.status !== 'open') throw DomainException.conflict(ErrorCode.CareVisitNotOpen);
    if (visit.kind === 'followup' && !input.followUp) {
      throw DomainException.validation([{ field: 'followUp', messages: ['a 回访 is completed with followUp.outcome'] }], '请选择回访结果');
    }
    if (visit.kind !== 'followup' && input.followUp) {
      throw DomainException.validation([{ field: 'followUp', messages: ['only a 回访 (followup) task takes followUp'] }]);
    }
    if (input.order && !visit.beneficiary_id) {
      throw DomainException.validation([{ field: 'order', messages: ['this task is not about a beneficiary profile'] }]);
    }
    let orderId: string | null = null;
    if (input.order) {
      const order = { serviceCode: input.order.serviceCode, description: input.order.description, beneficiaryId: visit.beneficiary_id, urgent: input.wellbeing === 'urgent' };
      const official = await this.access.official(m, user, visit.visit_region_id);
      if (official) {
        orderId = keep((await this.placeOrder.execute(user, order, `care-visit-${visitId}`, { within: m })).order);
      } else {
        // a paired volunteer or team member found the need: the platform places it on the person's behalf
        // (the timeline says system), in the jurisdiction of the official who set the plan or the campaign
        const placer = await this.placerFor(m, visit);
        if (!placer) throw DomainException.validation([{ field: 'order', messages: ['nobody in charge of this person can place the order'] }], '请联系网格员代为下单');
        const result = await this.placeOrder.execute(
          placer, { ...order, description: `【走访发现】${order.description}`.slice(0, 1000) }, `care-visit-${visitId}`, { actorRole: 'system', within: m });
        orderId = keep(result.order);
      }
    }
    if (input.followUp?.outcome === 'redo') orderId = keep(await this.redo(m, user, visit, input.followUp.keepTeam === true));
    const now = this.clock.now();
    let alertId: string | null = null;
    if (input.wellbeing !== 'ok' && visit.beneficiary_id) {
      const [a] = await m.query(
        `INSERT INTO care_alerts (beneficiary_id, kind, stage, opened_at, steps, note)
         VALUES ($1, 'visit_concern', 1, $2, jsonb_build_array($3::jsonb), $4) RETURNING id`,
        [visit.beneficiary_id, now, JSON.stringify({ stage: 1, action: 'opened', wellbeing: input.wellbeing, visitId, by: user.id, at: now.toISOString() }), input.note],
      );
      alertId = a.id;
      await m.query(`INSERT INTO outbox_events (type, subject_id, data) VALUES ('care.visit_concern', $1, $2)`,
        [a.id, { alertId: a.id, beneficiaryId: visit.beneficiary_id, wellbeing: input.wellbeing, stage: 1, by: user.id }]);
    }
    const data = input.followUp ? { outcome: input.followUp.outcome, newOrderId: orderId, keepTeam: input.followUp.keepTeam === true } : {};
    await m.query(
      `UPDATE care_visits SET status = 'done', completed_at = $2, completed_by = $3, wellbeing = $4, note = $5, order_id = $6,
              data = COALESCE(data, '{}'::jsonb) || $7::jsonb WHERE id = $1`,
      [visitId, now, user.id, input.wellbeing, input.note, orderId, JSON.stringify(data)],
    );
    if (visit.kind === 'followup' && visit.source_order_id) {
      await this.transitions.record(m, visit.source_order_id, 'follow_up', { id: user.id, role: officialRole(user) }, {
        note: input.followUp!.outcome === 'redo' ? `回访：问题未解决，已重新下单` : `回访：${input.followUp!.outcome === 'explained' ? '已解释说明' : '电话沟通已解决'}`,
        data: { visitId, outcome: input.followUp!.outcome, newOrderId: orderId, note: input.note },
      });
    }
    if (visit.alert_id && input.wellbeing === 'ok') {
      // the check of a missed-check-in alert found the person well: the alert is resolved by it
      await m.query(
        `UPDATE care_alerts SET status = 'resolved', outcome = 'found_well', note = $3, resolved_at = $2, resolved_by = $4, next_step_at = NULL,
                steps = steps || jsonb_build_array($5::jsonb) WHERE id = $1 AND status = 'open'`,
        [visit.alert_id, now, input.note, user.id, JSON.stringify({ action: 'resolved', outcome: 'found_well', visitId, by: user.id, at: now.toISOString() })],
      );
    }
    const [row] = await m.query(
      `SELECT ${VISIT_COLUMNS} FROM care_visits v LEFT JOIN beneficiaries b ON b.id = v.beneficiary_id LEFT JOIN regions r ON r.id = COALESCE(v.region_id, b.region_id) WHERE v.id = $1`,
      [visitId],
    );
    return { ...visitView(row, now), alertId: alertId ?? visit.alert_id };
  }

  /** The official on whose jurisdiction a visitor's order is placed: who last set the plan, else who made the campaign. */
  private async placerFor(m: EntityManager, visit: any): Promise<AuthUser | null> {
    const [u] = await m.query(
      `SELECT u.id, u.roles, u.region_id FROM users u
        WHERE u.disabled_at IS NULL AND u.id = COALESCE(
          (SELECT updated_by FROM care_plans WHERE beneficiary_id = $1), (SELECT created_by FROM care_campaigns WHERE id = $2))`,
      [visit.beneficiary_id, visit.campaign_id ?? null],
    );
    return u ? { id: u.id, roles: u.roles, regionId: u.region_id } as AuthUser : null;
  }

  /** The need of a 回访's order, placed again (same item, place and person), linked to the first. */
  private async redo(m: EntityManager, user: AuthUser, visit: any, keepTeam: boolean): Promise<OrderRecord> {
    const [o] = await m.query(
      `SELECT o.id, o.service_code, o.description, o.beneficiary_id, ST_AsGeoJSON(o.location)::json AS location, o.address, o.contact_phone, o.urgent, o.team_id
         FROM orders o WHERE o.id = $1`,
      [visit.source_order_id],
    );
    if (!o) throw DomainException.notFound(ErrorCode.OrderNotFound);
    const description = `【回访重办】${o.description}`.slice(0, 1000);
    const link = { redoOf: o.id, ...(keepTeam || !o.team_id ? {} : { avoidTeamId: o.team_id as string }) };
    const input = o.beneficiary_id
      ? { serviceCode: o.service_code, description, beneficiaryId: o.beneficiary_id, urgent: o.urgent, ...link }
      : {
          serviceCode: o.service_code, description, urgent: o.urgent, address: o.address, ...link,
          location: { lat: o.location.coordinates[1], lng: o.location.coordinates[0] },
          contactPhone: o.contact_phone ? this.cipher.decrypt(o.contact_phone) : undefined,
        };
    return (await this.placeOrder.execute(user, input, `care-followup-${visit.id}`, { within: m })).order;
  }

  private async loadVisit(m: EntityManager, user: AuthUser, visitId: string, lock: boolean): Promise<any> {
    const [v] = await m.query(
      `SELECT v.*, COALESCE(v.region_id, b.region_id) AS visit_region_id FROM care_visits v LEFT JOIN beneficiaries b ON b.id = v.beneficiary_id
        WHERE v.id = $1 ${lock ? 'FOR UPDATE OF v' : ''}`,
      [visitId],
    );
    if (!v) throw DomainException.notFound(ErrorCode.CareVisitNotFound);
    if (v.assignee_user_id === user.id) return v;
    if (v.team_id) {
      const [member] = await m.query(`SELECT 1 FROM team_members WHERE team_id = $1 AND user_id = $2`, [v.team_id, user.id]);
      if (member) return v;
    }
    if (await this.access.official(m, user, v.visit_region_id)) return v;
    throw DomainException.notFound(ErrorCode.CareVisitNotFound);
  }

  private async lockAlert(m: EntityManager, user: AuthUser, alertId: string): Promise<any> {
    const [a] = await m.query(
      `SELECT a.*, b.region_id FROM care_alerts a JOIN beneficiaries b ON b.id = a.beneficiary_id WHERE a.id = $1 FOR UPDATE OF a`,
      [alertId],
    );
    if (!a || !(await this.access.official(m, user, a.region_id))) throw DomainException.notFound(ErrorCode.CareAlertNotFound);
    return a;
  }

  private async alertById(m: EntityManager, id: string): Promise<CareAlertView> {
    const [row] = await m.query(
      `SELECT ${ALERT_COLUMNS} FROM care_alerts a JOIN beneficiaries b ON b.id = a.beneficiary_id LEFT JOIN regions r ON r.id = b.region_id WHERE a.id = $1`,
      [id],
    );
    return alertView(row);
  }
}

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

function alertView(r: any): CareAlertView {
  return {
    id: r.id, beneficiaryId: r.beneficiary_id, beneficiaryName: r.beneficiary_name, area: r.area_name ?? null, kind: r.kind, stage: r.stage,
    status: r.status, localDay: r.local_day, deadlineAt: iso(r.deadline_at), openedAt: iso(r.opened_at)!, nextStepAt: iso(r.next_step_at),
    acknowledgedAt: iso(r.acknowledged_at), steps: r.steps, orderId: r.order_id, outcome: r.outcome, note: r.note, resolvedAt: iso(r.resolved_at),
  };
}

function visitView(r: any, now: Date): CareVisitView {
  return {
    id: r.id, beneficiaryId: r.beneficiary_id, beneficiaryName: r.beneficiary_name, area: r.area_name ?? null, kind: r.kind, reason: r.reason,
    dueAt: iso(r.due_at)!, localDay: r.local_day, overdue: r.status === 'open' && new Date(r.due_at).getTime() < now.getTime(), status: r.status,
    assigneeUserId: r.assignee_user_id, teamId: r.team_id, alertId: r.alert_id, sourceOrderId: r.source_order_id, wellbeing: r.wellbeing, note: r.note,
    completedAt: iso(r.completed_at), orderId: r.order_id, data: r.data, campaignId: r.campaign_id ?? null,
  };
}
