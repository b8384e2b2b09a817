/** Rule packs of points and the time bank: pure (no Nest), so unit specs load them directly. */

export interface RulePack {
  /** Points per verified hour (rounded down). */
  pointsPerHour: number;
  /** The most points one volunteer earns on one local day. */
  dailyCap: number;
  /** Points expire this many days after they are earned (hours never expire). */
  expiryDays: number;
  /** Banked time-bank minutes may be given to a relative. */
  transferToRelative: boolean;
  /** Banked minutes may be donated to the common pool. */
  donateToPool: boolean;
  /** The minimum age to draw care from the time bank (shown; drawing care is done by staff). */
  minAgeToDraw: number;
}

export const DEFAULT_RULE_PACK: RulePack = { pointsPerHour: 10, dailyCap: 100, expiryDays: 365, transferToRelative: true, donateToPool: true, minAgeToDraw: 60 };

export interface RulePacks {
  packs: Record<string, RulePack>;
  /** Region id or exact region name → pack name; the deepest region of a path that has one wins. */
  byRegion: Record<string, string>;
}

function isPack(v: any): v is RulePack {
  return v && typeof v === 'object' && ['pointsPerHour', 'dailyCap', 'expiryDays', 'minAgeToDraw'].every((k) => Number.isFinite(v[k]) && v[k] >= 0) &&
    typeof v.transferToRelative === 'boolean' && typeof v.donateToPool === 'boolean';
}

/** Parses RULE_PACKS (JSON: name → pack) and REGION_RULE_PACKS (JSON: region id or name → pack name). */
export function parseRulePacks(packsJson: string, byRegionJson: string): RulePacks {
  const packs = JSON.parse(packsJson || '{}');
  const byRegion = JSON.parse(byRegionJson || '{}');
  if (!packs || typeof packs !== 'object' || Array.isArray(packs)) throw new Error('RULE_PACKS must be a JSON object of rule packs');
  for (const [name, pack] of Object.entries(packs)) if (!isPack(pack)) throw new Error(`RULE_PACKS.${name} is not a complete rule pack`);
  if (!byRegion || typeof byRegion !== 'object' || Array.isArray(byRegion)) throw new Error('REGION_RULE_PACKS must be a JSON object');
  for (const [region, name] of Object.entries(byRegion)) {
    if (typeof name !== 'string' || (name !== 'default' && !(name in packs))) throw new Error(`REGION_RULE_PACKS.${region} names no rule pack`);
  }
  return { packs: { default: DEFAULT_RULE_PACK, ...(packs as Record<string, RulePack>) }, byRegion: byRegion as Record<string, string> };
}

/** The pack of a region: the deepest region on its path (given root first, with names) that has one, else `default`. */
export function packOf(rules: RulePacks, path: { id: string; name: string }[]): { name: string; pack: RulePack } {
  for (const r of [...path].reverse()) {
    const name = rules.byRegion[r.id] ?? rules.byRegion[r.name];
    if (name) return { name, pack: rules.packs[name] };
  }
  return { name: 'default', pack: rules.packs.default };
}

/** Points a credit earns: per hour, rounded down, within what is left of the day's cap. */
/** The youngest age in a beneficiary's age band (the profile holds a band, not a birth date). */
export const AGE_BAND_FROM: Record<string, number> = { under_18: 0, '18_59': 18, '60_69': 60, '70_79': 70, '80_plus': 80 };

/** Care may be drawn from the time bank for a person whose age band starts at or above the pack's minimum age. */
export function mayDraw(ageBand: string, pack: RulePack): boolean {
  const from = AGE_BAND_FROM[ageBand];
  return from !== undefined && from >= pack.minAgeToDraw;
}

export function pointsFor(minutes: number, pack: RulePack, earnedToday: number): number {
  return Math.max(0, Math.min(Math.floor((minutes * pack.pointsPerHour) / 60), pack.dailyCap - earnedToday));
}

