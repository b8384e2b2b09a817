import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { menuEditorOf, menuEditRight, MenuEditor, ServiceView } from '@xinyuan/catalog';
import { DomainException } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import type { AuthUser } from '@xinyuan/identity';
import { JurisdictionService } from '@xinyuan/org';
import { ColumnIndex, ColumnSpec, readSkills, RowProblem, rowCells, yesNo } from './import-columns';
import { BatchOutcome, ImportKind, PlannedRow } from './import-runner';
import { skillNames } from './team-import';

/** A row is a menu item as the catalogue keeps it (its county comes from the importer). */
export type MenuRowValue = Pick<ServiceView, 'code' | 'name' | 'group' | 'description' | 'requiredSkills' | 'acceptTimeoutSeconds' | 'requiresReview' | 'offerMode' | 'active'>;

export const MENU_COLUMNS: readonly ColumnSpec[] = [
  { key: 'code', header: '服务编码', aliases: ['编码', 'code'], required: true, example: 'HAIRCUT' },
  { key: 'name', header: '服务名称', aliases: ['名称', 'name'], required: true, example: '上门理发' },
  { key: 'group', header: '分组', aliases: ['group'], required: true, example: '生活照料' },
  { key: 'description', header: '说明', aliases: ['description'], required: false, example: '志愿者带工具上门理发' },
  { key: 'skills', header: '所需技能', aliases: ['技能', 'requiredSkills'], required: false, example: '理发' },
  { key: 'timeout', header: '接单时限（分钟）', aliases: ['接单时限', 'acceptTimeoutMinutes'], required: false, example: '15' },
  { key: 'review', header: '需要审核', aliases: ['requiresReview'], required: false, example: '否' },
  { key: 'mode', header: '派单方式', aliases: ['offerMode'], required: false, example: '派单' },
  { key: 'active', header: '启用', aliases: ['active'], required: false, example: '是' },
];

const MODE_WORDS: Record<string, 'offer' | 'grab'> = { 派单: 'offer', 逐队派单: 'offer', offer: 'offer', 抢单: 'grab', grab: 'grab' };

interface Ctx {
  editor: MenuEditor;
  /** The county new items belong to (null: deployment-wide, the everything-scope admin). */
  countyId: string | null;
  skills: Map<string, string>;
  minTimeout: number;
}

/**
 * Menu items (服务菜单) from a spreadsheet, under the console's rules: county-wide admins import their
 * county's own items, the everything-scope admin deployment-wide ones; an item is its code. The same
 * row again changes nothing; a changed row updates the item (its code and county never change); a
 * code used by an item the caller may not edit is reported on its row.
 */
@Injectable()
export class MenuImport implements ImportKind<MenuRowValue, Ctx> {
  readonly kind = 'services' as const;
  readonly label = '服务菜单';
  readonly auditPrefix = 'service';
  readonly columns = MENU_COLUMNS;

  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdiction: JurisdictionService,
    private readonly config: AppConfig,
  ) {}

  async context(user: AuthUser): Promise<Ctx> {
    const editor = menuEditorOf(user.roles, await this.jurisdiction.staffScope(user));
    if (editor.kind === 'none') throw DomainException.forbidden('只有县级管理员可以导入本县的服务菜单');
    return { editor, countyId: editor.kind === 'county' ? editor.countyId : null, skills: await skillNames(this.dataSource), minTimeout: this.config.ACCEPT_TIMEOUT_MIN_SECONDS };
  }

  readRow(ctx: Ctx, row: number, cells: string[], index: ColumnIndex): { value?: MenuRowValue; problems: RowProblem[] } {
    const { problems, cell, bad } = rowCells(MENU_COLUMNS, row, cells, index);
    const code = cell('code').toUpperCase();
    if (!code) bad('code', '服务编码不能为空');
    else if (!/^[A-Z][A-Z0-9_]{1,39}$/.test(code)) bad('code', '服务编码应为大写英文字母开头，只含字母、数字和下划线（如 HAIRCUT）');
    const name = cell('name');
    if (!name) bad('name', '服务名称不能为空');
    else if (name.length > 100) bad('name', '服务名称不能超过 100 个字');
    const group = cell('group');
    if (!group) bad('group', '分组不能为空');
    else if (group.length > 50) bad('group', '分组不能超过 50 个字');
    const description = cell('description') || null;
    if (description && description.length > 1000) bad('description', '说明不能超过 1000 个字');
    const requiredSkills = readSkills(cell('skills'), ctx.skills, (m) => bad('skills', m));
    const minutes = cell('timeout') ? Number(cell('timeout')) : 15;
    const seconds = Math.round(minutes * 60);
    if (!Number.isFinite(minutes) || seconds < Math.max(ctx.minTimeout, 1) || seconds > 86400) bad('timeout', '接单时限应为 1 到 1440 之间的分钟数');
    const review = cell('review') ? yesNo(cell('review')) : false;
    if (review === undefined) bad('review', '需要审核请填“是”或“否”');
    const modeRaw = cell('mode');
    const offerMode = modeRaw ? MODE_WORDS[modeRaw] : 'offer';
    if (!offerMode) bad('mode', '派单方式应为：派单 或 抢单');
    const active = cell('active') ? yesNo(cell('active')) : true;
    if (active === undefined) bad('active', '启用请填“是”或“否”');
    if (problems.length) return { problems };
    return { problems, value: { code, name, group, description, requiredSkills, acceptTimeoutSeconds: seconds, requiresReview: review!, offerMode, active: active! } };
  }

  naturalKey(_ctx: Ctx, v: MenuRowValue): string {
    return v.code;
  }

  duplicateProblem(_v: MenuRowValue, first: number) {
    return { column: '服务编码', message: `与第 ${first} 行的服务编码相同` };
  }

  async plan(ctx: Ctx, rows: { row: number; value: MenuRowValue }[]): Promise<{ problems: RowProblem[]; planned: PlannedRow<MenuRowValue>[] }> {
    const problems: RowProblem[] = [];
    const planned: PlannedRow<MenuRowValue>[] = [];
    if (!rows.length) return { problems, planned };
    const existing: Record<string, any>[] = await this.dataSource.query(`SELECT * FROM services WHERE code = ANY($1::text[])`, [rows.map((r) => r.value.code)]);
    const byCode = new Map(existing.map((e) => [e.code as string, e]));
    for (const { row, value: v } of rows) {
      const e = byCode.get(v.code);
      if (e) {
        const right = menuEditRight(ctx.editor, ctx.countyId, { regionId: e.region_id });
        if (right !== 'edit') {
          problems.push({ row, column: '服务编码', message: right === 'read' ? '这是各地通用的服务项目，只能由系统管理员修改' : '这个编码已被其他县的服务项目使用，请换一个编码' });
          continue;
        }
      }
      const changed = !!e && (e.name !== v.name || e.group_name !== v.group || e.description !== v.description || e.accept_timeout_seconds !== v.acceptTimeoutSeconds ||
        e.requires_review !== v.requiresReview || e.offer_mode !== v.offerMode || e.active !== v.active ||
        [...e.required_skills].sort().join() !== [...v.requiredSkills].sort().join());
      planned.push({ row, value: v, existingId: e?.id ?? null, changed });
    }
    return { problems, planned };
  }

  async write(m: EntityManager, ctx: Ctx, _user: AuthUser, batch: PlannedRow<MenuRowValue>[]): Promise<BatchOutcome> {
    const json = (rows: PlannedRow<MenuRowValue>[]) =>
      JSON.stringify(rows.map(({ value: v }) => ({ code: v.code, name: v.name, group_name: v.group, description: v.description, skills: v.requiredSkills,
        timeout: v.acceptTimeoutSeconds, review: v.requiresReview, mode: v.offerMode, active: v.active })));
    const RECORD = `x(code text, name text, group_name text, description text, skills text[], timeout int, review boolean, mode text, active boolean)`;
    const fresh = batch.filter((p) => !p.existingId);
    const changed = batch.filter((p) => p.existingId);
    let created = 0;
    let updated = 0;
    if (fresh.length) {
      const rows = await m.query(
        `INSERT INTO services (code, name, group_name, description, required_skills, accept_timeout_seconds, requires_review, offer_mode, active, region_id)
         SELECT x.code, x.name, x.group_name, x.description, x.skills, x.timeout, x.review, x.mode, x.active, $2 FROM jsonb_to_recordset($1::jsonb) AS ${RECORD}
         ON CONFLICT (code) DO NOTHING RETURNING id`,
        [json(fresh), ctx.countyId],
      );
      created = rows.length;
    }
    if (changed.length) {
      const [, n] = await m.query(
        `UPDATE services s SET name = x.name, group_name = x.group_name, description = x.description, required_skills = x.skills,
                accept_timeout_seconds = x.timeout, requires_review = x.review, offer_mode = x.mode, active = x.active
           FROM jsonb_to_recordset($1::jsonb) AS ${RECORD} WHERE s.code = x.code`,
        [json(changed)],
      );
      updated = n;
    }
    return { created, updated };
  }
}
