import { venueCode, venueCodeMatches } from './venue-code';

describe('the venue check-in code', () => {
  const token = 'k3J9x_Q2mZp8Lr4Tq1Wv0A';

  it('is 8 letters a person reads off a poster without mixing them up, the same every time', () => {
    const code = venueCode(token);
    expect(code).toMatch(/^[A-HJKMNP-Z2-9]{8}$/);
    expect(venueCode(token)).toBe(code);
    expect(venueCode('another-token-entirely-xx')).not.toBe(code);
  });

  it('accepts the scanned token or the typed code (any case, spaces ignored), nothing else', () => {
    const code = venueCode(token);
    expect(venueCodeMatches(token, token)).toBe(true);
    expect(venueCodeMatches(token, code)).toBe(true);
    expect(venueCodeMatches(token, ` ${code.slice(0, 4).toLowerCase()} ${code.slice(4)} `)).toBe(true);
    expect(venueCodeMatches(token, code.slice(0, 7))).toBe(false);
    expect(venueCodeMatches(token, token.toUpperCase())).toBe(false);
    expect(venueCodeMatches(token, '')).toBe(false);
  });
});
