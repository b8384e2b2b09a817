import { DEFAULT_RULE_PACK, packOf, parseRulePacks, pointsFor } from './rule-packs';

describe('wallet rule packs', () => {
  const strict = { pointsPerHour: 6, dailyCap: 12, expiryDays: 30, transferToRelative: false, donateToPool: false, minAgeToDraw: 70 };

  it('parses packs and the regions that use them, refusing incomplete packs and unknown names', () => {
    const rules = parseRulePacks(JSON.stringify({ strict }), JSON.stringify({ 安吉县: 'strict' }));
    expect(rules.packs).toEqual({ default: DEFAULT_RULE_PACK, strict });
    expect(() => parseRulePacks(JSON.stringify({ bad: { pointsPerHour: 1 } }), '{}')).toThrow(/not a complete rule pack/);
    expect(() => parseRulePacks('{}', JSON.stringify({ 安吉县: 'missing' }))).toThrow(/names no rule pack/);
    expect(() => parseRulePacks('[]', '{}')).toThrow();
  });

  it('takes the deepest region on the path that names a pack, else the default', () => {
    const rules = parseRulePacks(JSON.stringify({ strict, open: { ...strict, transferToRelative: true } }), JSON.stringify({ 安吉县: 'strict', 'station-1': 'open' }));
    const county = { id: 'county-1', name: '安吉县' };
    expect(packOf(rules, [county, { id: 'town-1', name: '递铺街道' }]).name).toBe('strict');
    expect(packOf(rules, [county, { id: 'town-1', name: '递铺街道' }, { id: 'station-1', name: '阳光社区' }]).name).toBe('open');
    expect(packOf(rules, [{ id: 'other', name: '别县' }])).toEqual({ name: 'default', pack: DEFAULT_RULE_PACK });
  });

  it('gives points per hour, rounded down, within the day’s cap', () => {
    expect(pointsFor(60, DEFAULT_RULE_PACK, 0)).toBe(10);
    expect(pointsFor(45, DEFAULT_RULE_PACK, 0)).toBe(7);
    expect(pointsFor(120, strict, 0)).toBe(12);
    expect(pointsFor(120, strict, 10)).toBe(2);
    expect(pointsFor(120, strict, 12)).toBe(0);
  });
});
