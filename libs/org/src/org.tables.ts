import { col, nullable, Row, table } from '@xinyuan/common';

export const REGION_LEVELS = ['county', 'township', 'village', 'point'] as const;
export type RegionLevel = (typeof REGION_LEVELS)[number];

export const TEAM_MEMBER_ROLES = ['leader', 'member'] as const;
export type TeamMemberRole = (typeof TEAM_MEMBER_ROLES)[number];

/**
 * The administrative hierarchy: county centre (中心) → township (所) → village/community station
 * (站) → point (点). `path` holds the ancestors' ids root first and the region's own id last
 * (maintained by a trigger; GIN-indexed for subtree queries).
 */
export const REGIONS = table('regions', {
  id: col.uuid(),
  name: col.text(),
  level: col.text<RegionLevel>(),
  parent_id: nullable(col.uuid()),
  boundary: nullable(col.geography()),
  created_at: col.timestamptz(),
  path: col.uuidArray(),
});
export type RegionRow = Row<typeof REGIONS>;

/** A volunteer team: where it is, how far it serves, what it can do, how many orders it may hold. */
export const TEAMS = table('teams', {
  id: col.uuid(),
  name: col.text(),
  region_id: col.uuid(),
  location: col.geography(),
  service_radius_m: col.int(),
  skills: col.textArray(),
  capacity: col.int(),
  /** Orders accepted and not yet completed or cancelled; never above capacity (CHECK). */
  active_orders: col.int(),
  active: col.bool(),
  created_at: col.timestamptz(),
});
export type TeamRow = Row<typeof TEAMS>;

export const TEAM_MEMBERS = table('team_members', {
  team_id: col.uuid(),
  user_id: col.uuid(),
  role: col.text<TeamMemberRole>(),
  skills: col.textArray(),
  joined_at: col.timestamptz(),
});
export type TeamMemberRow = Row<typeof TEAM_MEMBERS>;
