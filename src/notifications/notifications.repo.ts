import { and, count, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { notifications, users } from '../db/schema.js';

export interface NewNotification {
  bookingId: number | null;
  title: string;
  body: string;
  link: string | null;
}

/** One message to every active user of a company — colleagues follow the same bookings. One statement. */
export async function notifyEnterpriseUsers(ex: Executor, enterpriseId: number, n: NewNotification): Promise<void> {
  await ex.execute(sql`
    INSERT INTO ${notifications} (user_id, booking_id, title, body, link)
    SELECT ${users.id}, ${n.bookingId}, ${n.title}, ${n.body}, ${n.link}
    FROM ${users} WHERE ${users.enterpriseId} = ${enterpriseId} AND ${users.active}`);
}

/** One message to every active staff member and manager of a node. One statement. */
export async function notifyNodeStaff(ex: Executor, nodeId: number, n: NewNotification): Promise<void> {
  await ex.execute(sql`
    INSERT INTO ${notifications} (user_id, booking_id, title, body, link)
    SELECT ${users.id}, ${n.bookingId}, ${n.title}, ${n.body}, ${n.link}
    FROM ${users} WHERE ${users.nodeId} = ${nodeId} AND ${users.active} AND ${users.role} IN ('lab_staff', 'node_manager')`);
}

export async function notifyUsers(ex: Executor, userIds: number[], n: NewNotification): Promise<void> {
  if (userIds.length === 0) return;
  await ex.insert(notifications).values(userIds.map((userId) => ({ userId, ...n })));
}

export async function listForUser(ex: Executor, userId: number, opts: { limit: number; offset: number; unreadOnly?: boolean }) {
  const where = opts.unreadOnly ? and(eq(notifications.userId, userId), isNull(notifications.readAt)) : eq(notifications.userId, userId);
  const [rows, [total]] = await Promise.all([
    ex.select().from(notifications).where(where).orderBy(desc(notifications.createdAt), desc(notifications.id)).limit(opts.limit).offset(opts.offset),
    ex.select({ n: count() }).from(notifications).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}

export async function findForUser(ex: Executor, userId: number, id: number) {
  const rows = await ex
    .select()
    .from(notifications)
    .where(and(eq(notifications.id, id), eq(notifications.userId, userId)));
  return rows[0];
}

export async function markRead(ex: Executor, userId: number, ids: number[] | 'all'): Promise<void> {
  const mine = and(eq(notifications.userId, userId), isNull(notifications.readAt));
  await ex
    .update(notifications)
    .set({ readAt: sql`now()` })
    .where(ids === 'all' ? mine : and(mine, inArray(notifications.id, ids)));
}
