import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from './app-config';

describe('identity configuration', () => {
  const production = {
    // made fresh for each run: a secret written in the repository is one production refuses
    NODE_ENV: 'production', JWT_SECRET: randomBytes(24).toString('hex'), PII_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    STAFF_SECOND_FACTOR: 'sms',
  };

  it('refuses in production every secret the repository publishes, and guessable ones', () => {
    const ok = { ...production, SMS_PROVIDER: 'http', SMS_HTTP_URL: 'https://sms.example.cn/send' };
    expect(() => loadConfig(ok)).not.toThrow();
    for (const [key, value] of [
      ['JWT_SECRET', 'xinyuan-development-secret-change-me'], ['JWT_SECRET', 'xinyuan-test-secret-0123456789'], ['JWT_SECRET', 'a-production-secret-0123456789'],
      ['JWT_SECRET', 'XINYUAN-TEST-SECRET-0123456789'], ['JWT_SECRET', 'a'.repeat(48)], ['JWT_SECRET', 'secret-secret-secret-secret'],
      ['PII_ENCRYPTION_KEY', '6465762d6f6e6c792d7069692d6b65792d6368616e67652d6d652d3031323334'], ['PII_ENCRYPTION_KEY', 'ab'.repeat(32)],
      ['JWT_SECRET', 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'], ['JWT_SECRET', 'Zq8!rT2#vB5w'.repeat(5)],
      ['PII_ENCRYPTION_KEY', '0123456789abcdef'.repeat(4)], ['PII_ENCRYPTION_KEY', 'zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLKJIHGFEDCBA9876543210'],
      ['METRICS_TOKEN', '0123456789abcdef'], ['ADMIN_PASSWORD', 'abcdefghijklmn'], ['ADMIN_PASSWORD', 'Admin#2026'], ['ADMIN_PASSWORD', 'short1'], ['STAFF_SECOND_FACTOR', 'off'],
    ]) {
      expect(() => loadConfig({ ...ok, [key]: value })).toThrow(key);
    }
    // what the README tells operators to use passes, whatever the random draw
    for (let i = 0; i < 200; i++) {
      expect(() => loadConfig({ ...ok, JWT_SECRET: randomBytes(32).toString('hex'), PII_ENCRYPTION_KEY: randomBytes(32).toString('base64') })).not.toThrow();
    }
    // outside production the development defaults are fine
    expect(() => loadConfig({ NODE_ENV: 'development' })).not.toThrow();
  });

  it('defaults to 15-minute access tokens, 30-day refresh tokens and the log SMS sender', () => {
    const c = loadConfig({});
    expect(c.JWT_TTL_SECONDS).toBe(900);
    expect(c.REFRESH_TOKEN_TTL_SECONDS).toBe(30 * 24 * 3600);
    expect(c.SMS_PROVIDER).toBe('log');
    expect(c.OTP_MAX_ATTEMPTS).toBeGreaterThan(0);
  });

  it('refuses the log SMS sender in production', () => {
    expect(() => loadConfig(production)).toThrow(/SMS_PROVIDER/);
    expect(() => loadConfig({ ...production, SMS_PROVIDER: 'http', SMS_HTTP_URL: 'https://sms.example.cn/send' })).not.toThrow();
  });

  it('needs a URL for the http SMS sender and a secret with a WeChat appid', () => {
    expect(() => loadConfig({ SMS_PROVIDER: 'http' })).toThrow(ConfigError);
    expect(() => loadConfig({ WECHAT_APPID: 'wx0123456789' })).toThrow(/WECHAT_SECRET/);
    expect(() => loadConfig({ WECHAT_APPID: 'wx0123456789', WECHAT_SECRET: 's' })).not.toThrow();
  });

  it('refuses nonsense limits', () => {
    expect(() => loadConfig({ SMS_PROVIDER: 'carrier-pigeon' })).toThrow(/SMS_PROVIDER/);
    expect(() => loadConfig({ OTP_MAX_ATTEMPTS: '0' })).toThrow(/OTP_MAX_ATTEMPTS/);
    expect(() => loadConfig({ LOGIN_LOCKOUT_BASE_SECONDS: '600', LOGIN_LOCKOUT_MAX_SECONDS: '60' })).toThrow(/LOGIN_LOCKOUT_MAX_SECONDS/);
    expect(() => loadConfig({ WECHAT_API_BASE_URL: 'not a url' })).toThrow(/WECHAT_API_BASE_URL/);
  });
});

describe('AppConfig hardening settings', () => {
  it('defaults to no trusted proxy, no CORS origin, 64 KiB bodies and Redis-backed rate limits', () => {
    const c = loadConfig({});
    expect(c.TRUSTED_PROXIES).toBe('');
    expect(c.CORS_ORIGINS).toBe('');
    expect(c.BODY_LIMIT_BYTES).toBe(65536);
    expect(c.RATE_LIMIT_PER_IP).toBeGreaterThan(c.RATE_LIMIT_AUTH_PER_IP);
    expect(c.RATE_LIMIT_REDIS_URL).toBeUndefined();
  });

  it('accepts addresses, CIDRs and proxy-addr keywords as trusted proxies', () => {
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.10,loopback, fd00::/8' }).TRUSTED_PROXIES).toContain('loopback');
  });

  it.each([['TRUSTED_PROXIES', 'proxy.example.com'], ['TRUSTED_PROXIES', '10.0.0.0/33'], ['TRUSTED_PROXIES', '*'], ['CORS_ORIGINS', '*'],
    ['CORS_ORIGINS', 'https://a.example.cn/path'], ['CORS_ORIGINS', 'console.example.cn'], ['CORS_ORIGINS', 'ftp://a.example.cn'],
    ['RATE_LIMIT_PER_USER', '-1'], ['RATE_LIMIT_WINDOW_SECONDS', '0'], ['BODY_LIMIT_BYTES', '10']])('refuses %s=%s', (key, value) => {
    expect(() => loadConfig({ [key]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [key]: value })).toThrow(key);
  });

  it('accepts a list of exact origins for CORS', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://console.example.gov.cn,http://localhost:5173' }).CORS_ORIGINS).toContain('localhost');
  });
});
