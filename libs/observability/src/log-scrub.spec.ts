import { scrubLogText } from './log-scrub';

describe('log scrubbing', () => {
  it('masks mainland mobile numbers in every usual spelling', () => {
    for (const phone of ['13812345678', '+86 138 1234 5678', '+8613812345678', '138-1234-5678', '008613812345678']) {
      expect(scrubLogText(`login for ${phone} failed`)).toBe('login for 138****5678 failed');
    }
  });

  it('leaves ids, times and already masked numbers alone', () => {
    const text = 'order 3f0c1f8e-5b0a-4c1e-9a51-13812345678a at 2026-11-29T10:00:00Z for 138****5678, 1234567890123 ms';
    expect(scrubLogText(text)).toBe(text);
  });

  it('removes tokens and secrets', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    expect(scrubLogText(`auth header Bearer ${jwt}`)).not.toContain('eyJ');
    expect(scrubLogText('Authorization: Bearer abcdefghijklmnop')).toBe('Authorization: Bearer [redacted]');
    expect(scrubLogText('secret whsec_c2VjcmV0LXNlY3JldA==')).toBe('secret whsec_[redacted]');
    expect(scrubLogText('{"refreshToken":"r1r2r3r4r5r6","name":"x"}')).toBe('{"refreshToken":"[redacted]","name":"x"}');
  });
});
