import { createHmac, randomBytes } from 'node:crypto';
import { assertCan, type Principal } from '../auth/access.js';
import type { Db } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { webhookBody, type WebhookBody } from '../events/webhooks.js';
import type { WebhookPayload } from '../outbox/outbox.repo.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { parseInput } from '../shared/validation.js';
import { newWebhookSchema } from './api.schemas.js';
import { refusedTarget } from './ssrf.js';
import * as repo from './webhooks.repo.js';

export type { HookOwner } from './webhooks.repo.js';

const TIMEOUT_MS = 10_000;

/** The signature every delivery carries: HMAC-SHA256 of "<timestamp>.<body>" with the subscription's secret, hex. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** Whose webhooks a user manages: the company's (its company admins: access.ts integration.manage) or the node's (its manager). */
export function hookOwnerOf(user: Principal): repo.HookOwner {
  assertCan(user, 'integration.manage');
  if (user.role === 'enterprise') return { ownerType: 'company', enterpriseId: user.enterpriseId };
  if (user.role === 'node_manager') return { ownerType: 'node', nodeId: user.nodeId };
  throw new NotFoundError('平台账号没有事件推送订阅。');
}

const owns = (owner: repo.HookOwner, sub: repo.SubscriptionRow) => (owner.ownerType === 'company' ? sub.enterpriseId === owner.enterpriseId : sub.nodeId === owner.nodeId);

export function makeWebhooksService(deps: { db: Db; logger: Logger; allowPrivate: boolean }) {
  const { db, allowPrivate } = deps;

  /** One HTTP attempt: signed, time-stamped, no redirects followed; logged with the receiver's status. */
  async function post(sub: repo.SubscriptionRow, body: WebhookBody, meta: { outboxId: number | null; attempt: number }): Promise<{ status: number | null; error: string | null }> {
    const started = Date.now();
    let status: number | null = null;
    let error: string | null = null;
    const refused = await refusedTarget(sub.url, allowPrivate);
    if (refused) error = refused;
    else {
      const raw = JSON.stringify(body);
      const timestamp = String(Math.floor(Date.now() / 1000));
      try {
        const res = await fetch(sub.url, {
          method: 'POST',
          redirect: 'manual',
          signal: AbortSignal.timeout(TIMEOUT_MS),
          headers: {
            'content-type': 'application/json',
            'user-agent': 'NQI-One-Stop-Webhooks/1',
            'x-nqi-event': body.type,
            'x-nqi-delivery': body.id,
            'x-nqi-timestamp': timestamp,
            'x-nqi-signature': `v1=${signWebhook(sub.secret, timestamp, raw)}`,
          },
          body: raw,
        });
        status = res.status;
        await res.body?.cancel();
        if (status < 200 || status >= 300) error = `接收方返回 HTTP ${status}`;
      } catch (err) {
        error = `无法连接接收方：${err instanceof Error ? err.message : String(err)}`.slice(0, 500);
      }
    }
    await repo.logDelivery(db, { subscriptionId: sub.id, outboxId: meta.outboxId, eventId: body.id, event: body.type, attempt: meta.attempt, responseStatus: status, error, durationMs: Date.now() - started });
    return { status, error };
  }

  /** The outbox sender: throws on failure so the outbox retries with back-off; a removed subscription is skipped. */
  async function send(payload: WebhookPayload, meta: { id: number; attempt: number }): Promise<void> {
    const sub = payload.subscriptionId ? await repo.findSubscription(db, payload.subscriptionId) : undefined;
    if (!sub || !sub.active) return;
    const { error } = await post(sub, payload.body as WebhookBody, { outboxId: meta.id, attempt: meta.attempt });
    if (error) throw new Error(error);
  }

  async function owned(user: Principal, id: number) {
    const owner = hookOwnerOf(user);
    const sub = await repo.findSubscription(db, id);
    if (!sub || !owns(owner, sub)) throw new NotFoundError('该推送订阅不存在。');
    return sub;
  }

  return {
    send,

    async page(user: Principal) {
      const subs = await repo.listSubscriptions(db, hookOwnerOf(user));
      const deliveries = await repo.recentDeliveries(db, subs.map((s) => s.id));
      return { subscriptions: subs, deliveries };
    },

    /** Registers a subscription; its secret is shown once on the page that follows. */
    async create(user: Principal, input: unknown): Promise<{ id: number; secret: string }> {
      const owner = hookOwnerOf(user);
      const { url, events } = parseInput(newWebhookSchema, input);
      const refused = await refusedTarget(url, allowPrivate);
      if (refused) throw new ValidationError({ url: refused });
      const secret = `whsec_${randomBytes(24).toString('base64url')}`;
      const sub = await inTransaction(db, async (tx) => {
        const row = await repo.insertSubscription(tx, {
          ownerType: owner.ownerType,
          enterpriseId: owner.ownerType === 'company' ? owner.enterpriseId : null,
          nodeId: owner.ownerType === 'node' ? owner.nodeId : null,
          url,
          events: [...new Set(events)],
          secret,
          createdBy: user.id,
        });
        await recordEvent(tx, { actorUserId: user.id, entityType: 'webhook', entityId: row.id, action: 'webhook.created', note: `登记事件推送地址 ${url}`, data: { events } });
        return row;
      });
      return { id: sub.id, secret };
    },

    async remove(user: Principal, id: number): Promise<void> {
      const owner = hookOwnerOf(user);
      await inTransaction(db, async (tx) => {
        if (!(await repo.deactivate(tx, owner, id))) throw new NotFoundError('该推送订阅不存在或已停用。');
        await recordEvent(tx, { actorUserId: user.id, entityType: 'webhook', entityId: id, action: 'webhook.removed', note: '停用事件推送' });
      });
    },

    /** A test event sent now (not through the outbox): the answer is shown to the user and logged. */
    async ping(user: Principal, id: number) {
      const sub = await owned(user, id);
      if (!sub.active) throw new ConflictError('该推送订阅已停用。');
      return post(sub, webhookBody('ping', { subscriptionId: sub.id }), { outboxId: null, attempt: 1 });
    },

    /** Sends a logged delivery again (same body and id) through the outbox. */
    async redeliver(user: Principal, deliveryId: number): Promise<void> {
      const delivery = await repo.findDelivery(db, deliveryId);
      if (!delivery) throw new NotFoundError('该推送记录不存在。');
      const sub = await owned(user, delivery.subscriptionId);
      if (!sub.active) throw new ConflictError('该推送订阅已停用。');
      const message = delivery.outboxId ? await repo.findOutboxMessage(db, delivery.outboxId) : undefined;
      if (!message) throw new ConflictError('测试推送不能重发，请重新点击“发送测试”。');
      await inTransaction(db, async (tx) => {
        await repo.requeueCopy(tx, message.payload);
        await recordEvent(tx, { actorUserId: user.id, entityType: 'webhook', entityId: sub.id, action: 'webhook.redelivered', note: `重新推送 ${delivery.event}` });
      });
    },
  };
}

export type WebhooksService = ReturnType<typeof makeWebhooksService>;
