import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * Application-level protection of personal data at rest (phone numbers, identity numbers, guardian
 * contacts): AES-256-GCM with a random 96-bit IV per value, and an HMAC-SHA256 "blind index" so a
 * value can still be looked up by equality (login by phone) without storing it in clear.
 *
 * Stored form of a ciphertext: `v1:<iv b64>:<tag b64>:<data b64>`. The version prefix lets a later
 * key rotation tell old rows from new ones.
 *
 * The key comes from env PII_ENCRYPTION_KEY (32 bytes, base64 or 64 hex chars). Both keys used here
 * are derived from it, so encryption and indexing never share a key.
 */
export class PiiCipher {
  private readonly encryptionKey: Buffer;
  private readonly indexKey: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('PII key must be 32 bytes');
    this.encryptionKey = createHash('sha256').update(masterKey).update('xinyuan:pii:enc').digest();
    this.indexKey = createHash('sha256').update(masterKey).update('xinyuan:pii:idx').digest();
  }

  /** `key`: 64 hex characters or base64 of 32 bytes. */
  static fromConfig(key: string): PiiCipher {
    const bytes = /^[0-9a-fA-F]{64}$/.test(key) ? Buffer.from(key, 'hex') : Buffer.from(key, 'base64');
    return new PiiCipher(bytes);
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${data.toString('base64')}`;
  }

  /** Throws when the value was not produced with this key or was tampered with. */
  decrypt(stored: string): string {
    const [version, iv, tag, data] = stored.split(':');
    if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('not a PII ciphertext');
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  }

  encryptNullable(plain: string | null | undefined): string | null {
    return plain === null || plain === undefined ? null : this.encrypt(plain);
  }

  decryptNullable(stored: string | null | undefined): string | null {
    return stored === null || stored === undefined ? null : this.decrypt(stored);
  }

  /** Deterministic keyed hash for equality lookups (hex). Normalise the value before calling. */
  blindIndex(value: string): string {
    return createHmac('sha256', this.indexKey).update(value, 'utf8').digest('hex');
  }
}

/** 13812341234 → 138****1234 (anything shorter than 7 characters is fully masked). */
export function maskPhone(phone: string | null | undefined): string | null {
  if (phone === null || phone === undefined) return null;
  if (phone.length < 7) return '*'.repeat(phone.length);
  return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
}

/** 18-character resident identity number → first 6 and last 4 kept: 330523********1234. */
export function maskIdNumber(id: string | null | undefined): string | null {
  if (id === null || id === undefined) return null;
  if (id.length < 10) return '*'.repeat(id.length);
  return `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}`;
}

/** 王秀英 → 王** (a name in a list that is not the caller's own). */
export function maskName(name: string | null | undefined): string | null {
  if (name === null || name === undefined) return null;
  const chars = [...name];
  return chars.length <= 1 ? '*' : chars[0] + '*'.repeat(chars.length - 1);
}
