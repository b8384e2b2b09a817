import { VerifiedTokens } from './verified-tokens';

type Payload = { sub: string; exp?: number };

describe('VerifiedTokens', () => {
  const now = Date.UTC(2026, 10, 30, 12, 0, 0);
  const exp = now / 1000 + 60;

  it('verifies a token once while it is unexpired', () => {
    const tokens = new VerifiedTokens<Payload>();
    const verify = jest.fn((t: string) => ({ sub: t, exp }));
    expect(tokens.payload('a', verify, now)).toEqual({ sub: 'a', exp });
    expect(tokens.payload('a', verify, now + 59_999)).toEqual({ sub: 'a', exp });
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('verifies again at exp (jsonwebtoken: expired when now >= exp) and passes the refusal on', () => {
    const tokens = new VerifiedTokens<Payload>();
    tokens.payload('a', () => ({ sub: 'a', exp }), now);
    const expired = jest.fn((): Payload => {
      throw Object.assign(new Error('jwt expired'), { name: 'TokenExpiredError' });
    });
    expect(() => tokens.payload('a', expired, now + 60_000)).toThrow('jwt expired');
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('never remembers a refused token, nor one without exp', () => {
    const tokens = new VerifiedTokens<Payload>();
    const refuse = jest.fn((): Payload => {
      throw new Error('invalid signature');
    });
    expect(() => tokens.payload('forged', refuse, now)).toThrow('invalid signature');
    expect(() => tokens.payload('forged', refuse, now)).toThrow('invalid signature');
    expect(refuse).toHaveBeenCalledTimes(2);
    const noExp = jest.fn((t: string) => ({ sub: t }));
    tokens.payload('b', noExp, now);
    tokens.payload('b', noExp, now);
    expect(noExp).toHaveBeenCalledTimes(2);
  });

  it('hands out the remembered payload frozen, its arrays too', () => {
    const tokens = new VerifiedTokens<Payload & { roles: string[] }>();
    const payload = tokens.payload('a', () => ({ sub: 'a', exp, roles: ['resident'] }), now);
    expect(Object.isFrozen(payload)).toBe(true);
    expect(Object.isFrozen(payload.roles)).toBe(true);
  });

  it('forgets the oldest token beyond its bound', () => {
    const tokens = new VerifiedTokens<Payload>(2);
    const verify = jest.fn((t: string) => ({ sub: t, exp }));
    for (const t of ['a', 'b', 'c']) tokens.payload(t, verify, now);
    tokens.payload('c', verify, now);
    tokens.payload('b', verify, now);
    expect(verify).toHaveBeenCalledTimes(3);
    tokens.payload('a', verify, now);
    expect(verify).toHaveBeenCalledTimes(4);
  });
});
