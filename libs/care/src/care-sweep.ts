import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, DomainException } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import type { AuthUser, Role } from '@xinyuan/identity';
import { PlaceOrderUseCase } from '@xinyuan/orders';
import { VisitGenerator } from './visit-generator';

/** Duties per transaction of visit-task generation (one INSERT of all their tasks). */
const GENERATE_BATCH = 1000;
/** Step-2 batches one sweep takes at most (a county's alerts step up together). */
const LADDER_ROUNDS = 20;
/** Step-3 placements one sweep makes at most (each is a whole order placement). */
const URGENT_ORDERS_PER_SWEEP = 100;

/**
 * Opens the alerts of every plan whose deadline passed with no check-in that local day: one
 * statement per batch. Due plans are claimed with SKIP LOCKED (several dispatchers share them);
 * the alert is unique per person, kind and local day (a second run, or a second process, opens
 * nothing more); the outbox row is written in the same statement, so the relay tells people; and
 * `next_deadline_at` moves to the next local day's deadline. A deadline more than a day old (the
 * dispatchers were all down) is skipped rather than alerted late.
 *
 * The next deadline is computed once per distinct (deadline, daily_by, grace, zone) of the batch —
 * a county shares a handful — not once per plan: the zone arithmetic was half the statement's cost.
 */
const OPEN_MISSED_SQL = `
  WITH due AS (
    SELECT p.beneficiary_id, p.next_deadline_at AS deadline, p.daily_by, p.grace_minutes, p.time_zone, p.away_until,
           to_char((p.next_deadline_at - make_interval(mins => p.grace_minutes)) AT TIME ZONE p.time_zone, 'YYYY-MM-DD') AS local_day
      FROM care_plans p
     WHERE p.next_deadline_at <= $1 AND p.daily_by IS NOT NULL
     ORDER BY p.next_deadline_at LIMIT $2 FOR UPDATE SKIP LOCKED),
  missed AS (
    SELECT d.* FROM due d JOIN beneficiaries b ON b.id = d.beneficiary_id
     WHERE b.archived_at IS NULL AND d.deadline > $1::timestamptz - interval '1 day'
       AND (d.away_until IS NULL OR d.away_until < d.deadline)
       AND NOT EXISTS (SELECT 1 FROM care_check_ins c WHERE c.beneficiary_id = d.beneficiary_id AND c.local_day = d.local_day)),
  opened AS (
    INSERT INTO care_alerts (beneficiary_id, kind, local_day, stage, deadline_at, opened_at, next_step_at, steps)
    SELECT beneficiary_id, 'checkin_missed', local_day, 1, deadline, $1, $1::timestamptz + make_interval(mins => $3::int),
           jsonb_build_array(jsonb_build_object('stage', 1, 'action', 'reminded', 'at', $4::text,
                                                'deadlineAt', to_char(deadline AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                                                'told', jsonb_build_array('person', 'guardian', 'grid_workers')))
      FROM missed
    ON CONFLICT (beneficiary_id, kind, local_day) WHERE kind = 'checkin_missed' DO NOTHING
    RETURNING id, beneficiary_id),
  events AS (
    INSERT INTO outbox_events (type, subject_id, data)
    SELECT 'care.checkin_missed', id, jsonb_build_object('alertId', id, 'beneficiaryId', beneficiary_id, 'stage', 1) FROM opened
    RETURNING 1),
  following AS (
    SELECT k.*, care_next_deadline(greatest(k.deadline, $1::timestamptz - interval '1 day'), k.daily_by, k.grace_minutes, k.time_zone) AS next_at
      FROM (SELECT DISTINCT deadline, daily_by, grace_minutes, time_zone FROM due) k),
  advanced AS (
    UPDATE care_plans p SET next_deadline_at = f.next_at
      FROM due JOIN following f ON f.deadline = due.deadline AND f.daily_by = due.daily_by
                               AND f.grace_minutes = due.grace_minutes AND f.time_zone = due.time_zone
     WHERE p.beneficiary_id = due.beneficiary_id
    RETURNING 1)
  SELECT (SELECT count(*) FROM due)::int AS due, (SELECT count(*) FROM opened)::int AS opened,
         (SELECT count(*) FROM events)::int AS events, (SELECT count(*) FROM advanced)::int AS advanced`;

/**
 * The ladder's step 2 for a batch of alerts: the `check` visit task (assigned like the person's first
 * duty: its volunteer or grid worker, else its team; due within CARE_CHECK_VISIT_MINUTES; one per
 * alert), the stage and the step recorded on the alert, and its outbox row, in one statement.
 */
const ESCALATE_TO_GRID_SQL = `
  WITH due AS (
    SELECT a.id, a.beneficiary_id FROM care_alerts a
     WHERE a.status = 'open' AND a.kind = 'checkin_missed' AND a.stage = 1 AND a.next_step_at <= $1
     ORDER BY a.next_step_at LIMIT $2 FOR UPDATE OF a SKIP LOCKED),
  duty AS (
    SELECT DISTINCT ON (d.beneficiary_id) d.beneficiary_id, d.assignee_user_id, d.team_id
      FROM care_duties d WHERE d.retired_at IS NULL AND d.beneficiary_id IN (SELECT beneficiary_id FROM due)
     ORDER BY d.beneficiary_id, (d.assignee_user_id IS NULL), d.created_at),
  visits AS (
    INSERT INTO care_visits (beneficiary_id, alert_id, kind, reason, due_at, time_zone, assignee_user_id, team_id)
    SELECT due.beneficiary_id, due.id, 'check', '今天没有报平安，请尽快联系或上门看看', $3::timestamptz, coalesce(p.time_zone, 'Asia/Shanghai'),
           duty.assignee_user_id, duty.team_id
      FROM due LEFT JOIN duty ON duty.beneficiary_id = due.beneficiary_id LEFT JOIN care_plans p ON p.beneficiary_id = due.beneficiary_id
    ON CONFLICT (alert_id) WHERE kind = 'check' DO UPDATE SET reason = EXCLUDED.reason
    RETURNING id, alert_id),
  stepped AS (
    UPDATE care_alerts a SET stage = 2, next_step_at = $4::timestamptz,
           steps = a.steps || jsonb_build_array(jsonb_build_object('stage', 2, 'action', 'escalated_to_grid', 'at', $5::text,
                     'visitId', v.id, 'visitDueAt', $6::text, 'told', jsonb_build_array('grid_workers', 'paired_volunteer')))
      FROM visits v WHERE a.id = v.alert_id
    RETURNING a.id, a.beneficiary_id, v.id AS visit_id),
  events AS (
    INSERT INTO outbox_events (type, subject_id, data)
    SELECT 'care.checkin_missed', id, jsonb_build_object('alertId', id, 'beneficiaryId', beneficiary_id, 'stage', 2, 'visitId', visit_id)
      FROM stepped RETURNING 1)
  SELECT (SELECT count(*) FROM due)::int AS due, (SELECT count(*) FROM stepped)::int AS escalated, (SELECT count(*) FROM events)::int AS events`;

export interface SweepReport {
  plansDue: number;
  alertsOpened: number;
  steps: number;
  visitTasks: number;
  visitsAnnounced: number;
}

/**
 * Everything time makes happen in care, derived from Postgres on each run (the dispatcher runs it
 * every CARE_SWEEP_MS and at start), so nothing is lost when a process is killed or Redis is
 * flushed: deadlines passed → alerts; ladder steps due → the next step; duties whose window moved
 * on → visit tasks.
 */
@Injectable()
export class CareSweep {
  private readonly logger = new Logger(CareSweep.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly generator: VisitGenerator,
    private readonly placeOrder: PlaceOrderUseCase,
  ) {}

  async run(batch = 2000): Promise<SweepReport> {
    const report: SweepReport = { plansDue: 0, alertsOpened: 0, steps: 0, visitTasks: 0, visitsAnnounced: 0 };
    // a county's deadline falls for everyone at once: batches run side by side, each claiming its
    // own plans (FOR UPDATE SKIP LOCKED), until one finds fewer than a batch left
    await Promise.all(
      Array.from({ length: this.config.CARE_SWEEP_PARALLELISM }, async () => {
        for (;;) {
          const r = await this.openMissed(this.clock.now(), batch);
          report.plansDue += r.due;
          report.alertsOpened += r.opened;
          if (r.due < batch) break;
        }
      }),
    );
    for (let round = 0; round < LADDER_ROUNDS; round++) {
      const r = await this.escalateToGrid(this.clock.now(), batch);
      report.steps += r.escalated;
      if (r.due < batch) break;
    }
    report.steps += await this.placeUrgentOrders(this.clock.now(), URGENT_ORDERS_PER_SWEEP);
    for (;;) {
      const g = await this.dataSource.transaction((m) => this.generator.generateDue(m, this.clock.now(), GENERATE_BATCH));
      report.visitTasks += g.tasks;
      if (g.duties < GENERATE_BATCH) break;
    }
    // after generation, so that a task made today for today is announced in the same run
    for (;;) {
      const n = await this.announceDueToday(this.clock.now(), batch);
      report.visitsAnnounced += n;
      if (n < batch) break;
    }
    return report;
  }

  /**
   * The next instant after now at which something in care falls due (a plan's deadline or a ladder
   * step), so the dispatcher can wake at the deadline instead of up to CARE_SWEEP_MS after it; work
   * already overdue (a step that keeps failing) is left to the ordinary cadence. Null when nothing is
   * scheduled. Both come from indexes.
   */
  async nextDueAt(): Promise<Date | null> {
    const [row] = await this.dataSource.query(
      `SELECT least((SELECT min(next_deadline_at) FROM care_plans WHERE next_deadline_at > $1),
                    (SELECT min(next_step_at) FROM care_alerts WHERE status = 'open' AND next_step_at > $1)) AS at`,
      [this.clock.now()],
    );
    return row.at ? new Date(row.at) : null;
  }

  /**
   * `visit_due`: each open visit task whose due time falls on today's local day (its own time zone)
   * is announced once — an outbox event per task, written with the mark that it was announced, so a
   * second sweep or a second dispatcher finds nothing to announce. Overdue tasks of earlier days are
   * not announced again: the assignee's list shows them as overdue.
   */
  async announceDueToday(now: Date, limit: number): Promise<number> {
    const [row] = await this.dataSource.query(
      `WITH due AS (
         SELECT id FROM care_visits
          WHERE status = 'open' AND announced_at IS NULL AND due_at < $1::timestamptz + interval '1 day'
            AND (due_at AT TIME ZONE time_zone)::date = ($1::timestamptz AT TIME ZONE time_zone)::date
          ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED),
       marked AS (
         UPDATE care_visits v SET announced_at = $1 FROM due WHERE v.id = due.id
         RETURNING v.id, v.beneficiary_id, v.assignee_user_id, v.team_id, v.kind),
       events AS (
         INSERT INTO outbox_events (type, subject_id, data)
         SELECT 'care.visit_due', id, jsonb_build_object('visitId', id, 'beneficiaryId', beneficiary_id, 'assigneeUserId', assignee_user_id, 'teamId', team_id, 'kind', kind)
           FROM marked RETURNING 1)
       SELECT count(*)::int AS n FROM events`,
      [now, limit],
    );
    return row.n;
  }

  async openMissed(now: Date, limit: number): Promise<{ due: number; opened: number }> {
    const [row] = await this.dataSource.query(OPEN_MISSED_SQL, [now, limit, this.config.CARE_STEP2_AFTER_MINUTES, now.toISOString()]);
    return { due: row.due, opened: row.opened };
  }

  /**
   * Ladder step 2 for a batch of alerts (stage 1, not acknowledged, `next_step_at` passed): the grid
   * workers and the paired volunteer are told, and a `check` visit task due within
   * CARE_CHECK_VISIT_MINUTES is made — one statement for the whole batch (the visit tasks, the stage
   * changes and their outbox rows), since a county's alerts reach step 2 together.
   */
  async escalateToGrid(now: Date, limit: number): Promise<{ due: number; escalated: number }> {
    const visitDueAt = new Date(now.getTime() + this.config.CARE_CHECK_VISIT_MINUTES * 60_000);
    const step3At = new Date(now.getTime() + this.config.CARE_STEP3_AFTER_MINUTES * 60_000);
    const [row] = await this.dataSource.query(ESCALATE_TO_GRID_SQL, [now, limit, visitDueAt, step3At, now.toISOString(), visitDueAt.toISOString()]);
    return { due: row.due, escalated: row.escalated };
  }

  /**
   * Ladder step 3, at most `limit` alerts per sweep (each placement is a whole order with its checks;
   * the rest of the sweep — the next deadlines — must not wait behind thousands of them): an urgent
   * 上门查看 order is placed on the person's behalf through the ordinary placement (dispatched like any
   * order; keyed by the alert, so placing it twice — two dispatchers, or a retry — is one order), then
   * the stage, the order and the staff alert are recorded in one transaction. A placement that throws
   * stays due and is tried again next sweep.
   */
  async placeUrgentOrders(now: Date, limit: number): Promise<number> {
    const toPlace: { id: string; beneficiary_id: string }[] = await this.dataSource.query(
      `SELECT a.id, a.beneficiary_id FROM care_alerts a
        WHERE a.status = 'open' AND a.kind = 'checkin_missed' AND a.stage = 2 AND a.next_step_at <= $1
        ORDER BY a.next_step_at LIMIT $2`,
      [now, limit],
    );
    let placed = 0;
    for (const a of toPlace) {
      try {
        if (await this.urgentOrder(a, now)) placed++;
      } catch (e) {
        this.logger.warn(`care alert ${a.id}: step 3 failed, retried next sweep: ${(e as Error).message}`);
      }
    }
    return placed;
  }

  private async urgentOrder(a: { id: string; beneficiary_id: string }, now: Date): Promise<boolean> {
    const [placer] = await this.dataSource.query(
      `SELECT u.id, u.roles, u.region_id FROM care_plans p JOIN users u ON u.id = p.updated_by WHERE p.beneficiary_id = $1 AND u.disabled_at IS NULL`,
      [a.beneficiary_id],
    );
    let orderId: string | null = null;
    let failure: string | null = null;
    if (placer) {
      const user: AuthUser = { id: placer.id, roles: placer.roles as Role[], regionId: placer.region_id };
      try {
        const placed = await this.placeOrder.execute(
          user,
          { serviceCode: this.config.CARE_URGENT_SERVICE_CODE, description: '【关爱】服务对象今天没有报平安，也联系不上，请尽快上门查看。', beneficiaryId: a.beneficiary_id, urgent: true },
          `care-alert-${a.id}`,
          { actorRole: 'system' },
        );
        orderId = placed.order.id;
      } catch (e) {
        if (!(e instanceof DomainException)) throw e;
        failure = e.code;
      }
    } else {
      failure = 'NO_PLACER';
    }
    return this.dataSource.transaction(async (m) => {
      const [still] = await m.query(
        `SELECT id FROM care_alerts WHERE id = $1 AND status = 'open' AND stage = 2 AND next_step_at IS NOT NULL FOR UPDATE`,
        [a.id],
      );
      if (!still) return false;
      const step = { stage: 3, action: orderId ? 'urgent_order' : 'urgent_order_failed', at: now.toISOString(), orderId, failure, told: ['staff', 'grid_workers'] };
      await m.query(
        `UPDATE care_alerts SET stage = 3, next_step_at = NULL, order_id = $2, steps = steps || jsonb_build_array($3::jsonb) WHERE id = $1`,
        [a.id, orderId, JSON.stringify(step)],
      );
      await m.query(`INSERT INTO outbox_events (type, subject_id, data) VALUES ('care.checkin_missed', $1, $2)`,
        [a.id, { alertId: a.id, beneficiaryId: a.beneficiary_id, stage: 3, orderId }]);
      return true;
    });
  }
}
