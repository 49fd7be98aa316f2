import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { outbox, webhookDeliveries, webhookSubscriptions } from '../db/schema.js';

export type SubscriptionRow = typeof webhookSubscriptions.$inferSelect;
export type HookOwner = { ownerType: 'company'; enterpriseId: number } | { ownerType: 'node'; nodeId: number };

export function hookOwnerWhere(owner: HookOwner): SQL | undefined {
  return owner.ownerType === 'company' ? eq(webhookSubscriptions.enterpriseId, owner.enterpriseId) : eq(webhookSubscriptions.nodeId, owner.nodeId);
}

export async function insertSubscription(ex: Executor, values: typeof webhookSubscriptions.$inferInsert): Promise<SubscriptionRow> {
  const [row] = await ex.insert(webhookSubscriptions).values(values).returning();
  return row!;
}

export async function listSubscriptions(ex: Executor, owner: HookOwner) {
  return ex.select().from(webhookSubscriptions).where(hookOwnerWhere(owner)).orderBy(desc(webhookSubscriptions.id));
}

export async function findSubscription(ex: Executor, id: number) {
  return (await ex.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, id)))[0];
}

export async function deactivate(ex: Executor, owner: HookOwner, id: number): Promise<boolean> {
  const rows = await ex
    .update(webhookSubscriptions)
    .set({ active: false })
    .where(and(eq(webhookSubscriptions.id, id), hookOwnerWhere(owner), eq(webhookSubscriptions.active, true)))
    .returning({ id: webhookSubscriptions.id });
  return rows.length > 0;
}

export async function logDelivery(ex: Executor, values: typeof webhookDeliveries.$inferInsert): Promise<void> {
  await ex.insert(webhookDeliveries).values(values);
}

/** The latest attempts of the owner's subscriptions (newest first). */
export async function recentDeliveries(ex: Executor, subscriptionIds: number[], limit = 50) {
  if (subscriptionIds.length === 0) return [];
  return ex.select().from(webhookDeliveries).where(inArray(webhookDeliveries.subscriptionId, subscriptionIds)).orderBy(desc(webhookDeliveries.id)).limit(limit);
}

export async function findDelivery(ex: Executor, id: number) {
  return (await ex.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id)))[0];
}

export async function findOutboxMessage(ex: Executor, id: number) {
  return (await ex.select().from(outbox).where(and(eq(outbox.id, id), eq(outbox.kind, 'webhook'))))[0];
}

/** A copy of a delivered (or given-up) message, due now: the same body, so the receiver can recognise it by its id. */
export async function requeueCopy(ex: Executor, payload: unknown): Promise<void> {
  await ex.insert(outbox).values({ kind: 'webhook', payload, nextAttemptAt: sql`now()` });
}
