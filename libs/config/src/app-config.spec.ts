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
