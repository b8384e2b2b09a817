import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DomainException } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import type { AuthUser } from '@xinyuan/identity';
import { JurisdictionService, scopeSql } from '@xinyuan/org';
import { ColumnIndex, ColumnSpec, readSkills, RowProblem, rowCells } from './import-columns';
import { BatchOutcome, ImportKind, PlannedRow } from './import-runner';

export interface TeamRowValue {
  name: string;
  regionId: string;
  lat: number;
  lng: number;
  serviceRadiusM: number;
  skills: string[];
  capacity: number;
}

export const TEAM_COLUMNS: readonly ColumnSpec[] = [
  { key: 'name', header: '队伍名称', aliases: ['name'], required: true, example: '示例村志愿服务队' },
  { key: 'region', header: '所属区域', aliases: ['region'], required: true, example: '示例村' },
  { key: 'lat', header: '纬度', aliases: ['lat', 'latitude'], required: true, example: '30.63' },
  { key: 'lng', header: '经度', aliases: ['lng', 'long', 'longitude'], required: true, example: '119.68' },
  { key: 'radius', header: '服务半径（米）', aliases: ['服务半径', 'serviceRadiusM'], required: true, example: '3000' },
  { key: 'skills', header: '技能', aliases: ['skills'], required: false, example: '理发、陪护' },
  { key: 'capacity', header: '同时接单上限', aliases: ['接单上限', 'capacity'], required: true, example: '3' },
];

interface Ctx {
  /** Regions of the caller's jurisdiction by name (a name may be used twice). */
  regions: Map<string, string[]>;
  skills: Map<string, string>;
  maxRadius: number;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/** Chinese skill names → skill ids, from the skill list admins keep. */
export async function skillNames(m: DataSource | EntityManager): Promise<Map<string, string>> {
  const rows: { code: string; zh: string }[] = await m.query(`SELECT code, zh FROM skill_labels`);
  return new Map(rows.map((r) => [r.zh, r.code]));
}

/**
 * Volunteer teams from a spreadsheet (admins). A team is its name inside its region (所属区域, a
 * region of the caller's jurisdiction by name): the same row again changes nothing, a changed row
 * updates that team — also one created in the console. Radius and capacity follow the console's rules.
 */
@Injectable()
export class TeamImport implements ImportKind<TeamRowValue, Ctx> {
  readonly kind = 'teams' as const;
  readonly label = '志愿服务队';
  readonly auditPrefix = 'team';
  readonly columns = TEAM_COLUMNS;

  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdiction: JurisdictionService,
    private readonly config: AppConfig,
  ) {}

  async context(user: AuthUser): Promise<Ctx> {
    const scope = await this.jurisdiction.staffScope(user);
    if (!user.roles.includes('admin') || scope.kind === 'none') throw DomainException.forbidden('只有管理员可以导入队伍');
    const params: unknown[] = [];
    const rows: { id: string; name: string }[] = await this.dataSource.query(`SELECT id, name FROM regions WHERE ${scopeSql(scope, 'id', params)}`, params);
    const regions = new Map<string, string[]>();
    for (const r of rows) regions.set(r.name, [...(regions.get(r.name) ?? []), r.id]);
    return { regions, skills: await skillNames(this.dataSource), maxRadius: this.config.DISPATCH_MAX_RADIUS_M };
  }

  readRow(ctx: Ctx, row: number, cells: string[], index: ColumnIndex): { value?: TeamRowValue; problems: RowProblem[] } {
    const { problems, cell, bad } = rowCells(TEAM_COLUMNS, row, cells, index);
    const name = cell('name');
    if (!name) bad('name', '队伍名称不能为空');
    else if (name.length > 100) bad('name', '队伍名称不能超过 100 个字');
    const regionName = cell('region');
    const regionIds = ctx.regions.get(regionName) ?? [];
    if (!regionName) bad('region', '所属区域不能为空');
    else if (regionIds.length === 0) bad('region', `您的管辖范围内没有叫「${regionName}」的区域`);
    else if (regionIds.length > 1) bad('region', `有 ${regionIds.length} 个区域都叫「${regionName}」，请先在控制台改名区分`);
    const lat = Number(cell('lat'));
    const lng = Number(cell('lng'));
    if (!cell('lat') || !Number.isFinite(lat) || lat < -90 || lat > 90) bad('lat', '纬度应为 -90 到 90 之间的数字');
    if (!cell('lng') || !Number.isFinite(lng) || lng < -180 || lng > 180) bad('lng', '经度应为 -180 到 180 之间的数字');
    const radius = Number(cell('radius'));
    if (!Number.isInteger(radius) || radius < 100 || radius > ctx.maxRadius) bad('radius', `服务半径应为 100 到 ${ctx.maxRadius} 之间的整数（米）`);
    const skills = readSkills(cell('skills'), ctx.skills, (m) => bad('skills', m));
    const capacity = Number(cell('capacity'));
    if (!Number.isInteger(capacity) || capacity < 0 || capacity > 1000) bad('capacity', '同时接单上限应为 0 到 1000 之间的整数');
    if (problems.length) return { problems };
    return { problems, value: { name, regionId: regionIds[0], lat, lng, serviceRadiusM: radius, skills, capacity } };
  }

  naturalKey(_ctx: Ctx, v: TeamRowValue): string {
    return `${v.regionId}|${v.name}`;
  }

  duplicateProblem(_v: TeamRowValue, first: number) {
    return { column: '队伍名称', message: `与第 ${first} 行是同一支队伍（同一区域里名称相同）` };
  }

  async plan(_ctx: Ctx, rows: { row: number; value: TeamRowValue }[]): Promise<{ problems: RowProblem[]; planned: PlannedRow<TeamRowValue>[] }> {
    const problems: RowProblem[] = [];
    const planned: PlannedRow<TeamRowValue>[] = [];
    if (!rows.length) return { problems, planned };
    const existing: { j: number; id: string; lat: number; lng: number; service_radius_m: number; skills: string[]; capacity: number; active_orders: number }[] =
      await this.dataSource.query(
        `SELECT x.j, t.id, ST_Y(t.location::geometry) AS lat, ST_X(t.location::geometry) AS lng, t.service_radius_m, t.skills, t.capacity, t.active_orders
           FROM jsonb_to_recordset($1::jsonb) AS x(j int, region_id uuid, name text)
           JOIN LATERAL (SELECT * FROM teams t WHERE t.region_id = x.region_id AND t.name = x.name ORDER BY t.created_at LIMIT 1) t ON true`,
        [JSON.stringify(rows.map((r, j) => ({ j, region_id: r.value.regionId, name: r.value.name })))],
      );
    const byRow = new Map(existing.map((e) => [e.j, e]));
    rows.forEach(({ row, value: v }, j) => {
      const e = byRow.get(j);
      if (e && v.capacity < e.active_orders) {
        problems.push({ row, column: '同时接单上限', message: `这支队伍正在服务 ${e.active_orders} 单，上限不能低于它` });
        return;
      }
      const changed = !!e && (Math.abs(e.lat - v.lat) > 1e-7 || Math.abs(e.lng - v.lng) > 1e-7 || e.service_radius_m !== v.serviceRadiusM ||
        !sameSet(e.skills, v.skills) || e.capacity !== v.capacity);
      planned.push({ row, value: v, existingId: e?.id ?? null, changed });
    });
    return { problems, planned };
  }

  async write(m: EntityManager, _ctx: Ctx, _user: AuthUser, batch: PlannedRow<TeamRowValue>[]): Promise<BatchOutcome> {
    const json = (rows: PlannedRow<TeamRowValue>[]) =>
      JSON.stringify(rows.map((p) => ({ id: p.existingId, name: p.value.name, region_id: p.value.regionId, lat: p.value.lat, lng: p.value.lng,
        radius: p.value.serviceRadiusM, skills: p.value.skills, capacity: p.value.capacity })));
    const RECORD = `x(id uuid, name text, region_id uuid, lat float8, lng float8, radius int, skills text[], capacity int)`;
    const fresh = batch.filter((p) => !p.existingId);
    const changed = batch.filter((p) => p.existingId);
    let created = 0;
    let updated = 0;
    if (fresh.length) {
      // Two imports of the same file at once: a team is found by (region, name), which nothing makes
      // unique, so each import locks those keys (a batch's in one order) until it commits. The second
      // waits, and its INSERT, a new statement with a new snapshot, then finds the first's teams. Only
      // a batch's keys are ordered: a `file` import (one transaction over several batches) holds its earlier
      // batches' keys, so another import whose new teams overlap them in crossing order can deadlock
      // (Postgres aborts one).
      await m.query(
        `SELECT pg_advisory_xact_lock(k.lock) FROM (SELECT DISTINCT hashtextextended('team-import|' || x.region_id || '|' || x.name, 0) AS lock
           FROM jsonb_to_recordset($1::jsonb) AS ${RECORD} ORDER BY 1) k`,
        [json(fresh)],
      );
      const rows = await m.query(
        `INSERT INTO teams (name, region_id, location, service_radius_m, skills, capacity)
         SELECT x.name, x.region_id, ST_SetSRID(ST_MakePoint(x.lng, x.lat), 4326)::geography, x.radius, x.skills, x.capacity
           FROM jsonb_to_recordset($1::jsonb) AS ${RECORD}
          WHERE NOT EXISTS (SELECT 1 FROM teams t WHERE t.region_id = x.region_id AND t.name = x.name)
         RETURNING id`,
        [json(fresh)],
      );
      created = rows.length;
    }
    if (changed.length) {
      // capacity never below the orders being served (the table's CHECK holds it; the plan reported it)
      const [, n] = await m.query(
        `UPDATE teams t SET location = ST_SetSRID(ST_MakePoint(x.lng, x.lat), 4326)::geography, service_radius_m = x.radius, skills = x.skills,
                capacity = GREATEST(x.capacity, t.active_orders)
           FROM jsonb_to_recordset($1::jsonb) AS ${RECORD} WHERE t.id = x.id RETURNING t.id`,
        [json(changed)],
      );
      updated = n;
    }
    return { created, updated };
  }
}
