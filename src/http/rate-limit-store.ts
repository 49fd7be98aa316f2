import { eq, lt, sql } from 'drizzle-orm';
import type { IncrementResponse, Options, Store } from 'express-rate-limit';
import { rowsOf, type Db } from '../db/client.js';
import { rateLimits } from '../db/schema.js';

/**
 * Fixed-window counters for express-rate-limit kept in the database, so limits hold across every app process
 * and survive restarts (a memory store would let an attacker multiply attempts by the number of workers).
 */
export class DbRateLimitStore implements Store {
  windowMs = 60_000;
  localKeys = false;

  constructor(
    private readonly db: Db,
    public readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  private key(key: string): string {
    return `${this.prefix}:${key}`;
  }

  async get(key: string): Promise<IncrementResponse | undefined> {
    const rows = await this.db
      .select()
      .from(rateLimits)
      .where(eq(rateLimits.key, this.key(key)));
    const row = rows[0];
    if (!row || row.resetAt.getTime() <= Date.now()) return undefined;
    return { totalHits: row.hits, resetTime: row.resetAt };
  }

  async increment(key: string): Promise<IncrementResponse> {
    const windowSeconds = this.windowMs / 1000;
    const result = await this.db.execute(sql`
      INSERT INTO ${rateLimits} (key, hits, reset_at)
      VALUES (${this.key(key)}, 1, now() + make_interval(secs => ${windowSeconds}))
      ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN ${rateLimits.resetAt} <= now() THEN 1 ELSE ${rateLimits.hits} + 1 END,
        reset_at = CASE WHEN ${rateLimits.resetAt} <= now() THEN now() + make_interval(secs => ${windowSeconds})
                        ELSE ${rateLimits.resetAt} END
      RETURNING hits, reset_at`);
    const row = rowsOf<{ hits: number; reset_at: Date | string }>(result)[0]!;
    return { totalHits: Number(row.hits), resetTime: new Date(row.reset_at) };
  }

  async decrement(key: string): Promise<void> {
    await this.db
      .update(rateLimits)
      .set({ hits: sql`GREATEST(${rateLimits.hits} - 1, 0)` })
      .where(eq(rateLimits.key, this.key(key)));
  }

  async resetKey(key: string): Promise<void> {
    await this.db.delete(rateLimits).where(eq(rateLimits.key, this.key(key)));
  }

  async prune(): Promise<void> {
    await this.db.delete(rateLimits).where(lt(rateLimits.resetAt, sql`now()`));
  }
}
