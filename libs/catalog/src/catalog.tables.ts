import { col, nullable, Row, table } from '@xinyuan/common';

export type OfferMode = 'offer' | 'grab';

/**
 * An item of the service menu (菜单). `offer_mode`: one team at a time, or several at once (抢单).
 * `region_id`: NULL for a deployment-wide item, else the county (root region) whose item it is.
 */
export const SERVICES = table('services', {
  id: col.uuid(),
  code: col.text(),
  name: col.text(),
  group_name: col.text(),
  description: nullable(col.text()),
  required_skills: col.textArray(),
  accept_timeout_seconds: col.int(),
  requires_review: col.bool(),
  active: col.bool(),
  created_at: col.timestamptz(),
  offer_mode: col.text<OfferMode>(),
  region_id: nullable(col.uuid()),
  /** how long a non-urgent, not imminent order may wait to be matched in a batch (0..60 s) */
  batch_window_seconds: col.smallint(),
});
export type ServiceRow = Row<typeof SERVICES>;

/** Chinese and English names of the skill ids teams, members and menu items carry (admins edit them). */
export const SKILL_LABELS = table('skill_labels', {
  code: col.text(),
  zh: col.text(),
  en: col.text(),
  updated_at: col.timestamptz(),
  updated_by: nullable(col.uuid()),
});
export type SkillLabelRow = Row<typeof SKILL_LABELS>;
