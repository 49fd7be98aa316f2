import { createHash, randomBytes } from 'node:crypto';

/*
 * One-time secrets (invitation and reset links, window claim codes): 192 random bits for links, 130 for the printed
 * claim code; only their SHA-256 is stored, so a copy of the database opens no account.
 */

export const INVITATION_DAYS = 7;
export const RESET_MINUTES = 60;
export const CLAIM_DAYS = 90;

/** A link token: 24 random bytes, URL-safe. */
export function newLinkToken(): string {
  return randomBytes(24).toString('base64url');
}

export const LINK_TOKEN_RE = /^[A-Za-z0-9_-]{32}$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

// Crockford's base32: no I, L, O, U — nothing to misread on a printed receipt.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A claim code to print: 26 characters (130 bits) in groups of four for typing. */
export function newClaimCode(): string {
  const bytes = randomBytes(17);
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < 26; i++) {
    out += CROCKFORD[Number(bits & 31n)];
    bits >>= 5n;
  }
  return out.match(/.{1,4}/g)!.join('-');
}

/** The code as typed (spaces, dashes, lower case, O for 0, I/L for 1) → its canonical form, or undefined. */
export function normaliseClaimCode(input: string): string | undefined {
  const c = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return /^[0-9A-HJKMNP-TV-Z]{26}$/.test(c) ? c : undefined;
}

export const hashClaimCode = (canonical: string) => hashToken(`claim:${canonical}`);
