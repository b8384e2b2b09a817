import { MAINLAND_MOBILE, normalizePhone } from './phone-number';

describe('normalizePhone', () => {
  it('gives one form for the ways people write a number', () => {
    for (const raw of ['13812341234', ' 13812341234 ', '138 1234 1234', '138-1234-1234', '+86 138 1234 1234', '+8613812341234', '008613812341234', '(138)12341234']) {
      expect(normalizePhone(raw)).toBe('13812341234');
    }
  });

  it('leaves anything else as it is (and it then fails the mainland pattern)', () => {
    expect(normalizePhone('12345')).toBe('12345');
    expect(MAINLAND_MOBILE.test(normalizePhone('+1 415 555 0100'))).toBe(false);
    expect(MAINLAND_MOBILE.test(normalizePhone('+86 138 1234 1234'))).toBe(true);
  });
});
