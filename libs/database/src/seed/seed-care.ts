import { EntityManager } from 'typeorm';
import { localDay } from '@xinyuan/care/recurrence';
import { DutyToGenerate, VisitGenerator } from '@xinyuan/care/visit-generator';
import { DEFAULT_CARE_TEMPLATES } from '@xinyuan/care/care-template-defaults';

/** Care plans of the demo county: who checks in by when, and who calls or visits on which days. */
const PLANS: {
  beneficiaryKey: string;
  dailyBy: string | null;
  /** Checked in today (the demo shows one person who did not: 陈阿婆). */
  checkIn: { source: string; by: string | null } | null;
  duties: { kind: 'visit' | 'call' | 'delivery'; rrule: string; assignee: string }[];
}[] = [
  { beneficiaryKey: 'lujia-elder-1', dailyBy: '08:00', checkIn: null, duties: [
    { kind: 'call', rrule: 'FREQ=DAILY;BYHOUR=10', assignee: '13800000011' },
    { kind: 'visit', rrule: 'FREQ=WEEKLY;BYDAY=TU', assignee: '13800000011' },
  ] },
  { beneficiaryKey: 'lujia-child-1', dailyBy: '20:00', checkIn: { source: 'family', by: null }, duties: [
    { kind: 'call', rrule: 'FREQ=WEEKLY;BYDAY=SA;BYHOUR=16', assignee: '13800000011' },
  ] },
  { beneficiaryKey: 'gucheng-disabled-1', dailyBy: '09:00', checkIn: { source: 'device', by: null }, duties: [
    { kind: 'call', rrule: 'FREQ=DAILY;BYHOUR=15', assignee: '13800000012' },
    { kind: 'delivery', rrule: 'FREQ=MONTHLY;BYMONTHDAY=1,15', assignee: '13800000012' },
  ] },
  { beneficiaryKey: 'resident-mother-1', dailyBy: '08:00', checkIn: { source: 'family', by: '13700000001' }, duties: [] },
];

/**
 * Plans for the demo county's people, a day of check-ins with one missed (the dispatcher's sweep
 * opens 陈阿婆's alert once today's deadline has passed), and the visit tasks of the next 14 days
 * (calls due today among them). Idempotent: a plan that exists is left as it is.
 */
export async function seedCare(m: EntityManager, beneficiaryId: (key: string) => string, userIds: Map<string, string>, now: Date): Promise<number> {
  const generator = new VisitGenerator();
  let plans = 0;
  for (const p of PLANS) {
    const id = beneficiaryId(p.beneficiaryKey);
    const [b] = await m.query(`SELECT created_by FROM beneficiaries WHERE id = $1`, [id]);
    if (!b) continue;
    const made = await m.query(
      `INSERT INTO care_plans (beneficiary_id, daily_by, grace_minutes, time_zone, next_deadline_at, created_by, updated_by)
       VALUES ($1, $2, 30, 'Asia/Shanghai', care_next_deadline($3::timestamptz - interval '1 day', $2, 30, 'Asia/Shanghai'), $4, $4)
       ON CONFLICT (beneficiary_id) DO NOTHING RETURNING beneficiary_id`,
      [id, p.dailyBy, now, b.created_by],
    );
    if (!made.length) continue;
    plans++;
    if (p.checkIn) {
      await m.query(
        `INSERT INTO care_check_ins (beneficiary_id, local_day, source, recorded_by, at) VALUES ($1, $2, $3, $4, $5)`,
        [id, localDay(now, 'Asia/Shanghai'), p.checkIn.source, p.checkIn.by ? (userIds.get(p.checkIn.by) ?? null) : null, now],
      );
    }
    for (const d of p.duties) {
      const [duty] = await m.query(
        `INSERT INTO care_duties (beneficiary_id, kind, rrule, assignee_user_id, created_at) VALUES ($1, $2, $3, $4, $5)
         RETURNING id, beneficiary_id, kind, rrule, assignee_user_id, team_id, service_code, created_at`,
        [id, d.kind, d.rrule, userIds.get(d.assignee) ?? null, now],
      );
      await generator.generate(m, { ...(duty as DutyToGenerate), time_zone: 'Asia/Shanghai' }, now);
    }
  }
  return plans;
}

/**
 * The county's plan templates by tag (独居老人: a daily call and a weekly visit; 特困: a monthly visit;
 * 留守儿童: a weekly call), set by the county admin. A template the admin changed is left as it is.
 */
export async function seedCareTemplates(m: EntityManager, countyId: string, adminId: string | null): Promise<number> {
  if (!adminId) return 0;
  let made = 0;
  for (const t of DEFAULT_CARE_TEMPLATES) {
    const rows = await m.query(
      `INSERT INTO care_templates (county_id, tag, name, check_in, visits, created_by, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $6)
       ON CONFLICT (county_id, tag) DO NOTHING RETURNING id`,
      [countyId, t.tag, t.name, t.checkIn ? JSON.stringify({ graceMinutes: 30, timeZone: 'Asia/Shanghai', ...t.checkIn }) : null, JSON.stringify(t.visits), adminId],
    );
    made += rows.length;
  }
  return made;
}
