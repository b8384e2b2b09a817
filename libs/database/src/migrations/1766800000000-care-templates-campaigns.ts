import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Proactive care, second part: plan templates by beneficiary tag and visit campaigns (五必访, weather).
 *
 * - `care_templates` one per county and tag (独居老人: a daily call and a weekly visit; 特困: a monthly
 *   visit; 留守儿童: a weekly call): the daily check-in and the duties (RFC 5545 rules, no assignee —
 *   the grid worker who applies it names one). A county's admin sets them; applying one writes an
 *   ordinary plan that can then be adjusted.
 * - `care_campaigns` a one-off round of visits to everyone matching a tag set (and age bands) in a
 *   region, for a reason (寒潮 cold_snap, 高温 heat_wave, 节日 festival, other), due by `due_at`;
 *   unique per creator and client key, so creating it twice makes one.
 * - `care_visits.campaign_id` the campaign's tasks (one per person: unique).
 */
export class CareTemplatesCampaigns1766800000000 implements MigrationInterface {
  name = 'CareTemplatesCampaigns1766800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE care_templates (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        county_id   uuid NOT NULL REFERENCES regions(id),
        tag         text NOT NULL,
        name        text NOT NULL,
        check_in    jsonb,
        visits      jsonb NOT NULL DEFAULT '[]',
        created_by  uuid NOT NULL REFERENCES users(id),
        updated_by  uuid NOT NULL REFERENCES users(id),
        version     integer NOT NULL DEFAULT 1,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        UNIQUE (county_id, tag)
      )`);
    await q.query(`
      CREATE TABLE care_campaigns (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        region_id   uuid NOT NULL REFERENCES regions(id),
        reason      text NOT NULL CHECK (reason IN ('cold_snap', 'heat_wave', 'festival', 'other')),
        title       text NOT NULL,
        tags        text[] NOT NULL DEFAULT '{}',
        age_bands   text[] NOT NULL DEFAULT '{}',
        due_at      timestamptz NOT NULL,
        client_key  text NOT NULL,
        created_by  uuid NOT NULL REFERENCES users(id),
        created_at  timestamptz NOT NULL DEFAULT now(),
        UNIQUE (created_by, client_key)
      )`);
    await q.query(`CREATE INDEX care_campaigns_region_idx ON care_campaigns (region_id, created_at DESC)`);
    await q.query(`ALTER TABLE care_visits ADD COLUMN campaign_id uuid REFERENCES care_campaigns(id)`);
    await q.query(`CREATE UNIQUE INDEX care_visits_campaign_person ON care_visits (campaign_id, beneficiary_id) WHERE campaign_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX care_visits_campaign_person`);
    await q.query(`ALTER TABLE care_visits DROP COLUMN campaign_id`);
    await q.query(`DROP TABLE care_campaigns`);
    await q.query(`DROP TABLE care_templates`);
  }
}
