import { and, eq, sql } from 'drizzle-orm';
import { rowsOf, type Tx } from '../db/client.js';
import { chainRequests, chainSteps } from '../db/schema.js';
import { recordEvent } from '../events/record.js';
import { notifyEnterpriseUsers } from '../notifications/notifications.repo.js';

/** The tracker page of a chain. */
export const chainHref = (number: string) => `/chains/${number}`;

/**
 * Called by the booking lifecycle inside the transaction that completes a booking: steps of the same chain whose
 * predecessors are now all completed become 待排期 (ready, booked after commit by the chain scheduler); when every step
 * is completed the chain is completed. Same transaction, so a completion and what it unblocks commit together.
 */
export async function afterBookingCompleted(tx: Tx, bookingId: number): Promise<void> {
  const [own] = await tx.select({ chainId: chainSteps.chainId }).from(chainSteps).where(eq(chainSteps.bookingId, bookingId));
  if (!own) return;
  const [chain] = await tx.select().from(chainRequests).where(eq(chainRequests.id, own.chainId)).for('update');
  if (!chain || chain.status !== 'open') return;
  const result = await tx.execute(sql`
    SELECT s.id, s.position, s.state, s.depends_on AS "dependsOn", s.title, b.status AS "bookingStatus"
    FROM chain_steps s LEFT JOIN bookings b ON b.id = s.booking_id
    WHERE s.chain_id = ${chain.id} ORDER BY s.position`);
  const steps = rowsOf<{ id: number; position: number; state: string; dependsOn: number[] | string; title: string; bookingStatus: string | null }>(result);
  const done = new Set(steps.filter((s) => s.bookingStatus === 'completed').map((s) => Number(s.position)));
  for (const s of steps) {
    const deps = parseIntArray(s.dependsOn);
    if (s.state !== 'waiting' || !deps.every((p) => done.has(p))) continue;
    await tx.update(chainSteps).set({ state: 'ready', readyAt: new Date() }).where(and(eq(chainSteps.id, s.id), eq(chainSteps.state, 'waiting')));
    await recordEvent(tx, { actorUserId: null, entityType: 'chain', entityId: chain.id, action: 'chain.step_ready', fromState: 'waiting', toState: 'ready', data: { position: s.position } });
    await notifyEnterpriseUsers(tx, chain.enterpriseId, {
      bookingId: null,
      title: `${chain.number} 第 ${s.position} 步可以办理`,
      body: `前序环节已办结，“${s.title}”正在安排预约时段，安排后将另行通知。`,
      link: chainHref(chain.number),
    });
  }
  if (steps.length > 0 && done.size === steps.length) {
    await tx.update(chainRequests).set({ status: 'completed', closedAt: new Date() }).where(eq(chainRequests.id, chain.id));
    await recordEvent(tx, { actorUserId: null, entityType: 'chain', entityId: chain.id, action: 'chain.completed', fromState: 'open', toState: 'completed' });
    await notifyEnterpriseUsers(tx, chain.enterpriseId, { bookingId: null, title: `${chain.number} 全部办结`, body: '一件事的全部环节已办结，欢迎对整体服务进行评价。', link: chainHref(chain.number) });
  }
}

/** PostgreSQL integer[] as a driver returns it: an array, or "{1,2}" text. */
export function parseIntArray(v: number[] | string | null | undefined): number[] {
  if (Array.isArray(v)) return v.map(Number);
  if (typeof v !== 'string') return [];
  return v.replace(/[{}]/g, '').split(',').filter(Boolean).map(Number);
}
