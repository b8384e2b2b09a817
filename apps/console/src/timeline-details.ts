import type { Lang } from '@shared/labels';
import type { TimelineEntry } from '@shared/types';

type Details = NonNullable<TimelineEntry['details']>;

const SCOPE: Record<string, { zh: string; en: string }> = {
  station: { zh: '本站', en: 'station' },
  township: { zh: '本镇（街道）', en: 'township' },
  county: { zh: '全县', en: 'county' },
  open: { zh: '服务半径内', en: 'by radius' },
};

const REASON: Record<string, { zh: string; en: string }> = {
  no_candidate: { zh: '范围内没有可派的服务队', en: 'no team left in reach' },
  attempts_exhausted: { zh: '派单次数已用完', en: 'offer attempts used up' },
  manual_assign: { zh: '调度员改派', en: 'reassigned by staff' },
};

const say = (table: Record<string, { zh: string; en: string }>, key: string, lang: Lang) => table[key]?.[lang] ?? key;

/** Metres as people read them: 35 m, 1.8 km, 1,787 km. */
export function distanceText(m: number): string {
  if (m < 1000) return `${Math.round(m)} m`;
  if (m < 100_000) return `${(m / 1000).toFixed(1)} km`;
  return `${Math.round(m / 1000).toLocaleString('en-US')} km`;
}

/** A check-in farther than this from the order is shown as a warning. */
export const FAR_CHECK_IN_M = 500;

export interface DetailPart {
  label: string;
  text: string;
  warn?: boolean;
}

/** What staff read under a timeline entry: its facts, teams by name, in the console's language. */
export function detailParts(d: Details | null | undefined, lang: Lang): DetailPart[] {
  if (!d) return [];
  const zh = lang === 'zh';
  const parts: DetailPart[] = [];
  const teams = (refs: { team: { name: string }; score?: number }[]) =>
    refs.map((r) => `「${r.team.name}」${r.score !== undefined ? `（${r.score.toFixed(2)}）` : ''}`).join(zh ? '、' : ', ');
  if (d.team) parts.push({ label: zh ? '服务队' : 'Team', text: d.team.name });
  if (d.offers?.length) parts.push({ label: d.mode === 'grab' ? (zh ? '抢单，同时派给' : 'Grab, offered to') : (zh ? '派给' : 'Offered to'), text: teams(d.offers) });
  if (d.withdrawnOffers?.length) parts.push({ label: zh ? '撤回' : 'Withdrew', text: teams(d.withdrawnOffers) });
  if (d.scope) parts.push({ label: zh ? '范围' : 'Scope', text: say(SCOPE, d.scope, lang) });
  if (d.scopeFrom && d.scopeTo) parts.push({ label: zh ? '范围' : 'Scope', text: `${say(SCOPE, d.scopeFrom, lang)} → ${say(SCOPE, d.scopeTo, lang)}` });
  if (d.reason) parts.push({ label: zh ? '原因' : 'Reason', text: say(REASON, d.reason, lang) });
  if (d.distanceFromOrderM !== undefined) {
    parts.push({ label: zh ? '签到位置距订单地点' : 'Check-in distance from the order', text: distanceText(d.distanceFromOrderM), warn: d.distanceFromOrderM > FAR_CHECK_IN_M });
  }
  if (d.outsideServiceRadius) parts.push({ label: zh ? '注意' : 'Note', text: zh ? '超出该队服务半径' : 'beyond the team\'s service radius', warn: true });
  if (d.missingSkills?.length) parts.push({ label: zh ? '缺少技能' : 'Lacks skills', text: d.missingSkills.join(zh ? '、' : ', '), warn: true });
  if (d.minutes !== undefined) parts.push({ label: zh ? '服务时长' : 'Minutes', text: d.minutes === null ? '—' : zh ? `${d.minutes} 分钟` : `${d.minutes} min` });
  if (d.volunteerCount !== undefined) parts.push({ label: zh ? '志愿者' : 'Volunteers', text: zh ? `${d.volunteerCount} 人` : String(d.volunteerCount) });
  if (d.stars !== undefined) parts.push({ label: zh ? '评分' : 'Rating', text: `${d.stars} ★` });
  if (d.solved !== undefined) parts.push({ label: zh ? '问题解决' : 'Solved', text: d.solved ? (zh ? '是' : 'yes') : (zh ? '否' : 'no'), warn: !d.solved });
  return parts;
}
