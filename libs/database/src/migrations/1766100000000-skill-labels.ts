import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Skill ids (`meal_delivery`) are what teams, volunteers and menu items carry; people read labels.
 * `skill_labels` holds the Chinese and English label of each id, edited by the admins who edit the
 * menu (PUT /api/v1/skills/:code). The common vocabulary is labelled here; a deployment adds its own.
 */
const LABELS: [code: string, zh: string, en: string][] = [
  ['haircut', '理发', 'Haircut'],
  ['tutoring', '课业辅导', 'Tutoring'],
  ['meal_delivery', '助餐送餐', 'Meal delivery'],
  ['cooking', '烹饪', 'Cooking'],
  ['counseling', '心理疏导', 'Counselling'],
  ['legal', '法律', 'Legal advice'],
  ['mediation', '纠纷调解', 'Mediation'],
  ['policy_advice', '政策咨询', 'Policy advice'],
  ['medical', '医疗', 'Medical'],
  ['nursing', '护理', 'Nursing'],
  ['rehabilitation', '康复理疗', 'Rehabilitation'],
  ['appliance_repair', '家电维修', 'Appliance repair'],
  ['electrical', '水电维修', 'Electrical and water repairs'],
  ['plumbing', '管道疏通', 'Plumbing'],
  ['housing_repair', '房屋修缮', 'Home repairs'],
  ['cleaning', '保洁', 'Cleaning'],
  ['errand', '跑腿代办', 'Errands'],
  ['transport', '接送出行', 'Transport'],
  ['moving_help', '搬运', 'Moving help'],
  ['companionship', '陪伴', 'Companionship'],
  ['elder_care', '助老照护', 'Elder care'],
  ['child_care', '儿童关爱', 'Child care'],
  ['disability_care', '助残', 'Disability support'],
  ['reading_companion', '阅读陪伴', 'Reading together'],
  ['tech_help', '智能手机教学', 'Smartphone help'],
  ['arts_culture', '文艺', 'Arts and culture'],
  ['photography', '摄影', 'Photography'],
  ['sports', '体育健身', 'Sports and fitness'],
  ['sewing', '缝补', 'Sewing and mending'],
  ['environment', '生态环保', 'Environment'],
];

export class SkillLabels1766100000000 implements MigrationInterface {
  name = 'SkillLabels1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE skill_labels (
        code       text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
        zh         text NOT NULL CHECK (length(btrim(zh)) BETWEEN 1 AND 40),
        en         text NOT NULL CHECK (length(btrim(en)) BETWEEN 1 AND 60),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by uuid REFERENCES users(id)
      )`);
    await q.query(
      `INSERT INTO skill_labels (code, zh, en) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT (code) DO NOTHING`,
      [LABELS.map((l) => l[0]), LABELS.map((l) => l[1]), LABELS.map((l) => l[2])],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE skill_labels`);
  }
}
