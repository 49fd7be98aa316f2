import { createHash } from 'node:crypto';

/* Idempotency-Key semantics of the open API (as in the IETF draft "The Idempotency-Key HTTP Header Field" and Stripe):
   the key is stored with a fingerprint of the request; the same key with the same request replays the first answer,
   with a different request it is refused (422). */

/** JSON with object keys sorted at every level (arrays keep their order): equal data, equal text, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** SHA-256 (hex) of the method, the path and the canonical JSON body of a request. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method.toUpperCase()} ${path}\n${canonicalJson(body ?? {})}`).digest('hex');
}
