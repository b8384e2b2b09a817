import { generateSecret, sign, signatureHeader, verify } from './signing';

describe('Standard Webhooks v1 signing', () => {
  it('matches the specification example (secret, id, timestamp, body)', () => {
    // the example of the standard-webhooks reference libraries
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
    const ts = 1614265330;
    const body = '{"test": 2432232314}';
    expect(sign(secret, id, ts, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('verifies any of several space-separated signatures and refuses a changed body', () => {
    const a = generateSecret();
    const b = generateSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const header = signatureHeader([a, b], 'id1', 1700000000, '{"x":1}');
    expect(header.split(' ')).toHaveLength(2);
    expect(verify(a, 'id1', 1700000000, '{"x":1}', header)).toBe(true);
    expect(verify(b, 'id1', 1700000000, '{"x":1}', header)).toBe(true);
    expect(verify(a, 'id1', 1700000000, '{"x":2}', header)).toBe(false);
    expect(verify(generateSecret(), 'id1', 1700000000, '{"x":1}', header)).toBe(false);
  });
});
