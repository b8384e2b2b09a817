import { ConfigError, loadConfig } from './app-config';

describe('identity configuration', () => {
  const production = { NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-0123456789', PII_ENCRYPTION_KEY: 'ab'.repeat(32) };

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
