import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainException, ErrorCode } from '@xinyuan/common';

/** A skill id with its labels (null until an admin gives one) and how many teams and menu items carry it. */
export interface SkillLabel {
  code: string;
  zh: string | null;
  en: string | null;
  teams: number;
  services: number;
  updatedAt: string | null;
}

interface SkillLabelRow {
  code: string;
  zh: string | null;
  en: string | null;
  teams: number;
  services: number;
  updated_at: Date | null;
}

const toLabel = (r: SkillLabelRow): SkillLabel => ({
  code: r.code, zh: r.zh, en: r.en, teams: r.teams, services: r.services, updatedAt: r.updated_at ? new Date(r.updated_at).toISOString() : null,
});

/**
 * Every skill id the platform knows — labelled, or carried by a team, a volunteer or a menu item —
 * with its labels. Ids stay what dispatch matches on; the labels are what people read.
 */
const SKILLS_SQL = `
  WITH used AS (
    SELECT unnest(skills) AS code, 1 AS team, 0 AS service FROM teams
    UNION ALL SELECT unnest(required_skills), 0, 1 FROM services
    UNION ALL SELECT unnest(skills), 0, 0 FROM team_members),
  counted AS (SELECT code, sum(team)::int AS teams, sum(service)::int AS services FROM used GROUP BY code)
  SELECT coalesce(l.code, c.code) AS code, l.zh, l.en, coalesce(c.teams, 0) AS teams, coalesce(c.services, 0) AS services, l.updated_at
    FROM skill_labels l FULL JOIN counted c ON c.code = l.code`;

@Injectable()
export class SkillLabels {
  constructor(private readonly dataSource: DataSource) {}

  async list(): Promise<SkillLabel[]> {
    const rows: SkillLabelRow[] = await this.dataSource.query(`${SKILLS_SQL} ORDER BY 1`);
    return rows.map(toLabel);
  }

  /** Labels a known skill (one with a label already, or carried by a team, volunteer or menu item); 404 SKILL_NOT_FOUND otherwise. */
  async label(code: string, labels: { zh: string; en: string }, by: string): Promise<SkillLabel> {
    return this.dataSource.transaction(async (m) => {
      const [known]: SkillLabelRow[] = await m.query(`SELECT * FROM (${SKILLS_SQL}) s WHERE s.code = $1`, [code]);
      if (!known) throw DomainException.notFound(ErrorCode.SkillNotFound);
      await m.query(
        `INSERT INTO skill_labels (code, zh, en, updated_at, updated_by) VALUES ($1, $2, $3, now(), $4)
         ON CONFLICT (code) DO UPDATE SET zh = EXCLUDED.zh, en = EXCLUDED.en, updated_at = now(), updated_by = EXCLUDED.updated_by`,
        [code, labels.zh.trim(), labels.en.trim(), by],
      );
      const [row]: SkillLabelRow[] = await m.query(`SELECT * FROM (${SKILLS_SQL}) s WHERE s.code = $1`, [code]);
      return toLabel(row);
    });
  }
}
