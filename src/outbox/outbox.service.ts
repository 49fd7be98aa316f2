import { assertCan, type Principal } from '../auth/access.js';
import type { Db } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import * as repo from './outbox.repo.js';
import type { EmailPayload, OutboxKind, OutboxStatus, WebhookPayload } from './outbox.repo.js';

export type { OutboxKind, OutboxMessage } from './outbox.repo.js';
export { enqueue } from './outbox.repo.js';

type Payloads = { email: EmailPayload; webhook: WebhookPayload };
/** Sends one message; `meta` tells which outbox row and which attempt it is (the webhook log records both). */
export type Sender<K extends OutboxKind> = (payload: Payloads[K], meta: { id: number; attempt: number }) => Promise<void>;

const BATCH = 20;
/** How long a claimed message is reserved for the worker that claimed it (longer than any send takes). */
const LEASE_SECONDS = 300;
const PAGE_SIZE = 50;

/** Exponential back-off: 1, 2, 4 … minutes after each failed attempt, at most 6 hours, with ±20 % jitter so retries spread. */
export function backoffSeconds(attempt: number): number {
  const base = Math.min(60 * 2 ** Math.max(0, attempt - 1), 6 * 3600);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/**
 * The outbox: features write messages in their own transaction (`enqueue`); one worker loop per process delivers
 * them after commit. Any number of processes may run the loop at once — each message is claimed by one of them
 * (SKIP LOCKED). A kind without a sender (e-mail without SMTP_URL, webhooks before that feature exists) is left
 * waiting, never failed.
 */
export function makeOutbox(deps: { db: Db; logger: Logger }) {
  const { db, logger } = deps;
  const senders: { [K in OutboxKind]?: Sender<K> } = {};

  /** Delivers one batch of due messages; returns how many were claimed. */
  async function deliverDue(): Promise<{ claimed: number; sent: number; retried: number; failed: number }> {
    const kinds = (Object.keys(senders) as OutboxKind[]).filter((k) => senders[k]);
    const rows = await repo.claimDue(db, kinds, BATCH, LEASE_SECONDS);
    const tally = { claimed: rows.length, sent: 0, retried: 0, failed: 0 };
    for (const row of rows) {
      try {
        await (senders[row.kind as OutboxKind] as Sender<OutboxKind>)(row.payload as never, { id: row.id, attempt: row.attempts });
        await repo.markSent(db, row.id);
        tally.sent++;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const outcome = await repo.markAttemptFailed(db, row, message, backoffSeconds(row.attempts));
        if (outcome === 'failed') tally.failed++;
        else tally.retried++;
        logger.warn({ outbox: row.id, kind: row.kind, attempt: row.attempts, outcome, err: message }, 'outbox delivery failed');
      }
    }
    return tally;
  }

  /** The worker loop: a batch every `intervalMs`, at once again while batches come back full. Returns its stop. */
  function start(intervalMs = 5_000): () => Promise<void> {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> | undefined;
    const tick = () => {
      running = (async () => {
        try {
          while (!stopped && (await deliverDue()).claimed === BATCH);
        } catch (err) {
          logger.warn({ err }, 'outbox worker: batch failed');
        }
      })();
      void running.then(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs).unref();
      });
    };
    timer = setTimeout(tick, Math.min(intervalMs, 1_000)).unref();
    return async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    };
  }

  return {
    register<K extends OutboxKind>(kind: K, sender: Sender<K>) {
      (senders as Record<K, Sender<K>>)[kind] = sender;
    },
    canSend: (kind: OutboxKind) => Boolean(senders[kind]),
    deliverDue,
    start,

    /** The platform admin's view: counts by kind and status, and the messages (newest first). */
    async page(user: Principal, query: { status?: string; page: number }) {
      assertCan(user, 'outbox.manage');
      const status = (['pending', 'sent', 'failed'] as const).find((s) => s === query.status);
      const [counts, list] = await Promise.all([repo.countsByStatus(db), repo.listMessages(db, status ? { status } : {}, { limit: PAGE_SIZE, offset: (query.page - 1) * PAGE_SIZE })]);
      return { counts, ...list, status: status ?? '', page: query.page, pages: Math.max(1, Math.ceil(list.total / PAGE_SIZE)), emailConfigured: Boolean(senders.email) };
    },

    /** Puts a message given up on back in the queue (audited). */
    async retry(user: Principal, id: number) {
      assertCan(user, 'outbox.manage');
      const row = await repo.findMessage(db, id);
      if (!row) throw new NotFoundError('该消息不存在。');
      if (row.status !== 'failed') throw new ConflictError(row.status === 'sent' ? '该消息已发送成功，无需重发。' : '该消息正在等待发送，无需重发。');
      await inTransaction(db, async (tx) => {
        if (!(await repo.requeue(tx, id))) throw new ConflictError('该消息的状态已变化，请刷新页面。');
        await recordEvent(tx, { actorUserId: user.id, entityType: 'outbox', entityId: id, action: 'outbox.requeued', note: `重新发送（此前已尝试 ${row.attempts} 次：${(row.lastError ?? '').slice(0, 200)}）` });
      });
    },
  };
}

export type Outbox = ReturnType<typeof makeOutbox>;
export type { OutboxStatus };
