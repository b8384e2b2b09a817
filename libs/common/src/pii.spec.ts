import { maskIdNumber, maskName, maskPhone, PiiCipher } from './pii';

const KEY = '00'.repeat(32);

describe('PiiCipher', () => {
  const cipher = PiiCipher.fromConfig(KEY);

  it('round-trips a value and never stores it in clear', () => {
    const stored = cipher.encrypt('13812341234');
    expect(stored).not.toContain('13812341234');
    expect(stored.startsWith('v1:')).toBe(true);
    expect(cipher.decrypt(stored)).toBe('13812341234');
  });

  it('gives a different ciphertext each time (random IV) but the same blind index', () => {
    expect(cipher.encrypt('13812341234')).not.toBe(cipher.encrypt('13812341234'));
    expect(cipher.blindIndex('13812341234')).toBe(cipher.blindIndex('13812341234'));
    expect(cipher.blindIndex('13812341234')).not.toBe(cipher.blindIndex('13812341235'));
  });

  it('refuses a tampered ciphertext and one made with another key', () => {
    const stored = cipher.encrypt('330523194501011234');
    const [v, iv, tag, data] = stored.split(':');
    const flipped = Buffer.from(data, 'base64');
    flipped[0] ^= 1;
    expect(() => cipher.decrypt([v, iv, tag, flipped.toString('base64')].join(':'))).toThrow();
    const other = PiiCipher.fromConfig('11'.repeat(32));
    expect(() => other.decrypt(stored)).toThrow();
    expect(other.blindIndex('x')).not.toBe(cipher.blindIndex('x'));
  });

  it('accepts a base64 key and rejects a key of the wrong length', () => {
    expect(PiiCipher.fromConfig(Buffer.alloc(32, 7).toString('base64')).decrypt(PiiCipher.fromConfig(Buffer.alloc(32, 7).toString('base64')).encrypt('a'))).toBe('a');
    expect(() => PiiCipher.fromConfig('abcd')).toThrow();
  });
});

describe('masking', () => {
  it('masks phones, identity numbers and names', () => {
    expect(maskPhone('13812341234')).toBe('138****1234');
    expect(maskPhone('12345')).toBe('*****');
    expect(maskPhone(null)).toBeNull();
    expect(maskIdNumber('330523194501011234')).toBe('330523********1234');
    expect(maskName('王秀英')).toBe('王**');
    expect(maskName('王')).toBe('*');
  });
});
