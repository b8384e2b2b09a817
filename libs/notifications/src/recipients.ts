import { EntityManager } from 'typeorm';
import { maskPhone, PiiCipher } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { DailyWindow, parseHhMm, parseWindow } from '@xinyuan/common/local-time';
import type { Lang, NotificationType } from './notification-types';

/** Who hears something, with what they allow. Guardians have no account: text messages only. */
export type Recipient =
  | { kind: 'user'; userId: string; role: 'member' | 'resident' | 'staff' }
  | { kind: 'guardian'; beneficiaryId: string };

export function recipientKey(r: Recipient): string {
  return r.kind === 'user' ? r.userId : `guardian:${r.beneficiaryId}`;
}

/** A person's notification settings, defaults filled in. */
export interface Reach {
  lang: Lang;
  sms: boolean;
  wechat: boolean;
  muted: Set<string>;
  quiet: DailyWindow | null;
  timeZone: string;
  hasPhone: boolean;
  hasOpenid: boolean;
}

interface ReachRow {
  id: string;
  has_phone: boolean;
  has_openid: boolean;
  sms: boolean | null;
  wechat: boolean | null;
  muted_types: string[] | null;
  quiet_start: string | null;
  quiet_end: string | null;
  has_prefs: boolean;
  time_zone: string | null;
  lang: Lang | null;
}

/** Settings of many accounts in one query. */
export async function reachOf(m: EntityManager, config: AppConfig, userIds: string[]): Promise<Map<string, Reach>> {
  if (userIds.length === 0) return new Map();
  const rows: ReachRow[] = await m.query(
    `SELECT u.id, u.phone_enc IS NOT NULL AS has_phone,
            EXISTS (SELECT 1 FROM wechat_accounts w WHERE w.user_id = u.id AND w.appid = $2) AS has_openid,
            p.user_id IS NOT NULL AS has_prefs, p.sms, p.wechat, p.muted_types, p.quiet_start, p.quiet_end, p.time_zone, p.lang
       FROM users u LEFT JOIN notification_preferences p ON p.user_id = u.id
      WHERE u.id = ANY($1::uuid[]) AND u.disabled_at IS NULL`,
    [userIds, config.WECHAT_APPID ?? ''],
  );
  const defaults = parseWindow(config.NOTIFY_QUIET_HOURS);
  return new Map(
    rows.map((r) => [
      r.id,
      {
        lang: r.lang ?? 'zh',
        sms: r.sms ?? true,
        wechat: r.wechat ?? true,
        muted: new Set(r.muted_types ?? []),
        quiet: r.has_prefs ? (r.quiet_start && r.quiet_end ? { start: parseHhMm(r.quiet_start), end: parseHhMm(r.quiet_end) } : null) : defaults,
        timeZone: r.time_zone ?? config.NOTIFY_TIME_ZONE,
        hasPhone: r.has_phone,
        hasOpenid: r.has_openid,
      },
    ]),
  );
}

/** Settings of a guardian contact: the deployment's defaults, SMS only. */
export function guardianReach(config: AppConfig): Reach {
  return {
    lang: 'zh', sms: true, wechat: false, muted: new Set(), quiet: parseWindow(config.NOTIFY_QUIET_HOURS),
    timeZone: config.NOTIFY_TIME_ZONE, hasPhone: true, hasOpenid: false,
  };
}

export async function teamMembers(m: EntityManager, teamId: string): Promise<Recipient[]> {
  const rows: { user_id: string }[] = await m.query(`SELECT user_id FROM team_members WHERE team_id = $1 ORDER BY joined_at, user_id`, [teamId]);
  return rows.map((r) => ({ kind: 'user', userId: r.user_id, role: 'member' }));
}

/**
 * Dispatchers and admins whose region contains the order's region; for an order outside every
 * boundary, the admins without a region (they see everything).
 */
export async function staffOf(m: EntityManager, regionPath: string[] | null): Promise<Recipient[]> {
  const rows: { id: string }[] = regionPath?.length
    ? await m.query(
        `SELECT id FROM users WHERE disabled_at IS NULL AND roles && ARRAY['dispatcher', 'admin'] AND region_id = ANY($1::uuid[]) ORDER BY id`,
        [regionPath],
      )
    : await m.query(`SELECT id FROM users WHERE disabled_at IS NULL AND 'admin' = ANY(roles) AND region_id IS NULL ORDER BY id`);
  return rows.map((r) => ({ kind: 'user', userId: r.id, role: 'staff' }));
}

/** Grid workers (网格员) whose grid contains the region (proactive care). */
export async function gridWorkersOf(m: EntityManager, regionPath: string[] | null): Promise<Recipient[]> {
  if (!regionPath?.length) return [];
  const rows: { id: string }[] = await m.query(
    `SELECT id FROM users WHERE disabled_at IS NULL AND 'grid_worker' = ANY(roles) AND region_id = ANY($1::uuid[]) ORDER BY id`,
    [regionPath],
  );
  return rows.map((r) => ({ kind: 'user', userId: r.id, role: 'staff' }));
}

/** The guardian's phone of a beneficiary profile (decrypted), if one is on file. */
export async function guardianPhone(m: EntityManager, cipher: PiiCipher, beneficiaryId: string): Promise<string | null> {
  const [row]: { guardian_enc: string | null }[] = await m.query(`SELECT guardian_enc FROM beneficiaries WHERE id = $1`, [beneficiaryId]);
  if (!row?.guardian_enc) return null;
  try {
    const guardian = JSON.parse(cipher.decrypt(row.guardian_enc)) as { phone?: string | null };
    return guardian.phone ?? null;
  } catch {
    return null;
  }
}

/** The team leader's phone, masked (138****1234): what a resident is told before opening the app. */
export async function leaderPhoneMasked(m: EntityManager, cipher: PiiCipher, teamId: string | null): Promise<string | null> {
  if (!teamId) return null;
  const [row]: { phone_enc: string | null }[] = await m.query(
    `SELECT u.phone_enc FROM team_members tm JOIN users u ON u.id = tm.user_id
      WHERE tm.team_id = $1 AND tm.role = 'leader' AND u.phone_enc IS NOT NULL ORDER BY tm.joined_at LIMIT 1`,
    [teamId],
  );
  if (!row?.phone_enc) return null;
  try {
    return maskPhone(cipher.decrypt(row.phone_enc));
  } catch {
    return null;
  }
}

/** Where a recipient acts on a notification (deep links: the web apps' routes). */
export function linkFor(type: NotificationType, r: Recipient, ids: { orderId?: string | null; onBehalf?: boolean }): string | null {
  if (r.kind === 'guardian') return null;
  if (type === 'checkin_missed' || type === 'visit_due' || type === 'visit_concern') {
    if (r.role === 'staff') return '/console/#/care';
    if (type === 'visit_due' && r.role === 'member') return '/h5/volunteer/#/pages/care/care';
    return r.role === 'member' ? '/h5/volunteer/#/pages/index/index' : '/h5/resident/#/pages/index/index';
  }
  if (r.role === 'staff') return ids.orderId ? `/console/#/orders/${ids.orderId}` : '/console/#/queue';
  if (r.role === 'member') {
    if (type === 'order_cancelled' && ids.orderId) return `/h5/volunteer/#/pages/job/job?id=${ids.orderId}`;
    return '/h5/volunteer/#/pages/index/index';
  }
  if (type === 'sms_reply') return '/h5/volunteer/#/pages/index/index';
  if (ids.onBehalf) return '/console/#/beneficiaries';
  return ids.orderId ? `/h5/resident/#/pages/orders/detail?id=${ids.orderId}` : '/h5/resident/#/pages/index/index';
}
