import { hoursOf, hoursToNextStar, intervalMinutes, isImpossibleTravel, maskName, overlaps, parseStarThresholds, starLevel } from './record-rules';

describe('service record rules', () => {
  const stars = parseStarThresholds('100,300,600,1000,1500');

  it('counts stars from verified hours at the configured thresholds', () => {
    expect(starLevel(0, stars)).toBe(0);
    expect(starLevel(100 * 60 - 1, stars)).toBe(0);
    expect(starLevel(100 * 60, stars)).toBe(1);
    expect(starLevel(599 * 60, stars)).toBe(2);
    expect(starLevel(1500 * 60, stars)).toBe(5);
    expect(hoursToNextStar(99 * 60, stars)).toBe(1);
    expect(hoursToNextStar(1500 * 60, stars)).toBeNull();
    expect(starLevel(10 * 60, parseStarThresholds('10,20,30,40,50'))).toBe(1);
  });

  it('refuses thresholds that are not five ascending whole numbers', () => {
    expect(() => parseStarThresholds('100,300')).toThrow();
    expect(() => parseStarThresholds('100,300,200,1000,1500')).toThrow();
  });

  it('flags travel faster than the limit, never short moves', () => {
    expect(isImpossibleTravel(5000, 60_000, 120)).toBe(true); // 5 km in a minute: 300 km/h
    expect(isImpossibleTravel(5000, 3_600_000, 120)).toBe(false); // 5 km/h
    expect(isImpossibleTravel(900, 0, 120)).toBe(false); // GPS noise
    expect(isImpossibleTravel(200_000, 3_600_000, 120)).toBe(true);
  });

  it('computes interval minutes and overlaps', () => {
    const t = (m: number) => new Date(Date.UTC(2026, 10, 1, 8, m));
    expect(intervalMinutes(t(0), t(45))).toBe(45);
    expect(intervalMinutes(t(0), new Date(t(45).getTime() + 1000))).toBe(46);
    expect(intervalMinutes(t(10), t(0))).toBe(0);
    expect(overlaps(t(0), t(30), t(29), t(60))).toBe(true);
    expect(overlaps(t(0), t(30), t(30), t(60))).toBe(false);
  });

  it('masks names and turns minutes into hours', () => {
    expect(maskName('张三丰')).toBe('张*丰');
    expect(maskName('李四')).toBe('李*');
    expect(maskName('欧阳娜娜')).toBe('欧**娜');
    expect(hoursOf(125)).toBe(2.1);
  });
});
