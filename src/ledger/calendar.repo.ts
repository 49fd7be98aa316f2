import { and, asc, eq, gte, isNull, lte, notInArray, or, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { bookings, calendarFeeds, enterprises, instruments, nodes, services, users } from '../db/schema.js';

export async function activeFeedOf(ex: Executor, userId: number) {
  return (await ex.select().from(calendarFeeds).where(and(eq(calendarFeeds.userId, userId), isNull(calendarFeeds.revokedAt))))[0];
}

export async function revokeFeedsOf(ex: Executor, userId: number): Promise<number> {
  const rows = await ex.update(calendarFeeds).set({ revokedAt: sql`now()` }).where(and(eq(calendarFeeds.userId, userId), isNull(calendarFeeds.revokedAt))).returning({ id: calendarFeeds.id });
  return rows.length;
}

export async function insertFeed(ex: Executor, userId: number, tokenHash: string): Promise<void> {
  await ex.insert(calendarFeeds).values({ userId, tokenHash });
}

/** The feed behind a token hash, if it is active and its user still an active company user. */
export async function feedByHash(ex: Executor, tokenHash: string) {
  const rows = await ex
    .select({ id: calendarFeeds.id, lastUsedAt: calendarFeeds.lastUsedAt, enterpriseId: users.enterpriseId, companyName: enterprises.name })
    .from(calendarFeeds)
    .innerJoin(users, eq(users.id, calendarFeeds.userId))
    .innerJoin(enterprises, eq(enterprises.id, users.enterpriseId))
    .where(and(eq(calendarFeeds.tokenHash, tokenHash), isNull(calendarFeeds.revokedAt), eq(users.active, true), eq(users.role, 'enterprise')));
  return rows[0];
}

/** Marks a feed as read, at most once an hour (calendar apps poll often). */
export async function touchFeed(ex: Executor, id: number): Promise<void> {
  await ex
    .update(calendarFeeds)
    .set({ lastUsedAt: sql`now()` })
    .where(and(eq(calendarFeeds.id, id), or(isNull(calendarFeeds.lastUsedAt), sql`${calendarFeeds.lastUsedAt} < now() - interval '1 hour'`)));
}

/** The company's bookings from a date on (not cancelled or rejected), with service and node. */
export async function bookedWindows(ex: Executor, enterpriseId: number, from: string) {
  return ex
    .select({ number: bookings.number, date: bookings.date, window: bookings.window, status: bookings.status, serviceName: services.name, nodeName: nodes.name, nodeAddress: nodes.address, units: bookings.units })
    .from(bookings)
    .innerJoin(services, eq(services.id, bookings.serviceId))
    .innerJoin(nodes, eq(nodes.id, bookings.nodeId))
    .where(and(eq(bookings.enterpriseId, enterpriseId), gte(bookings.date, from), notInArray(bookings.status, ['cancelled', 'rejected'])))
    .orderBy(asc(bookings.date))
    .limit(500);
}

/** In-use instruments with a due date in a range. */
export async function dueDates(ex: Executor, enterpriseId: number, from: string, to: string) {
  return ex
    .select({ id: instruments.id, name: instruments.name, serialNo: instruments.serialNo, nextDueDate: instruments.nextDueDate, compulsory: instruments.compulsory, department: instruments.department })
    .from(instruments)
    .where(and(eq(instruments.enterpriseId, enterpriseId), eq(instruments.status, 'in_use'), gte(instruments.nextDueDate, from), lte(instruments.nextDueDate, to)))
    .orderBy(asc(instruments.nextDueDate))
    .limit(2000);
}
