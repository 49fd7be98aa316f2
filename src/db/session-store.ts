import session from 'express-session';
import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Db, Executor } from './client.js';
import { runPrepared } from './prepared.js';
import { sessions } from './schema.js';

type Callback<T = void> = (err?: unknown, value?: T) => void;

const sessionQuery = (db: Executor) =>
  db
    .select({ sess: sessions.sess })
    .from(sessions)
    .where(and(eq(sessions.sid, sql.placeholder('sid')), gt(sessions.expiresAt, sql`now()`)));

/**
 * express-session store over Drizzle, so sessions live in the database on both drivers
 * (connect-pg-simple cannot create its table on PGlite). Every app process shares them.
 */
/** Reads a session together with its signed-in user in one statement (the auth module provides it). */
export type SessionLoader = (sid: string) => Promise<{ sess: unknown; principal: unknown; snapshot?: string } | undefined>;

const snapshots = new WeakMap<object, string>();

/**
 * The PostgreSQL snapshot a signed-in user was read in, together with their session (pg_current_snapshot()), if it
 * was: everything a page then reads is at least as new. src/http/private-pages.ts keeps pages under it.
 */
export function snapshotOfPrincipal(principal: object): string | undefined {
  return snapshots.get(principal);
}

export class DrizzleSessionStore extends session.Store {
  private pruneTimer: NodeJS.Timeout | undefined;
  /** The user read with each session, kept from `get` until Passport asks for it in the same request. */
  private readonly prefetched = new Map<string, { userId: unknown; principal: unknown }>();
  private loader: SessionLoader | undefined;
  /** When this process last pushed each session's expiry forward (touch is skipped within TOUCH_EVERY_MS). */
  private readonly touched = new Map<string, number>();
  static readonly TOUCH_EVERY_MS = 5 * 60_000;

  constructor(
    private readonly db: Db,
    private readonly defaultTtlMs: number,
    pruneEveryMs = 15 * 60_000,
  ) {
    super();
    if (pruneEveryMs > 0) {
      this.pruneTimer = setInterval(() => void this.prune().catch(() => undefined), pruneEveryMs);
      this.pruneTimer.unref();
    }
  }

  private expiryOf(sess: session.SessionData): Date {
    const cookieExpiry = sess.cookie?.expires ? new Date(sess.cookie.expires) : undefined;
    return cookieExpiry && !Number.isNaN(cookieExpiry.getTime()) ? cookieExpiry : new Date(Date.now() + this.defaultTtlMs);
  }

  /** From now on `get` reads the signed-in user in the same round trip as the session (see `takePrincipal`). */
  loadWith(loader: SessionLoader): void {
    this.loader = loader;
  }

  /**
   * The user read together with this session by the `get` of the same request, if it was for that user id — taken,
   * not kept: the next request reads the database again, so a deactivation or role change takes effect at once.
   */
  takePrincipal(sid: string, userId: unknown): { principal: unknown } | undefined {
    const hit = this.prefetched.get(sid);
    if (!hit) return undefined;
    this.prefetched.delete(sid);
    return hit.userId === userId ? { principal: hit.principal } : undefined;
  }

  // Read on every request with a session cookie: a prepared statement.
  override get(sid: string, cb: Callback<session.SessionData | null>): void {
    if (this.loader) {
      this.loader(sid).then((row) => {
        if (!row) return cb(undefined, null);
        const sess = row.sess as session.SessionData & { passport?: { user?: unknown } };
        if (sess.passport?.user !== undefined) {
          if (this.prefetched.size > 10_000) this.prefetched.clear();
          this.prefetched.set(sid, { userId: sess.passport.user, principal: row.principal });
          if (row.principal && typeof row.principal === 'object' && row.snapshot) snapshots.set(row.principal, row.snapshot);
        }
        cb(undefined, sess);
      }, cb);
      return;
    }
    runPrepared(this.db, 'nqi_session_get', sessionQuery, { sid }).then((rows) => cb(undefined, (rows[0]?.sess as session.SessionData | undefined) ?? null), cb);
  }

  override set(sid: string, sess: session.SessionData, cb?: Callback): void {
    const expiresAt = this.expiryOf(sess);
    this.touched.set(sid, Date.now());
    this.db
      .insert(sessions)
      .values({ sid, sess, expiresAt })
      .onConflictDoUpdate({ target: sessions.sid, set: { sess, expiresAt } })
      .then(() => cb?.(), (err: unknown) => cb?.(err));
  }

  override destroy(sid: string, cb?: Callback): void {
    this.touched.delete(sid);
    this.db
      .delete(sessions)
      .where(eq(sessions.sid, sid))
      .then(() => cb?.(), (err: unknown) => cb?.(err));
  }

  /**
   * Rolling sessions call touch on every request. Moving an 8-hour expiry by a few seconds is not worth a database
   * write per page view: each process writes it at most once every five minutes per session.
   */
  override touch(sid: string, sess: session.SessionData, cb?: Callback): void {
    const now = Date.now();
    if (now - (this.touched.get(sid) ?? 0) < DrizzleSessionStore.TOUCH_EVERY_MS) {
      cb?.();
      return;
    }
    if (this.touched.size > 50_000) this.touched.clear();
    this.touched.set(sid, now);
    this.db
      .update(sessions)
      .set({ expiresAt: this.expiryOf(sess) })
      .where(eq(sessions.sid, sid))
      .then(() => cb?.(), (err: unknown) => cb?.(err));
  }

  /** Removes every session of a user, e.g. after a password change or deactivation. */
  async destroyUserSessions(userId: number, exceptSid?: string): Promise<void> {
    const bySid = exceptSid ? sql` AND ${sessions.sid} <> ${exceptSid}` : sql``;
    await this.db.execute(
      sql`DELETE FROM ${sessions} WHERE (${sessions.sess} -> 'passport' ->> 'user') = ${String(userId)}${bySid}`,
    );
  }

  async prune(): Promise<void> {
    await this.db.delete(sessions).where(lt(sessions.expiresAt, sql`now()`));
  }

  close(): void {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
  }
}
