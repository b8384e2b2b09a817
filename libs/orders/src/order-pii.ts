import { maskPhone, PiiCipher } from '@xinyuan/common';

/**
 * The contact phone of an order as stored: a PiiCipher ciphertext (`v1:…`), except orders that took
 * the account's phone, which copy the users column as that column is stored.
 */
export function openContactPhone(cipher: PiiCipher, stored: string | null | undefined): string | null {
  if (stored === null || stored === undefined) return null;
  return stored.startsWith('v1:') ? cipher.decrypt(stored) : stored;
}

export function maskedContactPhone(cipher: PiiCipher, stored: string | null | undefined): string | null {
  return maskPhone(openContactPhone(cipher, stored));
}
