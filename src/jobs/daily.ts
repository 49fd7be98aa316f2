import { and, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { jobRuns } from '../db/schema.js';
import { inTransaction } from '../db/tx.js';
import type { Logger } from '../shared/logger.js';
import { shanghaiDate, type Clock } from '../shared/time.js';

/**
 * Runs a daily job at most once per (job, day), however many processes try: the job's work and its `job_runs` row
 * share one transaction. The row is taken with INSERT … ON CONFLICT DO NOTHING — a second process blocks on the
 * first one's uncommitted row and then finds it taken; if the first one fails or dies, its transaction rolls back,
 * the row disappears with the work, and the next attempt does it all again.
 */
export async function runOncePerDay<T extends Record<string, unknown>>(db: Db, job: string, day: string, work: (tx: Tx) => Promise<T>): Promise<{ ran: false } | { ran: true; stats: T }> {
  return inTransaction(db, async (tx) => {
    const taken = await tx.insert(jobRuns).values({ job, day }).onConflictDoNothing().returning({ job: jobRuns.job });
    if (taken.length === 0) return { ran: false } as const;
    const stats = await work(tx);
    await tx.update(jobRuns).set({ finishedAt: sql`now()`, stats }).where(and(eq(jobRuns.job, job), eq(jobRuns.day, day)));
    return { ran: true, stats } as const;
  });
}

/**
 * Calls `run(today)` on every tick once the day's hour has come (Shanghai time): after a restart, after downtime, or
 * on a process that just started, today's run happens at the next tick. `run` itself decides whether today is done.
 */
export function dailySchedule(opts: { clock: Clock; logger: Logger; name: string; fromHour: number; everyMs: number; run: (day: string) => Promise<unknown> }): () => Promise<void> {
  let stopped = false;
  let running: Promise<unknown> | undefined;
  const tick = () => {
    const now = opts.clock.now();
    const hour = Number(new Date(now.getTime() + 8 * 3600_000).toISOString().slice(11, 13));
    if (stopped || running || hour < opts.fromHour) return;
    running = opts
      .run(shanghaiDate(now))
      .catch((err: unknown) => opts.logger.warn({ err, job: opts.name }, 'daily job failed; tried again at the next tick'))
      .finally(() => {
        running = undefined;
      });
  };
  const first = setTimeout(tick, 15_000).unref();
  const timer = setInterval(tick, opts.everyMs).unref();
  return async () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(timer);
    await running;
  };
}
