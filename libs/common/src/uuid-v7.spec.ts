import { uuidV7 } from './uuid-v7';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('uuidV7', () => {
  it('is an RFC 9562 version 7 UUID whose first 48 bits are the millisecond it was made', () => {
    const at = Date.UTC(2026, 10, 30, 16, 0, 0, 123);
    const id = uuidV7(at);
    expect(id).toMatch(UUID);
    expect(id[14]).toBe('7');
    expect('89ab').toContain(id[19]);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts by time, and ids of the same millisecond differ', () => {
    expect(uuidV7(1_700_000_000_000) < uuidV7(1_700_000_000_001)).toBe(true);
    const same = new Set(Array.from({ length: 1000 }, () => uuidV7(1_700_000_000_000)));
    expect(same.size).toBe(1000);
  });
});
