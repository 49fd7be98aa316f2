import { and, asc, count, desc, eq, gte, ilike, inArray, like, lte, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { rowsOf, type Executor } from '../db/client.js';
import { prepared } from '../db/prepared.js';
import { bookingCounters, bookingItems, bookings, enterprises, evaluations, events, nodes, serviceCategories, services, users } from '../db/schema.js';
import type { BookingStatus } from './lifecycle.js';

/**
 * Next number of the day for a prefix: one row per (prefix, day), incremented under its row lock inside the booking's
 * transaction, so two bookings can never get the same number and a rolled-back booking leaves no gap.
 */
export async function nextDailySequence(ex: Executor, prefix: string, day: string): Promise<number> {
  const result = await ex.execute(sql`
    INSERT INTO ${bookingCounters} (prefix, day, last) VALUES (${prefix}, ${day}, 1)
    ON CONFLICT (prefix, day) DO UPDATE SET last = ${bookingCounters.last} + 1
    RETURNING last`);
  return Number(rowsOf<{ last: number }>(result)[0]!.last);
}

export type NewBooking = typeof bookings.$inferInsert;
export type NewBookingItem = Omit<typeof bookingItems.$inferInsert, 'bookingId' | 'position'>;

export async function insertBooking(ex: Executor, values: NewBooking): Promise<number> {
  const [row] = await ex.insert(bookings).values(values).returning({ id: bookings.id });
  return row!.id;
}

export async function insertItems(ex: Executor, bookingId: number, items: NewBookingItem[]): Promise<void> {
  if (items.length === 0) return;
  await ex.insert(bookingItems).values(items.map((item, i) => ({ ...item, bookingId, position: i + 1 })));
}

export async function findNumberByIdempotencyKey(ex: Executor, enterpriseId: number, key: string): Promise<string | undefined> {
  const rows = await ex
    .select({ number: bookings.number })
    .from(bookings)
    .where(and(eq(bookings.enterpriseId, enterpriseId), eq(bookings.idempotencyKey, key)));
  return rows[0]?.number;
}

const creator = alias(users, 'creator');
const assignee = alias(users, 'assignee');

const bookingColumns = {
  id: bookings.id,
  number: bookings.number,
  kind: bookings.kind,
  status: bookings.status,
  enterpriseId: bookings.enterpriseId,
  enterpriseName: enterprises.name,
  enterpriseCreditCode: enterprises.creditCode,
  parkId: enterprises.parkId,
  nodeId: bookings.nodeId,
  nodeName: nodes.name,
  nodeShortName: nodes.shortName,
  nodeAddress: nodes.address,
  nodePhone: nodes.phone,
  nodeHours: nodes.hours,
  serviceId: bookings.serviceId,
  serviceCode: services.code,
  serviceName: services.name,
  turnaroundDays: services.turnaroundDays,
  categoryName: serviceCategories.name,
  nodeServiceId: bookings.nodeServiceId,
  windowId: bookings.windowId,
  date: bookings.date,
  window: bookings.window,
  units: bookings.units,
  deliveryMode: bookings.deliveryMode,
  onsiteAddress: bookings.onsiteAddress,
  contactName: bookings.contactName,
  contactMobile: bookings.contactMobile,
  remarks: bookings.remarks,
  createdBy: bookings.createdBy,
  createdByName: creator.name,
  assignedTo: bookings.assignedTo,
  assignedToName: assignee.name,
  dueDate: bookings.dueDate,
  conclusion: bookings.conclusion,
  submittedAt: bookings.submittedAt,
  acceptedAt: bookings.acceptedAt,
  receivedAt: bookings.receivedAt,
  reportedAt: bookings.reportedAt,
  completedAt: bookings.completedAt,
  closedAt: bookings.closedAt,
  createdAt: bookings.createdAt,
  updatedAt: bookings.updatedAt,
};

function bookingQuery(ex: Executor) {
  return ex
    .select(bookingColumns)
    .from(bookings)
    .innerJoin(enterprises, eq(enterprises.id, bookings.enterpriseId))
    .innerJoin(nodes, eq(nodes.id, bookings.nodeId))
    .innerJoin(services, eq(services.id, bookings.serviceId))
    .innerJoin(serviceCategories, eq(serviceCategories.code, services.categoryCode))
    .innerJoin(creator, eq(creator.id, bookings.createdBy))
    .leftJoin(assignee, eq(assignee.id, bookings.assignedTo));
}

export type BookingView = NonNullable<Awaited<ReturnType<typeof findBookingByNumber>>>;

export async function findBookingByNumber(ex: Executor, number: string) {
  const statement = prepared(ex, 'nqi_booking_by_number', (db) => bookingQuery(db).where(eq(bookings.number, sql.placeholder('number'))).prepare('nqi_booking_by_number'));
  const rows = statement ? await statement.execute({ number }) : await bookingQuery(ex).where(eq(bookings.number, number));
  return rows[0];
}

/** The booking row itself (sign-off columns the joined view does not carry). */
export async function findBookingRow(ex: Executor, id: number) {
  const rows = await ex.select().from(bookings).where(eq(bookings.id, id));
  return rows[0];
}

/** Locks the booking row for a state change: concurrent changes of one booking queue here. */
export async function lockBooking(ex: Executor, id: number) {
  const rows = await ex.select().from(bookings).where(eq(bookings.id, id)).for('update');
  return rows[0];
}

export async function updateBooking(ex: Executor, id: number, values: Partial<typeof bookings.$inferInsert>): Promise<void> {
  await ex
    .update(bookings)
    .set({ ...values, updatedAt: sql`now()` })
    .where(eq(bookings.id, id));
}

const itemsQuery = (ex: Executor) => ex.select().from(bookingItems).where(eq(bookingItems.bookingId, sql.placeholder('id'))).orderBy(asc(bookingItems.position));

export async function itemsOf(ex: Executor, bookingId: number) {
  const statement = prepared(ex, 'nqi_booking_items', (db) => itemsQuery(db).prepare('nqi_booking_items'));
  return statement ? statement.execute({ id: bookingId }) : itemsQuery(ex).execute({ id: bookingId });
}

const timelineQuery = (ex: Executor) =>
  ex
    .select({
      id: events.id,
      at: events.at,
      action: events.action,
      fromState: events.fromState,
      toState: events.toState,
      note: events.note,
      data: events.data,
      actorName: users.name,
      actorRole: users.role,
    })
    .from(events)
    .leftJoin(users, eq(users.id, events.actorUserId))
    .where(and(eq(events.entityType, 'booking'), eq(events.entityId, sql.placeholder('id'))))
    .orderBy(asc(events.at), asc(events.id));

export async function timelineOf(ex: Executor, bookingId: number) {
  const statement = prepared(ex, 'nqi_booking_timeline', (db) => timelineQuery(db).prepare('nqi_booking_timeline'));
  return statement ? statement.execute({ id: String(bookingId) }) : timelineQuery(ex).execute({ id: String(bookingId) });
}

export interface BookingFilter {
  enterpriseId?: number;
  nodeId?: number;
  parkId?: number;
  statuses?: BookingStatus[];
  serviceId?: number;
  serviceCode?: string;
  dateFrom?: string;
  dateTo?: string;
  /** Booking number or company name fragment. */
  q?: string;
  assignedTo?: number;
}

function filterConditions(f: BookingFilter): SQL | undefined {
  const c: SQL[] = [];
  if (f.enterpriseId !== undefined) c.push(eq(bookings.enterpriseId, f.enterpriseId));
  if (f.nodeId !== undefined) c.push(eq(bookings.nodeId, f.nodeId));
  if (f.parkId !== undefined) c.push(eq(enterprises.parkId, f.parkId));
  if (f.statuses?.length) c.push(inArray(bookings.status, f.statuses));
  if (f.serviceId !== undefined) c.push(eq(bookings.serviceId, f.serviceId));
  if (f.serviceCode) c.push(eq(services.code, f.serviceCode));
  if (f.dateFrom) c.push(gte(bookings.date, f.dateFrom));
  if (f.dateTo) c.push(lte(bookings.date, f.dateTo));
  if (f.assignedTo !== undefined) c.push(eq(bookings.assignedTo, f.assignedTo));
  if (f.q) {
    const escaped = f.q.replace(/[\\%_]/g, (ch) => '\\' + ch);
    // A booking number is searched by prefix (index-backed); anything else by company name.
    if (/^[A-Za-z]{2}(-|$)/.test(f.q)) c.push(like(bookings.number, `${escaped.toUpperCase()}%`));
    else c.push(ilike(enterprises.name, `%${escaped}%`));
  }
  return c.length ? and(...c) : undefined;
}

export type ListOrder = 'newest' | 'due' | 'recent';

/**
 * A page of bookings and the total. `countCap` bounds the count for tabs that grow without end (a lab's finished
 * work): the total then reads "cap+" instead of counting hundreds of thousands of rows on every page view.
 */
export async function listBookings(ex: Executor, f: BookingFilter, page: { limit: number; offset: number; order?: ListOrder; countCap?: number }) {
  const where = filterConditions(f);
  const order =
    page.order === 'due'
      ? [sql`${bookings.dueDate} ASC NULLS LAST`, asc(bookings.date), asc(bookings.id)]
      : page.order === 'recent'
        ? [desc(bookings.updatedAt), desc(bookings.id)]
        : [desc(bookings.createdAt), desc(bookings.id)];
  const [rows, total] = await Promise.all([
    bookingQuery(ex)
      .where(where)
      .orderBy(...order)
      .limit(page.limit)
      .offset(page.offset),
    countBookings(ex, f, page.countCap),
  ]);
  return { rows, total, capped: page.countCap !== undefined && total > page.countCap };
}

/** How many bookings match, stopping at cap + 1 when a cap is given. */
export async function countBookings(ex: Executor, f: BookingFilter, cap?: number): Promise<number> {
  const base = ex
    .select({ one: sql`1` })
    .from(bookings)
    .innerJoin(enterprises, eq(enterprises.id, bookings.enterpriseId))
    .innerJoin(services, eq(services.id, bookings.serviceId))
    .where(filterConditions(f));
  const limited = cap === undefined ? base.as('m') : base.limit(cap + 1).as('m');
  const [row] = await ex.select({ n: count() }).from(limited);
  return row?.n ?? 0;
}

/** Number of bookings per status for a scope, limited to the statuses of the filter (tab counts). */
export async function countByStatus(ex: Executor, f: BookingFilter): Promise<Map<BookingStatus, number>> {
  const rows = await ex
    .select({ status: bookings.status, n: count() })
    .from(bookings)
    .innerJoin(enterprises, eq(enterprises.id, bookings.enterpriseId))
    .innerJoin(services, eq(services.id, bookings.serviceId))
    .where(filterConditions(f))
    .groupBy(bookings.status);
  return new Map(rows.map((r) => [r.status, r.n]));
}

export async function findEvaluation(ex: Executor, bookingId: number) {
  const rows = await ex
    .select({ level: evaluations.level, comment: evaluations.comment, createdAt: evaluations.createdAt, userName: users.name })
    .from(evaluations)
    .innerJoin(users, eq(users.id, evaluations.userId))
    .where(eq(evaluations.bookingId, bookingId));
  return rows[0];
}

export async function insertEvaluation(ex: Executor, e: { bookingId: number; userId: number; level: number; comment: string }): Promise<void> {
  await ex.insert(evaluations).values(e);
}
