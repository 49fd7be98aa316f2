import { randomUUID } from 'node:crypto';
import { and, arrayContains, eq, or } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { outbox, webhookSubscriptions } from '../db/schema.js';

/* The webhook writer: like the event writer it sits on the database floor, so every feature can announce a change
   in the transaction that makes it. Each active subscription of the company or node that asked for the event gets one
   outbox message (kind 'webhook'), delivered after commit by the outbox worker (src/webhooks registers the sender). */

export const WEBHOOK_EVENTS = ['booking.created', 'booking.status_changed', 'report.issued', 'report.revised', 'report.revoked', 'instrument.due'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number] | 'ping';

/** The JSON every receiver gets: a unique id (for de-duplication), the event, when, and the event's data. */
export interface WebhookBody extends Record<string, unknown> {
  id: string;
  type: WebhookEvent;
  createdAt: string;
  data: Record<string, unknown>;
}

export function webhookBody(type: WebhookEvent, data: Record<string, unknown>, at = new Date()): WebhookBody {
  return { id: randomUUID(), type, createdAt: at.toISOString(), data };
}

/**
 * Queues the event for every active subscription of the company and of the node that listen to it, in the caller's
 * transaction (rolled back with it). Returns how many deliveries were queued.
 */
export async function emitWebhook(ex: Executor, type: Exclude<WebhookEvent, 'ping'>, scope: { enterpriseId?: number | null; nodeId?: number | null }, data: Record<string, unknown>): Promise<number> {
  const owners = [
    scope.enterpriseId != null ? eq(webhookSubscriptions.enterpriseId, scope.enterpriseId) : undefined,
    scope.nodeId != null ? eq(webhookSubscriptions.nodeId, scope.nodeId) : undefined,
  ].filter((c) => c !== undefined);
  if (owners.length === 0) return 0;
  const subs = await ex
    .select({ id: webhookSubscriptions.id, url: webhookSubscriptions.url })
    .from(webhookSubscriptions)
    .where(and(eq(webhookSubscriptions.active, true), arrayContains(webhookSubscriptions.events, [type]), or(...owners)));
  if (subs.length === 0) return 0;
  await ex.insert(outbox).values(subs.map((s) => ({ kind: 'webhook', payload: { url: s.url, event: type, subscriptionId: s.id, body: webhookBody(type, data) } })));
  return subs.length;
}
