import { isForbiddenAddress, urlShapeProblem } from './address-guard';

describe('webhook SSRF guard', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '224.0.0.1', '::7f00:1', '::127.0.0.1', '::ffff:0:7f00:1', '2002:7f00:1::1', '2001:0:4136:e378::1', '::ffff:7f00:1'])(
    'refuses %s',
    (a) => expect(isForbiddenAddress(a)).toBe(true),
  );
  it.each(['8.8.8.8', '114.114.114.114', '2400:3200::1', '::ffff:8.8.8.8'])('lets %s through', (a) => expect(isForbiddenAddress(a)).toBe(false));
  it('checks the shape of a URL', () => {
    expect(urlShapeProblem('ftp://example.com/')).toMatch(/http/);
    expect(urlShapeProblem('https://u:p@example.com/')).toMatch(/credentials/);
    expect(urlShapeProblem('not a url')).toMatch(/absolute/);
    expect(urlShapeProblem('https://hooks.example.com/x')).toBeNull();
  });
});
