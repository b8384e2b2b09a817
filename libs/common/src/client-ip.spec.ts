import { clientBucketOf, trustProxySetting } from './client-ip';

describe('client address buckets', () => {
  it('counts IPv4 per address, also when written IPv4-mapped', () => {
    expect(clientBucketOf('203.0.113.7')).toBe('203.0.113.7');
    expect(clientBucketOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientBucketOf('::FFFF:203.0.113.7')).toBe('203.0.113.7');
  });

  it('counts IPv6 per /64, however the address is written', () => {
    const a = clientBucketOf('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    expect(a).toBe('2001:db8:1:2::/64');
    expect(clientBucketOf('2001:0db8:0001:0002::1')).toBe(a);
    expect(clientBucketOf('2001:DB8:1:2:ffff::')).toBe(a);
    expect(clientBucketOf('2001:db8:1:3::1')).not.toBe(a);
    expect(clientBucketOf('::1')).toBe('0:0:0:0::/64');
    expect(clientBucketOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientBucketOf('64:ff9b::192.0.2.33')).toBe('64:ff9b:0:0::/64');
  });

  it('puts anything unparseable in one shared bucket rather than a fresh one', () => {
    expect(clientBucketOf(undefined)).toBe('unknown');
    expect(clientBucketOf('not-an-ip')).toBe('unknown');
    expect(clientBucketOf('1.2.3.4, 5.6.7.8')).toBe('unknown');
  });

  it('trusts no proxy unless configured', () => {
    expect(trustProxySetting([])).toBe(false);
    expect(trustProxySetting(['10.0.0.0/8', 'loopback'])).toEqual(['10.0.0.0/8', 'loopback']);
  });
});
