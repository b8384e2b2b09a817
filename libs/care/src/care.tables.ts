import { col, nullable, Row, table } from '@xinyuan/common';

/** One per beneficiary: the daily check-in (local deadline, grace, zone) and what is due next. */
export const CARE_PLANS = table('care_plans', {
  beneficiary_id: col.uuid(),
  daily_by: nullable(col.text()),
  grace_minutes: col.int(),
  time_zone: col.text(),
  next_deadline_at: nullable(col.timestamptz()),
  away_until: nullable(col.timestamptz()),
  created_by: col.uuid(),
  updated_by: col.uuid(),
  version: col.int(),
  created_at: col.timestamptz(),
  updated_at: col.timestamptz(),
});
export type CarePlanRow = Row<typeof CARE_PLANS>;

/** A recurring visit, call or delivery (RFC 5545 rule in the plan's local wall time). */
export const CARE_DUTIES = table('care_duties', {
  id: col.uuid(),
  beneficiary_id: col.uuid(),
  kind: col.text<'visit' | 'call' | 'delivery'>(),
  rrule: col.text(),
  assignee_user_id: nullable(col.uuid()),
  team_id: nullable(col.uuid()),
  service_code: nullable(col.text()),
  generated_until: nullable(col.timestamptz()),
  created_at: col.timestamptz(),
  retired_at: nullable(col.timestamptz()),
});
export type CareDutyRow = Row<typeof CARE_DUTIES>;

export const CARE_CHECK_INS = table('care_check_ins', {
  id: col.bigint(),
  beneficiary_id: col.uuid(),
  local_day: col.text(),
  source: col.text(),
  note: nullable(col.text()),
  recorded_by: nullable(col.uuid()),
  device_id: nullable(col.uuid()),
  at: col.timestamptz(),
});
export type CareCheckInRow = Row<typeof CARE_CHECK_INS>;

export const CARE_ALERTS = table('care_alerts', {
  id: col.uuid(),
  beneficiary_id: col.uuid(),
  kind: col.text<'checkin_missed' | 'visit_concern'>(),
  local_day: nullable(col.text()),
  status: col.text<'open' | 'resolved'>(),
  stage: col.smallint(),
  deadline_at: nullable(col.timestamptz()),
  opened_at: col.timestamptz(),
  next_step_at: nullable(col.timestamptz()),
  acknowledged_at: nullable(col.timestamptz()),
  acknowledged_by: nullable(col.uuid()),
  steps: col.jsonb<AlertStep[]>(),
  order_id: nullable(col.uuid()),
  resolved_at: nullable(col.timestamptz()),
  resolved_by: nullable(col.uuid()),
  outcome: nullable(col.text()),
  note: nullable(col.text()),
});
export type CareAlertRow = Row<typeof CARE_ALERTS>;

/** One step of the ladder (or a fact about the alert), as recorded on it. */
export interface AlertStep {
  stage?: number;
  action: string;
  at: string;
  [k: string]: unknown;
}

export const CARE_VISITS = table('care_visits', {
  id: col.uuid(),
  beneficiary_id: nullable(col.uuid()),
  region_id: nullable(col.uuid()),
  duty_id: nullable(col.uuid()),
  alert_id: nullable(col.uuid()),
  kind: col.text<'visit' | 'call' | 'delivery' | 'check' | 'followup'>(),
  reason: nullable(col.text()),
  due_at: col.timestamptz(),
  time_zone: col.text(),
  assignee_user_id: nullable(col.uuid()),
  team_id: nullable(col.uuid()),
  service_code: nullable(col.text()),
  status: col.text<'open' | 'done' | 'cancelled'>(),
  completed_at: nullable(col.timestamptz()),
  completed_by: nullable(col.uuid()),
  wellbeing: nullable(col.text<'ok' | 'concern' | 'urgent'>()),
  note: nullable(col.text()),
  order_id: nullable(col.uuid()),
  source_order_id: nullable(col.uuid()),
  data: nullable(col.jsonb<Record<string, unknown>>()),
  created_at: col.timestamptz(),
  campaign_id: nullable(col.uuid()),
  /** when its visit_due went out (once, on its local day) */
  announced_at: nullable(col.timestamptz()),
});
export type CareVisitRow = Row<typeof CARE_VISITS>;

export const CARE_DEVICE_KEYS = table('care_device_keys', {
  id: col.uuid(),
  beneficiary_id: col.uuid(),
  name: col.text(),
  key_hash: col.text(),
  created_by: col.uuid(),
  created_at: col.timestamptz(),
  revoked_at: nullable(col.timestamptz()),
});
export type CareDeviceKeyRow = Row<typeof CARE_DEVICE_KEYS>;

/** A county's plan template for a beneficiary tag (the check-in and the duties, without assignee). */
export const CARE_TEMPLATES = table('care_templates', {
  id: col.uuid(),
  county_id: col.uuid(),
  tag: col.text(),
  name: col.text(),
  check_in: nullable(col.jsonb<{ dailyBy: string; graceMinutes?: number; timeZone?: string }>()),
  visits: col.jsonb<{ kind: 'visit' | 'call' | 'delivery'; rrule: string; serviceCode?: string }[]>(),
  created_by: col.uuid(),
  updated_by: col.uuid(),
  version: col.int(),
  created_at: col.timestamptz(),
  updated_at: col.timestamptz(),
});
export type CareTemplateRow = Row<typeof CARE_TEMPLATES>;

/** A round of visits (五必访, a cold snap) to everyone matching a tag set in a region. */
export const CARE_CAMPAIGNS = table('care_campaigns', {
  id: col.uuid(),
  region_id: col.uuid(),
  reason: col.text<'cold_snap' | 'heat_wave' | 'festival' | 'other'>(),
  title: col.text(),
  tags: col.textArray(),
  age_bands: col.textArray(),
  due_at: col.timestamptz(),
  client_key: col.text(),
  created_by: col.uuid(),
  created_at: col.timestamptz(),
});
export type CareCampaignRow = Row<typeof CARE_CAMPAIGNS>;
