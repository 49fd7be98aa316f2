import { and, count, desc, eq, sql } from 'drizzle-orm';
import { rowsOf, type Executor } from '../db/client.js';
import { outbox } from '../db/schema.js';

export type OutboxKind = 'email' | 'webhook';
export type OutboxStatus = 'pending' | 'sent' | 'failed';

/** An e-mail as the mail sender sends it. */
export interface EmailPayload {
  to: string;
  subject: string;
  text: string;
}

/** A webhook delivery (a later feature registers the sender): where to, and the JSON body. */
export interface WebhookPayload {
  url: string;
  event: string;
  body: Record<string, unknown>;
  subscriptionId?: number;
}

export type OutboxMessage = { kind: 'email'; payload: EmailPayload } | { kind: 'webhook'; payload: WebhookPayload };

export type OutboxRow = typeof outbox.$inferSelect;

/**
 * Writes messages in the caller's transaction: they are delivered only if that transaction commits (a rolled-back
 * reminder never sends its e-mail), and after it commits (nothing is sent for a change that might still fail).
 */
export async function enqueue(ex: Executor, messages: OutboxMessage | OutboxMessage[]): Promise<void> {
  const list = [messages].flat();
  for (let i = 0; i < list.length; i += 500) {
    await ex.insert(outbox).values(list.slice(i, i + 500).map((m) => ({ kind: m.kind, payload: m.payload })));
  }
}

/**
 * Claims up to `limit` due messages of the given kinds for this worker: the rows are locked with SKIP LOCKED (two
 * workers never take the same row), counted as an attempt, and leased — `next_attempt_at` moves past the lease, so a
 * worker that dies mid-send leaves the message to be tried again once the lease has run out.
 */
export async function claimDue(ex: Executor, kinds: OutboxKind[], limit: number, leaseSeconds: number): Promise<OutboxRow[]> {
  if (kinds.length === 0) return [];
  const result = await ex.execute(sql`
    UPDATE ${outbox} SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => ${leaseSeconds})
    WHERE id IN (
      SELECT id FROM ${outbox}
      WHERE status = 'pending' AND next_attempt_at <= now() AND kind IN (${sql.join(kinds.map((k) => sql`${k}`), sql`, `)})
      ORDER BY next_attempt_at, id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING id, kind, payload, status, attempts, max_attempts AS "maxAttempts", next_attempt_at AS "nextAttemptAt",
              last_error AS "lastError", created_at AS "createdAt", sent_at AS "sentAt"`);
  return rowsOf<OutboxRow>(result);
}

export async function markSent(ex: Executor, id: number): Promise<void> {
  await ex.update(outbox).set({ status: 'sent', sentAt: sql`now()`, lastError: null }).where(eq(outbox.id, id));
}

/** A failed attempt: tried again after `retryInSeconds`, or given up (status failed) when it was the last attempt. */
export async function markAttemptFailed(ex: Executor, row: Pick<OutboxRow, 'id' | 'attempts' | 'maxAttempts'>, error: string, retryInSeconds: number): Promise<'retry' | 'failed'> {
  const final = row.attempts >= row.maxAttempts;
  await ex
    .update(outbox)
    .set({ status: final ? 'failed' : 'pending', lastError: error.slice(0, 1000), nextAttemptAt: sql`now() + make_interval(secs => ${retryInSeconds})` })
    .where(eq(outbox.id, row.id));
  return final ? 'failed' : 'retry';
}

export async function countsByStatus(ex: Executor) {
  const rows = await ex.select({ kind: outbox.kind, status: outbox.status, n: count() }).from(outbox).groupBy(outbox.kind, outbox.status);
  return rows;
}

export async function listMessages(ex: Executor, filter: { status?: OutboxStatus }, page: { limit: number; offset: number }) {
  const where = filter.status ? eq(outbox.status, filter.status) : undefined;
  const [rows, [total]] = await Promise.all([
    ex.select().from(outbox).where(where).orderBy(desc(outbox.createdAt), desc(outbox.id)).limit(page.limit).offset(page.offset),
    ex.select({ n: count() }).from(outbox).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}

export async function findMessage(ex: Executor, id: number) {
  return (await ex.select().from(outbox).where(eq(outbox.id, id)))[0];
}

/** A message given up on goes back to the queue, due now, with a fresh set of attempts (its last error is kept). */
export async function requeue(ex: Executor, id: number): Promise<boolean> {
  const rows = await ex
    .update(outbox)
    .set({ status: 'pending', attempts: 0, nextAttemptAt: sql`now()` })
    .where(and(eq(outbox.id, id), eq(outbox.status, 'failed')))
    .returning({ id: outbox.id });
  return rows.length > 0;
}
