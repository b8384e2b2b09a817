import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DomainException, PiiCipher } from '@xinyuan/common';
import { AuthUser, isPasswordOnly, MAINLAND_MOBILE, normalizePhone, Role, SessionService } from '@xinyuan/identity';
import { JurisdictionService, scopeSql } from '@xinyuan/org';
import { ColumnIndex, ColumnSpec, readSkills, RowProblem, rowCells } from './import-columns';
import { BatchOutcome, ImportKind, PlannedRow } from './import-runner';
import { skillNames } from './team-import';

export interface MemberRowValue {
  teamId: string;
  name: string;
  /** Normalised mainland mobile number (never stored in clear). */
  phone: string;
  role: 'leader' | 'member';
  skills: string[];
}

export const MEMBER_COLUMNS: readonly ColumnSpec[] = [
  { key: 'team', header: '队伍名称', aliases: ['team'], required: true, example: '示例村志愿服务队' },
  { key: 'region', header: '队伍所属区域', aliases: ['所属区域', 'region'], required: false, example: '示例村' },
  { key: 'name', header: '姓名', aliases: ['name'], required: true, example: '示例王某' },
  { key: 'phone', header: '手机号', aliases: ['联系电话', 'phone'], required: true, example: '13700000000' },
  { key: 'role', header: '队内角色', aliases: ['role'], required: false, example: '队员' },
  { key: 'skills', header: '技能', aliases: ['skills'], required: false, example: '理发' },
];

const ROLE_WORDS: Record<string, 'leader' | 'member'> = { 队长: 'leader', 负责人: 'leader', leader: 'leader', 队员: 'member', 成员: 'member', member: 'member' };

interface Ctx {
  /** Teams of the caller's jurisdiction by name, with their region's name. */
  teams: Map<string, { id: string; region: string }[]>;
  skills: Map<string, string>;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/**
 * Team members from a spreadsheet (admins): a person is their mobile number inside a team. A number
 * without an account gets a volunteer account without a password (they sign in with an SMS code);
 * an account that exists gets the volunteer role (its sessions end: roles travel in the token). A
 * staff account (admin, dispatcher, grid worker) is left to the console, where its jurisdiction is
 * checked. The same row again changes nothing; a new role or skills update the membership. Numbers
 * are validated as mobile numbers and stored as the console does (encrypted, blind-indexed).
 */
@Injectable()
export class MemberImport implements ImportKind<MemberRowValue, Ctx> {
  readonly kind = 'team-members' as const;
  readonly label = '队员';
  readonly auditPrefix = 'team_member';
  readonly columns = MEMBER_COLUMNS;

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: PiiCipher,
    private readonly jurisdiction: JurisdictionService,
    private readonly sessions: SessionService,
  ) {}

  async context(user: AuthUser): Promise<Ctx> {
    const scope = await this.jurisdiction.staffScope(user);
    if (!user.roles.includes('admin') || scope.kind === 'none') throw DomainException.forbidden('只有管理员可以导入队员');
    const params: unknown[] = [];
    const rows: { id: string; name: string; region: string }[] = await this.dataSource.query(
      `SELECT t.id, t.name, r.name AS region FROM teams t JOIN regions r ON r.id = t.region_id WHERE ${scopeSql(scope, 't.region_id', params)}`,
      params,
    );
    const teams = new Map<string, { id: string; region: string }[]>();
    for (const r of rows) teams.set(r.name, [...(teams.get(r.name) ?? []), { id: r.id, region: r.region }]);
    return { teams, skills: await skillNames(this.dataSource) };
  }

  readRow(ctx: Ctx, row: number, cells: string[], index: ColumnIndex): { value?: MemberRowValue; problems: RowProblem[] } {
    const { problems, cell, bad } = rowCells(MEMBER_COLUMNS, row, cells, index);
    const teamName = cell('team');
    const regionName = cell('region');
    const teams = (ctx.teams.get(teamName) ?? []).filter((t) => !regionName || t.region === regionName);
    if (!teamName) bad('team', '队伍名称不能为空');
    else if (teams.length === 0) bad('team', `您的管辖范围内没有「${teamName}」${regionName ? `（${regionName}）` : ''}这支队伍，请先导入或创建队伍`);
    else if (teams.length > 1) bad('region', `有 ${teams.length} 支队伍都叫「${teamName}」，请填写队伍所属区域`);
    const name = cell('name');
    if (!name) bad('name', '姓名不能为空');
    else if (name.length > 50) bad('name', '姓名不能超过 50 个字');
    const phone = normalizePhone(cell('phone'));
    if (!phone) bad('phone', '手机号不能为空');
    else if (!MAINLAND_MOBILE.test(phone)) bad('phone', '手机号应为 11 位手机号码');
    const roleRaw = cell('role');
    const role = roleRaw ? ROLE_WORDS[roleRaw] : 'member';
    if (!role) bad('role', '队内角色应为：队长 或 队员');
    const skills = readSkills(cell('skills'), ctx.skills, (m) => bad('skills', m));
    if (problems.length) return { problems };
    return { problems, value: { teamId: teams[0].id, name, phone, role, skills } };
  }

  naturalKey(_ctx: Ctx, v: MemberRowValue): string {
    return `${v.teamId}|${v.phone}`;
  }

  duplicateProblem(_v: MemberRowValue, first: number) {
    return { column: '手机号', message: `与第 ${first} 行是同一支队伍里的同一个人（手机号相同）` };
  }

  async plan(_ctx: Ctx, rows: { row: number; value: MemberRowValue }[]): Promise<{ problems: RowProblem[]; planned: PlannedRow<MemberRowValue>[] }> {
    const problems: RowProblem[] = [];
    const planned: PlannedRow<MemberRowValue>[] = [];
    if (!rows.length) return { problems, planned };
    const found: { j: number; user_id: string | null; roles: Role[] | null; disabled: boolean | null; member_role: string | null; member_skills: string[] | null }[] =
      await this.dataSource.query(
        `SELECT x.j, u.id AS user_id, u.roles, u.disabled_at IS NOT NULL AS disabled, tm.role AS member_role, tm.skills AS member_skills
           FROM jsonb_to_recordset($1::jsonb) AS x(j int, team_id uuid, bidx text)
           LEFT JOIN users u ON u.phone_bidx = x.bidx
           LEFT JOIN team_members tm ON tm.team_id = x.team_id AND tm.user_id = u.id`,
        [JSON.stringify(rows.map((r, j) => ({ j, team_id: r.value.teamId, bidx: this.cipher.blindIndex(r.value.phone) })))],
      );
    const byRow = new Map(found.map((f) => [f.j, f]));
    rows.forEach(({ row, value: v }, j) => {
      const f = byRow.get(j);
      if (f?.user_id && f.disabled) {
        problems.push({ row, column: '手机号', message: '这个手机号的账号已停用，请先在控制台处理' });
        return;
      }
      if (f?.user_id && isPasswordOnly(f.roles ?? []) && !f.member_role) {
        problems.push({ row, column: '手机号', message: '这个手机号属于工作人员账号，请在控制台的队伍页面添加' });
        return;
      }
      const member = !!f?.member_role;
      planned.push({ row, value: v, existingId: member ? f!.user_id : null, changed: member && (f!.member_role !== v.role || !sameSet(f!.member_skills ?? [], v.skills)) });
    });
    return { problems, planned };
  }

  async write(m: EntityManager, _ctx: Ctx, _user: AuthUser, batch: PlannedRow<MemberRowValue>[]): Promise<BatchOutcome> {
    const rows = batch.map((p) => ({
      team_id: p.value.teamId, name: p.value.name, role: p.value.role, skills: p.value.skills, member: !!p.existingId,
      bidx: this.cipher.blindIndex(p.value.phone), phone_enc: this.cipher.encrypt(p.value.phone),
    }));
    const RECORD = `x(team_id uuid, name text, role text, skills text[], member boolean, bidx text, phone_enc text)`;
    // new numbers: a volunteer account without a password (SMS sign-in)
    await m.query(
      `INSERT INTO users (phone_enc, phone_bidx, name, roles)
       SELECT DISTINCT ON (x.bidx) x.phone_enc, x.bidx, x.name, ARRAY['volunteer']::text[] FROM jsonb_to_recordset($1::jsonb) AS ${RECORD}
       ON CONFLICT (phone_bidx) DO NOTHING`,
      [JSON.stringify(rows.filter((r) => !r.member))],
    );
    // accounts that were not volunteers yet become volunteers; their sessions end after commit
    const promoted: { id: string }[] = await m.query(
      `WITH x AS (SELECT DISTINCT bidx FROM jsonb_to_recordset($1::jsonb) AS ${RECORD}),
            u AS (UPDATE users u SET roles = u.roles || ARRAY['volunteer']::text[] FROM x
                   WHERE u.phone_bidx = x.bidx AND NOT ('volunteer' = ANY(u.roles)) RETURNING u.id)
       SELECT id FROM u`,
      [JSON.stringify(rows)],
    );
    const revoked: string[] = [];
    for (const p of promoted) revoked.push(...(await this.sessions.revokeAllOf(m, p.id, 'role_changed')));
    const [{ created, updated }] = await m.query(
      `WITH x AS (SELECT x.*, u.id AS user_id FROM jsonb_to_recordset($1::jsonb) AS ${RECORD} JOIN users u ON u.phone_bidx = x.bidx),
            fresh AS (INSERT INTO team_members (team_id, user_id, role, skills) SELECT team_id, user_id, role, skills FROM x WHERE NOT x.member
                      ON CONFLICT (team_id, user_id) DO NOTHING RETURNING 1),
            changed AS (UPDATE team_members tm SET role = x.role, skills = x.skills FROM x
                         WHERE x.member AND tm.team_id = x.team_id AND tm.user_id = x.user_id RETURNING 1)
       SELECT (SELECT count(*)::int FROM fresh) AS created, (SELECT count(*)::int FROM changed) AS updated`,
      [JSON.stringify(rows)],
    );
    return { created, updated, afterCommit: revoked.length ? () => this.sessions.markRevoked(revoked) : undefined };
  }
}
