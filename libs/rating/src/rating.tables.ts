import { col, nullable, Row, table } from '@xinyuan/common';

/** 评单: one rating per order, by the person who placed it. */
export const RATINGS = table('ratings', {
  id: col.uuid(),
  order_id: col.uuid(),
  resident_id: col.uuid(),
  team_id: col.uuid(),
  stars: col.smallint(),
  solved: col.bool(),
  comment: nullable(col.text()),
  dimensions: nullable(col.jsonb<Record<string, number>>()),
  created_at: col.timestamptz(),
});
export type RatingRow = Row<typeof RATINGS>;

/** Running sums per team, updated in the rating's transaction; the reputation score is computed from them. */
export const TEAM_REPUTATION = table('team_reputation', {
  team_id: col.uuid(),
  rating_count: col.int(),
  stars_sum: col.int(),
  solved_count: col.int(),
  updated_at: col.timestamptz(),
});
export type TeamReputationRow = Row<typeof TEAM_REPUTATION>;
