import type { NextFunction, Request, RequestHandler, Response } from 'express';
import etag from 'etag';
import { sql } from 'drizzle-orm';
import type { Principal } from '../auth/access.js';
import { rowsOf, type Db, type Executor } from '../db/client.js';
import { runPrepared } from '../db/prepared.js';
import { snapshotOfPrincipal } from '../db/session-store.js';
import type { Clock } from '../shared/time.js';

/**
 * The signed-in pages people open again and again (my bookings, one booking, the ledger, equipment, the lab queue),
 * kept per session in this process and served again only while nothing they show has changed.
 *
 * Exact, not "fresh enough": every write to a table these pages read adds a row to `page_changes` in the writer's own
 * transaction (database triggers, drizzle/0026_page_changes.sql), naming the scopes it touches — the company
 * ('e:<id>'), the node ('n:<id>'), the person ('u:<id>'), or '*' for reference data any page may show. The statement
 * that reads the session and the signed-in user also reads PostgreSQL's snapshot; a page rendered in that request is
 * kept under it (everything on the page, the header included, is at least that new). The next request for the page
 * asks, in one statement with no lock, whether any change of the page's scopes committed after that snapshot (a
 * transaction still running then counts as after). If none did, the kept HTML is what rendering would produce now;
 * if one did, the page is rendered anew. Writes made by any process, any host, a script or psql are seen alike,
 * so several app processes never serve each other stale pages; nothing is invalidated by messages.
 *
 * What is not in the database is bounded by time instead: a page is kept at most `maxAgeMs` (30 s) and only within the
 * clock's minute (dates such as 逾期 or 今天 move with the clock). Reference data a process keeps itself (the catalog
 * for 30 s, instrument categories and the holiday calendar for 60 s) may reach a page rendered just before that copy
 * expires, so a change of it made in another process shows within about 90 s at the latest (see README).
 */
export interface PrivatePageRule {
  /** The path (without the query string, which is part of the key). */
  path: RegExp;
  /** The scopes the page shows for this user, or undefined to never keep it for them. */
  scopesFor(user: Principal): string[] | undefined;
}

interface KeptPage {
  /** The page as sent, with its entity tag: served again without converting or hashing it anew. */
  body: Buffer;
  etag: string;
  /** The clock's minute it was rendered in: dates on the page (逾期, 今天) may move with the next. */
  minute: number;
  snapshot: string;
  scopes: string[];
  at: number;
}

export interface PrivatePageStats {
  hits: number;
  misses: number;
  changed: number;
}

const checkQuery = (db: Executor) =>
  db
    .select({
      snapshot: sql<string>`pg_current_snapshot()::text`,
      unchanged: sql<boolean>`(${sql.placeholder('snapshot')}::text IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM page_changes c
        WHERE c.scope = ANY(${sql.placeholder('scopes')}::text[])
          AND c.xid >= pg_snapshot_xmin(${sql.placeholder('snapshot')}::text::pg_snapshot)
          AND NOT pg_visible_in_snapshot(c.xid, ${sql.placeholder('snapshot')}::text::pg_snapshot)))`,
    })
    .from(sql`(VALUES (1)) AS one (x)`);

/** Whether a change of `scopes` committed after `snapshot` (null: nothing kept), and the snapshot as of now. */
export async function checkPageChanges(db: Executor, scopes: string[], snapshot: string | null): Promise<{ snapshot: string; unchanged: boolean }> {
  const [row] = await runPrepared(db, 'nqi_page_changes', checkQuery, { scopes: `{${scopes.map((s) => `"${s}"`).join(',')}}`, snapshot });
  return { snapshot: row!.snapshot, unchanged: row!.unchanged === true };
}

const PAGES_PER_SESSION = 16;

export class PrivatePageCache {
  private readonly pages = new Map<string, KeptPage>();
  private readonly perSession = new Map<string, number>();
  private bytes = 0;
  readonly stats: PrivatePageStats = { hits: 0, misses: 0, changed: 0 };
  /** The oldest running transaction at the previous prune: every change below it is older than any kept page. */
  private pruneBelow: string | undefined;

  private readonly pruneTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly opts: { maxAgeMs?: number; maxBytes?: number; maxPageBytes?: number; pruneEveryMs?: number } = {},
  ) {
    const every = opts.pruneEveryMs ?? 5 * 60_000;
    if (every > 0) {
      void this.dropForeignChanges().catch(() => undefined);
      this.pruneTimer = setInterval(() => void this.prune().catch(() => undefined), every);
      this.pruneTimer.unref();
    }
  }

  close(): void {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
  }

  /** Deletes changes "from the future": rows restored from another cluster's backup, whose ids this cluster has not reached. */
  async dropForeignChanges(): Promise<void> {
    await this.db.execute(sql`DELETE FROM page_changes WHERE xid >= pg_snapshot_xmax(pg_current_snapshot())`);
  }

  private get maxAgeMs(): number {
    return this.opts.maxAgeMs ?? 30_000;
  }

  middleware(rules: PrivatePageRule[]): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const user = req.user as Principal | undefined;
      // A page with a message to show once (after a redirect) is rendered, never kept or served from memory.
      const flashes = res.locals.flashes as unknown[] | undefined;
      if (req.method !== 'GET' || !user || !req.sessionID || (flashes && flashes.length > 0)) return next();
      const rule = rules.find((r) => r.path.test(req.path));
      const scopes = rule?.scopesFor(user);
      if (!scopes) return next();
      const key = `${req.sessionID}\n${user.id}\n${req.originalUrl}`;
      const minute = Math.floor(this.clock.now().getTime() / 60_000);
      // The snapshot the session and this user (the header, the unread count) were read in, before anything else
      // of the page: a page rendered now is kept under it.
      const readAt = snapshotOfPrincipal(user);
      const renderAndKeep = () => {
        if (!readAt) return next();
        const send = res.send.bind(res);
        res.send = ((body?: unknown) => {
          // (a rendered page: send() sets its type to HTML; anything typed otherwise is not a page)
          const type = res.getHeader('content-type');
          if (res.statusCode === 200 && typeof body === 'string' && (type === undefined || String(type).startsWith('text/html'))) {
            const bytes = Buffer.from(body);
            this.keep(key, { body: bytes, etag: etag(bytes, { weak: true }), snapshot: readAt, scopes, at: performance.now(), minute });
          }
          return send(body);
        }) as Response['send'];
        next();
      };
      const kept = this.pages.get(key);
      if (!kept || kept.minute !== minute || performance.now() - kept.at >= this.maxAgeMs) {
        if (kept) this.forget(key);
        this.stats.misses++;
        return renderAndKeep();
      }
      checkPageChanges(this.db, scopes, kept.snapshot)
        .then(
          ({ unchanged }) => {
            if (unchanged) {
              this.stats.hits++;
              res.type('html').set('ETag', kept.etag).send(kept.body);
              return;
            }
            this.stats.changed++;
            this.forget(key);
            renderAndKeep();
          },
          () => {
            // The check failed (the database is busy or gone): the page is rendered as if nothing were kept.
            this.forget(key);
            next();
          },
        )
        .catch(next);
    };
  }

  private keep(key: string, page: KeptPage): void {
    const size = page.body.length;
    if (size > (this.opts.maxPageBytes ?? 512 * 1024)) return;
    this.forget(key);
    // One session cannot push everyone else's pages out (a script walking ?q=… or ?page=… variants): 16 pages each.
    const session = key.slice(0, key.indexOf('\n'));
    if ((this.perSession.get(session) ?? 0) >= PAGES_PER_SESSION) {
      for (const [other] of this.pages) {
        if (other.startsWith(`${session}\n`)) {
          this.forget(other); // the session's oldest page makes room
          break;
        }
      }
    }
    // Oldest first out (a Map iterates in insertion order) until the new page fits.
    const max = this.opts.maxBytes ?? 32 * 1024 * 1024;
    for (const [oldest] of this.pages) {
      if (this.bytes + size <= max) break;
      this.forget(oldest);
    }
    this.pages.set(key, page);
    this.bytes += size + key.length;
    this.perSession.set(session, (this.perSession.get(session) ?? 0) + 1);
  }

  private forget(key: string): void {
    const page = this.pages.get(key);
    if (!page) return;
    this.bytes -= page.body.length + key.length;
    this.pages.delete(key);
    const session = key.slice(0, key.indexOf('\n'));
    const left = (this.perSession.get(session) ?? 1) - 1;
    if (left > 0) this.perSession.set(session, left);
    else this.perSession.delete(session);
  }

  /** How many pages are kept (tests, diagnostics). */
  get size(): number {
    return this.pages.size;
  }

  /** Drops every kept page (tests; never needed for correctness). */
  clear(): void {
    this.pages.clear();
    this.perSession.clear();
    this.bytes = 0;
  }

  /**
   * Deletes the changes no kept page can need: those of transactions that had ended before the previous prune (a kept
   * page is younger than the interval between prunes, so its snapshot sees them all). Every process runs it every few
   * minutes — an interval longer than `maxAgeMs` — each with its own horizon, so any number of them may.
   */
  async prune(): Promise<number> {
    await this.dropForeignChanges();
    let removed = 0;
    if (this.pruneBelow) {
      const deleted = rowsOf<{ n: number }>(await this.db.execute(sql`WITH gone AS (DELETE FROM page_changes WHERE xid < ${this.pruneBelow}::text::xid8 RETURNING 1) SELECT count(*)::int AS n FROM gone`));
      removed = deleted[0]?.n ?? 0;
    }
    this.pruneBelow = rowsOf<{ xmin: string }>(await this.db.execute(sql`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`))[0]!.xmin;
    return removed;
  }
}
