/**
 * A deterministic surge for the quality benchmark: orders arriving over a few seconds in a
 * county-sized area and volunteer teams whose total capacity is about the demand. In-process only.
 * Distances are haversine: this is a simulation, not the product's candidate search (PostGIS).
 */
import { mulberry32 } from '@xinyuan/common/prng';

export { mulberry32 };


const EARTH_RADIUS_M = 6_371_008.8;
const rad = (deg: number) => (deg * Math.PI) / 180;

export function haversineM(aLat: number, aLng: number, bLat: number, bLng: number): number {
  const dLat = rad(bLat - aLat);
  const dLng = rad(bLng - aLng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(aLat)) * Math.cos(rad(bLat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Gini coefficient of non-negative values: 0 = perfectly even, → 1 = all on one. */
export function gini(values: number[]): number {
  const n = values.length;
  const sum = values.reduce((a, b) => a + b, 0);
  if (n === 0 || sum === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  let weighted = 0;
  sorted.forEach((v, i) => (weighted += (2 * (i + 1) - n - 1) * v));
  return weighted / (n * sum);
}

/** The menu's skills and how often an order needs each (teams hold popular skills more often too). */
export const SKILLS = [
  'meal_delivery', 'companionship', 'cleaning', 'haircut', 'errands', 'tutoring', 'appliance_repair', 'medical_checkup', 'legal_advice', 'counselling',
] as const;
const SKILL_WEIGHTS = [0.17, 0.15, 0.13, 0.12, 0.1, 0.09, 0.08, 0.07, 0.05, 0.04];

export interface SurgeOrder {
  id: string;
  /** seconds since the start of the surge; orders are sorted by it */
  at: number;
  urgent: boolean;
  lat: number;
  lng: number;
  skills: string[];
}

export interface SurgeTeam {
  id: string;
  lat: number;
  lng: number;
  radiusM: number;
  skills: string[];
  capacity: number;
}

export interface SurgeOptions {
  orders: number;
  seconds: number;
  seed: number;
  /** total team capacity / orders */
  capacityRatio?: number;
  centre?: { lat: number; lng: number };
  /** side of the square area, km */
  sideKm?: number;
  /** share of orders marked urgent (drawn from their own PRNG, so the rest of the instance does not change) */
  urgentShare?: number;
  /**
   * Also draw this many orders of "another day" over the same seconds: same towns, skills and rate,
   * other people (their own PRNG). A policy may use them as its forecast of demand; never scored.
   */
  forecastOrders?: number;
}

export interface Surge {
  orders: SurgeOrder[];
  teams: SurgeTeam[];
  centre: { lat: number; lng: number };
  sideKm: number;
  /** see SurgeOptions.forecastOrders; empty unless asked for */
  forecast: SurgeOrder[];
}

/**
 * Towns (the county seat and township centres) hold most people and most teams; the rest is spread
 * over the villages. Team capacity 1–6 (mostly small), radius 3–10 km, 2–5 skills.
 */
export function generateSurge(o: SurgeOptions): Surge {
  let rnd = mulberry32(o.seed);
  const centre = o.centre ?? { lat: 30.63, lng: 119.68 };
  const sideKm = o.sideKm ?? 40;
  const mPerDegLat = 111_320;
  const mPerDegLng = 111_320 * Math.cos(rad(centre.lat));
  const half = (sideKm * 1000) / 2;
  const clamp = (v: number) => Math.max(-half, Math.min(half, v));
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const toLatLng = (x: number, y: number) => ({ lat: centre.lat + clamp(y) / mPerDegLat, lng: centre.lng + clamp(x) / mPerDegLng });

  // the county seat near the centre, 9 township centres elsewhere; weights = population share
  const towns = [{ x: 0, y: 0, sigma: 2500, weight: 0.3 }];
  for (let t = 0; t < 9; t++) towns.push({ x: (rnd() - 0.5) * 0.8 * 2 * half, y: (rnd() - 0.5) * 0.8 * 2 * half, sigma: 1200 + rnd() * 1300, weight: 0.05 + rnd() * 0.05 });
  const townWeight = towns.reduce((a, t) => a + t.weight, 0);
  const place = (townShare: number) => {
    if (rnd() < townShare) {
      let r = rnd() * townWeight;
      const town = towns.find((t) => (r -= t.weight) < 0) ?? towns[0];
      return toLatLng(town.x + gauss() * town.sigma, town.y + gauss() * town.sigma);
    }
    return toLatLng((rnd() - 0.5) * 2 * half, (rnd() - 0.5) * 2 * half);
  };
  const pickSkills = (count: number) => {
    const out: string[] = [];
    while (out.length < count) {
      let r = rnd();
      let k = SKILL_WEIGHTS.findIndex((w) => (r -= w) < 0);
      if (k < 0) k = SKILLS.length - 1;
      if (!out.includes(SKILLS[k])) out.push(SKILLS[k]);
    }
    return out.sort();
  };

  // arrival times uniform over the period, sorted: a Poisson process conditioned on the count
  const drawOrders = (count: number, prefix: string): SurgeOrder[] =>
    Array.from({ length: count }, () => rnd() * o.seconds)
      .sort((a, b) => a - b)
      .map((at, i) => ({ id: `${prefix}${String(i).padStart(5, '0')}`, at, urgent: false, ...place(0.7), skills: pickSkills(rnd() < 0.7 ? 1 : 2) }));
  const orders = drawOrders(o.orders, 'o');

  const capacityShares = [0.25, 0.25, 0.2, 0.15, 0.1, 0.05]; // capacity 1..6
  const target = Math.round(o.orders * (o.capacityRatio ?? 1));
  const teams: SurgeTeam[] = [];
  let total = 0;
  while (total < target) {
    let r = rnd();
    let capacity = capacityShares.findIndex((s) => (r -= s) < 0) + 1;
    if (capacity <= 0) capacity = 6;
    capacity = Math.min(capacity, target - total);
    total += capacity;
    teams.push({
      id: `t${String(teams.length).padStart(4, '0')}`,
      ...place(0.6),
      radiusM: Math.round(3000 + rnd() * 7000),
      skills: pickSkills(2 + Math.floor(rnd() * 4)),
      capacity,
    });
  }
  const urgentRnd = mulberry32(o.seed ^ 0x5a17);
  for (const order of orders) order.urgent = urgentRnd() < (o.urgentShare ?? 0);
  let forecast: SurgeOrder[] = [];
  if (o.forecastOrders) {
    rnd = mulberry32(o.seed ^ 0xf07ec);
    forecast = drawOrders(o.forecastOrders, 'f');
  }
  return { orders, teams, centre, sideKm, forecast };
}

/** The hard filter, as the product applies it: every required skill, and inside the team's radius. */
export function feasiblePair(order: SurgeOrder, team: SurgeTeam): { distanceM: number } | null {
  if (!order.skills.every((s) => team.skills.includes(s))) return null;
  const distanceM = haversineM(order.lat, order.lng, team.lat, team.lng);
  return distanceM <= team.radiusM ? { distanceM } : null;
}
