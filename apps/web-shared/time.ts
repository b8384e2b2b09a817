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
