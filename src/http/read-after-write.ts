import type { RequestHandler } from 'express';
import { READ_AFTER_WRITE_MS, type ReadRouting } from '../db/read-replica.js';

const COOKIE = 'nqi.rw';
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Read-your-own-writes with a read replica: a request that changes something marks its browser for a few seconds
 * (a short-lived cookie, no session write), and that browser's requests meanwhile read everything from the primary.
 * The cookie only ever sends its own holder to the primary, so it needs no signature. Without DATABASE_READ_URL this
 * does nothing.
 */
export function readAfterWrite(routing: ReadRouting): RequestHandler {
  if (!routing.replicated) return (_req, _res, next) => next();
  return (req, res, next) => {
    const writes = !READS.has(req.method);
    if (writes) res.cookie(COOKIE, '1', { maxAge: READ_AFTER_WRITE_MS, httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' });
    const recent = writes || (req.headers.cookie ?? '').split(';').some((c) => c.trim().startsWith(`${COOKIE}=`));
    if (recent) routing.onPrimary(() => next());
    else next();
  };
}
