import { lsnToBigInt, stalenessMs } from './replica-staleness';

describe('replica staleness', () => {
  it('orders WAL positions across the high word', () => {
    expect(lsnToBigInt('0/FFFFFFFF') < lsnToBigInt('1/0')).toBe(true);
    expect(lsnToBigInt('16/B374D848')).toBe((0x16n << 32n) | 0xb374d848n);
  });

  it('is the age of the newest primary position the replica has replayed', () => {
    const samples = [
      { at: 1000, lsn: 100n },
      { at: 2000, lsn: 200n },
      { at: 3000, lsn: 300n },
    ];
    expect(stalenessMs(samples, 300n, 3500)).toBe(500);
    expect(stalenessMs(samples, 250n, 3500)).toBe(1500);
    expect(stalenessMs(samples, 99n, 3500)).toBeUndefined();
  });

  it('does not call an idle, caught-up replica stale', () => {
    // the primary wrote nothing for a minute: every sample has the same position
    const samples = Array.from({ length: 60 }, (_, i) => ({ at: i * 1000, lsn: 500n }));
    expect(stalenessMs(samples, 500n, 60000)).toBe(1000);
  });
});
