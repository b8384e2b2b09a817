import { ConfigError, loadConfig } from './app-config';

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
