/** Seconds left until `iso`, given the offset between the server's clock and ours. */
export function secondsLeft(iso: string, now: number, skewMs = 0): number {
  return Math.round((Date.parse(iso) - (now + skewMs)) / 1000);
}

/** 125 → "2:05", 3725 → "1:02:05", negatives → "0:00". */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${r}` : `${m}:${r}`;
}

/** A date-time in China's time zone, e.g. "11-23 14:05". */
export function shortTime(iso: string | null | undefined, zone = 'Asia/Shanghai'): string {
  if (!iso) return '';
  const parts = new Intl.DateTimeFormat('zh-CN', { timeZone: zone, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false })
    .formatToParts(new Date(iso))
    .reduce<Record<string, string>>((acc, p) => ((acc[p.type] = p.value), acc), {});
  return `${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

export function minutesText(minutes: number, lang: 'zh' | 'en'): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (lang === 'en') return h ? `${h} h ${m} min` : `${m} min`;
  return h ? `${h} 小时 ${m} 分钟` : `${m} 分钟`;
}

// ---- 希望什么时候来: the preferred time window, chosen as a day and a part of it, shown in words ----

/** The deployment is in China: one offset all year (no daylight saving). */
const CHINA_OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

export type DayPart = 'morning' | 'afternoon' | 'evening';
/** Hours (China time) each part of the day covers: 上午 8–12, 下午 14–18, 晚上 18–21. */
export const DAY_PARTS: Record<DayPart, [number, number]> = { morning: [8, 12], afternoon: [14, 18], evening: [18, 21] };
export const DAY_NAMES = [
  { zh: '今天', en: 'Today' },
  { zh: '明天', en: 'Tomorrow' },
  { zh: '后天', en: 'The day after tomorrow' },
] as const;
export const DAY_PART_NAMES: Record<DayPart, { zh: string; en: string }> = {
  morning: { zh: '上午', en: 'morning' },
  afternoon: { zh: '下午', en: 'afternoon' },
  evening: { zh: '晚上', en: 'evening' },
};

/** Midnight (China time) of the day `dayOffset` days after the day of `now`, as ms since the epoch. */
function chinaMidnight(now: number, dayOffset: number): number {
  return Math.floor((now + CHINA_OFFSET_MS) / DAY_MS) * DAY_MS - CHINA_OFFSET_MS + dayOffset * DAY_MS;
}

/** ISO 8601 in China time, as the API wants it: 2026-11-24T09:00:00+08:00. */
export function chinaIso(ms: number): string {
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 19) + '+08:00';
}

/**
 * The window of "today/tomorrow/the day after × morning/afternoon/evening" (China time). A part
 * already begun starts now (to the minute); one already over is null (not offered).
 */
export function dayPartWindow(dayOffset: number, part: DayPart, now: number): { preferredStart: string; preferredEnd: string } | null {
  const midnight = chinaMidnight(now, dayOffset);
  const [from, to] = DAY_PARTS[part];
  const end = midnight + to * 3600 * 1000;
  if (end <= now) return null;
  const start = Math.max(midnight + from * 3600 * 1000, now - (now % 60000));
  return { preferredStart: chinaIso(start), preferredEnd: chinaIso(end) };
}

/** An exact time: that day at `hour:minute` (China time), for a visit of about two hours; null when already past. */
export function exactTimeWindow(dayOffset: number, hour: number, minute: number, now: number): { preferredStart: string; preferredEnd: string } | null {
  const start = chinaMidnight(now, dayOffset) + (hour * 60 + minute) * 60000;
  if (start < now) return null;
  return { preferredStart: chinaIso(start), preferredEnd: chinaIso(start + 2 * 3600 * 1000) };
}

const hhmm = (ms: number) => new Date(ms + CHINA_OFFSET_MS).toISOString().slice(11, 16);

/** "今天" / "明天" / "后天", else "11月26日" ("Nov 26" in English). */
function dayName(ms: number, now: number, lang: 'zh' | 'en'): string {
  const days = Math.round((chinaMidnight(ms, 0) - chinaMidnight(now, 0)) / DAY_MS);
  if (days >= 0 && days < DAY_NAMES.length) return DAY_NAMES[days][lang];
  const d = new Date(ms + CHINA_OFFSET_MS);
  return lang === 'zh' ? `${d.getUTCMonth() + 1}月${d.getUTCDate()}日` : d.toLocaleDateString('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' });
}

/**
 * The preferred time in plain words, in China time: "明天上午 08:00–12:00", "11月26日 09:00–11:00",
 * "今天 15:00 以后", "随时都可以" (no window). `now` decides what "today" is.
 */
export function preferredTimeText(start: string | null | undefined, end: string | null | undefined, lang: 'zh' | 'en', now: number = Date.now()): string {
  const s = start ? Date.parse(start) : null;
  const e = end ? Date.parse(end) : null;
  if (s === null && e === null) return lang === 'zh' ? '随时都可以' : 'Any time';
  if (s === null) return lang === 'zh' ? `${dayName(e!, now, lang)} ${hhmm(e!)} 以前` : `${dayName(e!, now, lang)} before ${hhmm(e!)}`;
  const day = dayName(s, now, lang);
  if (e === null) return lang === 'zh' ? `${day} ${hhmm(s)} 以后` : `${day} after ${hhmm(s)}`;
  const sameDay = chinaMidnight(s, 0) === chinaMidnight(e, 0);
  // a whole part of the day (or what was left of it when chosen): name the part
  const startHour = (s - chinaMidnight(s, 0)) / 3600000;
  const part = sameDay ? (Object.keys(DAY_PARTS) as DayPart[]).find((p) => e === chinaMidnight(s, 0) + DAY_PARTS[p][1] * 3600000 && startHour >= DAY_PARTS[p][0] && startHour < DAY_PARTS[p][1]) : undefined;
  const partName = part ? (lang === 'zh' ? DAY_PART_NAMES[part].zh : ` ${DAY_PART_NAMES[part].en}`) : '';
  const until = sameDay ? hhmm(e) : `${dayName(e, now, lang)} ${hhmm(e)}`;
  return `${day}${partName} ${hhmm(s)}–${until}`;
}

/** What a resident picked: any time (day null), a day, a part of it, or an exact time that day. */
export interface WhenChoice {
  day: 0 | 1 | 2 | null;
  part: DayPart | null;
  exact: { hour: number; minute: number } | null;
}
export const ANY_TIME: WhenChoice = { day: null, part: null, exact: null };
/** Daytime hours a whole day stands for when no part is picked: 8:00–21:00. */
const WHOLE_DAY: [number, number] = [8, 21];

/**
 * The window to send for a choice, computed at the moment of sending (a half day chosen earlier
 * starts now). `{}` for any time; null when the chosen time has passed meanwhile.
 */
export function whenWindow(choice: WhenChoice, now: number): { preferredStart?: string; preferredEnd?: string } | null {
  if (choice.day === null) return {};
  if (choice.exact) return exactTimeWindow(choice.day, choice.exact.hour, choice.exact.minute, now);
  if (choice.part) return dayPartWindow(choice.day, choice.part, now);
  const midnight = chinaMidnight(now, choice.day);
  const end = midnight + WHOLE_DAY[1] * 3600 * 1000;
  if (end <= now) return null;
  return { preferredStart: chinaIso(Math.max(midnight + WHOLE_DAY[0] * 3600 * 1000, now - (now % 60000))), preferredEnd: chinaIso(end) };
}

/** Exact times offered for a day: every half hour from 8:00 to 20:30, none already past. */
export function exactTimes(day: 0 | 1 | 2, now: number): { hour: number; minute: number }[] {
  const out: { hour: number; minute: number }[] = [];
  for (let hour = 8; hour <= 20; hour++) for (const minute of [0, 30]) if (exactTimeWindow(day, hour, minute, now)) out.push({ hour, minute });
  return out;
}
