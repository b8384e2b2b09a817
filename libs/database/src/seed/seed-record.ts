import { randomBytes } from 'node:crypto';
import { EntityManager } from 'typeorm';
import type { LatLng } from './county-data';

/** 爱心超市 of the demo county: what volunteers' points buy. */
const REDEMPTION_ITEMS: { key: string; name: string; points: number }[] = [
  { key: 'rice', name: '大米 5 斤', points: 200 },
  { key: 'oil', name: '食用油 1 桶', points: 300 },
  { key: 'detergent', name: '洗衣液 1 瓶', points: 150 },
  { key: 'towel', name: '毛巾 2 条', points: 60 },
];

/** 月月有主题: themed activities in 递铺街道, a few days ahead, that volunteers sign up for. */
const ACTIVITIES: { key: string; theme: string; description: string; inDays: number; startHour: number; hours: number; capacity: number; address: string; at: LatLng }[] = [
  { key: 'winter-warmth', theme: '冬日暖心 · 为独居老人大扫除', description: '两人一组，上门帮独居老人打扫卫生、检查电器和燃气。请穿方便干活的衣服。',
    inDays: 2, startHour: 9, hours: 2.5, capacity: 30, address: '递铺街道新时代文明实践站', at: { lat: 30.638, lng: 119.681 } },
  { key: 'health-check', theme: '健康义诊 · 量血压测血糖', description: '协助社区医生为老人量血压、测血糖，引导排队，陪老人回家。',
    inDays: 9, startHour: 14, hours: 2, capacity: 20, address: '鲁家村文化礼堂', at: { lat: 30.675, lng: 119.625 } },
];

/** Local midnight (Asia/Shanghai, UTC+8 all year) of the day `inDays` after `now`, plus `hour` hours. */
function shanghaiAt(now: Date, inDays: number, hour: number): Date {
  const local = new Date(now.getTime() + 8 * 3600_000);
  const day = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + inDays);
  return new Date(day + hour * 3600_000 - 8 * 3600_000);
}

/**
 * The service record's demo: the county's 爱心超市 catalogue and two themed activities ahead, so a
 * volunteer's 爱心超市 and 月月有主题 pages show something on a fresh `npm run up`. Idempotent by id.
 */
export async function seedRecord(
  m: EntityManager, id: (key: string) => string, regions: { county: string; township: string }, staff: { countyAdmin: string; townshipAdmin: string }, now: Date,
): Promise<{ redemptionItems: number; activities: number }> {
  let redemptionItems = 0;
  for (const item of REDEMPTION_ITEMS) {
    const rows = await m.query(
      `INSERT INTO redemption_items (id, region_id, name, points, created_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [id(`redemption-item:${item.key}`), regions.county, item.name, item.points, staff.countyAdmin],
    );
    redemptionItems += rows.length;
  }
  let activities = 0;
  for (const a of ACTIVITIES) {
    const starts = shanghaiAt(now, a.inDays, a.startHour);
    const rows = await m.query(
      `INSERT INTO activities (id, region_id, theme, description, starts_at, ends_at, location, address, capacity, credited_minutes, qr_token, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7::geography, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [id(`activity:${a.key}`), regions.township, a.theme, a.description, starts, new Date(starts.getTime() + a.hours * 3600_000),
        `SRID=4326;POINT(${a.at.lng} ${a.at.lat})`, a.address, a.capacity, Math.round(a.hours * 60), randomBytes(16).toString('base64url'), staff.townshipAdmin],
    );
    activities += rows.length;
  }
  return { redemptionItems, activities };
}
