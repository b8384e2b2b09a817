import { createHash } from 'node:crypto';

/** Letters nobody mixes up when reading them off a poster (no 0/O, 1/I/L). */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/**
 * The venue's check-in code in 8 letters, printed under its QR code for phones that cannot scan (the
 * H5 in a browser): derived from the QR token, so it is as secret as the poster, and valid only near
 * the place during the activity like the QR code itself.
 */
export function venueCode(qrToken: string): string {
  const digest = createHash('sha256').update(`venue:${qrToken}`).digest();
  return Array.from(digest.subarray(0, 8), (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
}

/** What a volunteer sends: the scanned QR token, or the typed code (case and spaces ignored). */
export function venueCodeMatches(qrToken: string, sent: string): boolean {
  return sent === qrToken || sent.replace(/\s+/g, '').toUpperCase() === venueCode(qrToken);
}
