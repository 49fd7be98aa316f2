import { and, asc, count, desc, eq, getTableColumns, gte, ilike, inArray, like, lte, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import { alias } from 'drizzle-orm/pg-core';
import { rowsOf, type Executor } from '../db/client.js';
import { runPrepared } from '../db/prepared.js';
import { bookingCounters, bookingItems, bookings, bookingStatus, enterprises, evaluations, events, needBookings, needs, nodes, oilGrades, oilPackages, serviceCategories, services, users } from '../db/schema.js';
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

/** The booking an Idempotency-Key made, with the fingerprint of the API request that made it (null for the web forms). */
const byIdempotencyKeyQuery = (ex: Executor) =>
  ex
    .select({ number: bookings.number, requestFingerprint: bookings.requestFingerprint })
    .from(bookings)
    .where(and(eq(bookings.enterpriseId, sql.placeholder('enterpriseId')), eq(bookings.idempotencyKey, sql.placeholder('key'))));

/** The booking a form's (or API request's) idempotency key made, if any: the first read of every submit. */
export async function findByIdempotencyKey(ex: Executor, enterpriseId: number, key: string): Promise<{ number: string; requestFingerprint: string | null } | undefined> {
  return (await runPrepared(ex, 'nqi_booking_by_key', byIdempotencyKeyQuery, { enterpriseId, key }))[0];
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
  categoryCode: services.categoryCode,
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
  bilingualReport: bookings.bilingualReport,
  createdBy: bookings.createdBy,
  createdByName: creator.name,
  assignedTo: bookings.assignedTo,
  assignedToName: assignee.name,
  dueDate: bookings.dueDate,
  conclusion: bookings.conclusion,
  conclusionRemark: bookings.conclusionRemark,
  visitDate: bookings.visitDate,
  resultsBy: bookings.resultsBy,
  resultsAt: bookings.resultsAt,
  verifiedBy: bookings.verifiedBy,
  verifiedAt: bookings.verifiedAt,
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
  return (await runPrepared(ex, 'nqi_booking_by_number', (db) => bookingQuery(db).where(eq(bookings.number, sql.placeholder('number'))), { number }))[0];
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

/** A booking's lines, each oil sample with its grade's display name (reports print names, never codes). */
const itemsQuery = (ex: Executor) =>
  ex
    .select({ ...getTableColumns(bookingItems), gradeName: oilGrades.name, gradeNameEn: oilGrades.nameEn, gradeVariants: oilGrades.variants, packageName: oilPackages.name })
    .from(bookingItems)
    .leftJoin(oilGrades, eq(oilGrades.code, bookingItems.gradeCode))
    .leftJoin(oilPackages, eq(oilPackages.code, bookingItems.packageCode))
    .where(eq(bookingItems.bookingId, sql.placeholder('id')))
    .orderBy(asc(bookingItems.position));

export async function itemsOf(ex: Executor, bookingId: number) {
  return runPrepared(ex, 'nqi_booking_items', itemsQuery, { id: bookingId });
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
  return runPrepared(ex, 'nqi_booking_timeline', timelineQuery, { id: String(bookingId) });
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
  /** Submitted in [createdFrom, createdBefore) — the period the statistics count by. */
  createdFrom?: Date;
  createdBefore?: Date;
  /** The company's park when it booked (the statistics' park); null: companies in no park. */
  bookingParkId?: number | null;
  categoryCode?: string;
  /** Due strictly before this date (with open statuses: overdue). */
  dueBefore?: string;
  /** Evaluated at this level (1–5), or at all (0). */
  evaluationLevel?: number;
}

/**
 * A filter as SQL with placeholders, the values for them, and its shape (which filters are present, and how the
 * search matches; `prefix` keeps placeholders apart when one statement holds several filters). Lists run as named prepared statements, one per shape and order: PostgreSQL plans a six-table
 * join once per connection instead of on every page view — planning cost more than executing it.
 */
interface CompiledFilter {
  where: SQL | undefined;
  params: Record<string, unknown>;
  shape: string;
  /** Whether the conditions read the company or the service (counts join those tables only then). */
  joins: { enterprises: boolean; services: boolean };
}

function compileFilter(f: BookingFilter, prefix = ''): CompiledFilter {
  const conditions: SQL[] = [];
  const params: Record<string, unknown> = {};
  const shape: string[] = [];
  const add = (key: string, value: unknown, condition: (p: SQLWrapper) => SQL) => {
    params[prefix + key] = value;
    shape.push(key);
    conditions.push(condition(sql.placeholder(prefix + key)));
  };
  if (f.enterpriseId !== undefined) add('enterpriseId', f.enterpriseId, (p) => eq(bookings.enterpriseId, p));
  if (f.nodeId !== undefined) add('nodeId', f.nodeId, (p) => eq(bookings.nodeId, p));
  if (f.parkId !== undefined) add('parkId', f.parkId, (p) => eq(enterprises.parkId, p));
  // Statuses are written into the statement as literals (they are enum values, checked here), and are part of its
  // shape: a prepared statement's generic plan can then use the partial indexes of the lab's finished and closed tabs
  // (WHERE status IN (…)), which a parameter hides from the planner — the finished tab sorted every finished booking
  // of the node once PostgreSQL switched to the generic plan.
  if (f.statuses?.length) {
    const known = new Set<string>(bookingStatus.enumValues);
    const statuses = [...new Set(f.statuses)].filter((st) => known.has(st));
    shape.push(`statuses=${statuses.join('|')}`);
    conditions.push(statuses.length ? sql`${bookings.status} IN (${sql.raw(statuses.map((st) => `'${st}'`).join(', '))})` : sql`false`);
  }
  if (f.serviceId !== undefined) add('serviceId', f.serviceId, (p) => eq(bookings.serviceId, p));
  if (f.serviceCode) add('serviceCode', f.serviceCode, (p) => eq(services.code, p));
  if (f.dateFrom) add('dateFrom', f.dateFrom, (p) => gte(bookings.date, p));
  if (f.dateTo) add('dateTo', f.dateTo, (p) => lte(bookings.date, p));
  if (f.assignedTo !== undefined) add('assignedTo', f.assignedTo, (p) => eq(bookings.assignedTo, p));
  if (f.createdFrom) add('createdFrom', f.createdFrom.toISOString(), (p) => sql`${bookings.createdAt} >= ${p}::timestamptz`);
  if (f.createdBefore) add('createdBefore', f.createdBefore.toISOString(), (p) => sql`${bookings.createdAt} < ${p}::timestamptz`);
  if (f.bookingParkId === null) {
    shape.push('parkNone');
    conditions.push(sql`${bookings.parkId} IS NULL`);
  } else if (f.bookingParkId !== undefined) add('bookingParkId', f.bookingParkId, (p) => eq(bookings.parkId, p));
  if (f.categoryCode) add('categoryCode', f.categoryCode, (p) => eq(services.categoryCode, p));
  if (f.dueBefore) add('dueBefore', f.dueBefore, (p) => sql`${bookings.dueDate} < ${p}::date`);
  if (f.evaluationLevel === 0) {
    shape.push('evaluated');
    conditions.push(sql`${bookings.evaluationLevel} IS NOT NULL`);
  } else if (f.evaluationLevel !== undefined) add('evaluationLevel', f.evaluationLevel, (p) => eq(bookings.evaluationLevel, p));
  if (f.q) {
    const escaped = f.q.replace(/[\\%_]/g, (ch) => '\\' + ch);
    // A booking number is searched by prefix (index-backed); anything else by company name.
    if (/^[A-Za-z]{2}(-|$)/.test(f.q)) add('number', `${escaped.toUpperCase()}%`, (p) => like(bookings.number, p));
    else add('company', `%${escaped}%`, (p) => ilike(enterprises.name, p));
  }
  const joins = { enterprises: f.parkId !== undefined || shape.includes('company'), services: !!f.serviceCode || !!f.categoryCode };
  return { where: conditions.length ? and(...conditions) : undefined, params, shape: shape.join(','), joins };
}

/** The statuses of the bookings a compiled filter matches, joined to the company and service only when it reads them. */
function matching(db: Executor, filter: CompiledFilter) {
  return matchingWith(db, filter, { status: bookings.status }).where(filter.where);
}

/** Bookings joined to the company and service only when the filter reads them, selecting `columns`, before WHERE. */
function matchingWith<C extends Record<string, SQLWrapper>>(db: Executor, filter: CompiledFilter, columns: C) {
  let query = db.select(columns as Record<string, never>).from(bookings).$dynamic();
  if (filter.joins.enterprises) query = query.innerJoin(enterprises, eq(enterprises.id, bookings.enterpriseId));
  if (filter.joins.services) query = query.innerJoin(services, eq(services.id, bookings.serviceId));
  return query;
}

/** A short statement name for a query shape (PostgreSQL truncates names beyond 63 bytes). */
function statementName(kind: string, shape: string): string {
  return `nqi_${kind}_${createHash('sha1').update(shape).digest('hex').slice(0, 16)}`;
}

export type ListOrder = 'newest' | 'due' | 'recent';

const LIST_ORDERS: Record<ListOrder, SQL[]> = {
  due: [sql`${bookings.dueDate} ASC NULLS LAST`, asc(bookings.date), asc(bookings.id)],
  recent: [desc(bookings.updatedAt), desc(bookings.id)],
  newest: [desc(bookings.createdAt), desc(bookings.id)],
};

/**
 * A page of bookings and the total. `countCap` bounds the count for tabs that grow without end (a lab's finished
 * work): the total then reads "cap+" instead of counting hundreds of thousands of rows on every page view.
 */
export async function listBookings(ex: Executor, f: BookingFilter, page: { limit: number; offset: number; order?: ListOrder; countCap?: number }) {
  const [rows, total] = await Promise.all([pageOfBookings(ex, f, page), countBookings(ex, f, page.countCap)]);
  return { rows, total, capped: page.countCap !== undefined && total > page.countCap };
}

/** One page of bookings, without the total (for callers that know it already). */
export async function pageOfBookings(ex: Executor, f: BookingFilter, page: { limit: number; offset: number; order?: ListOrder }) {
  const { where, params, shape } = compileFilter(f);
  const order = page.order ?? 'newest';
  const query = (db: Executor) =>
    bookingQuery(db)
      .where(where)
      .orderBy(...LIST_ORDERS[order])
      .limit(sql.placeholder('limit'))
      .offset(sql.placeholder('offset'));
  const name = statementName('list', `${shape}|${order}`);
  return runPrepared(ex, name, query, { ...params, limit: page.limit, offset: page.offset });
}

/** Where a keyset page starts: after (next) or before (prev) the booking with this id, in the list's order. */
export interface PageCursor {
  id: number;
  dir: 'next' | 'prev';
}

/**
 * Each order's sort key as a row value (ending with the id, so ties on the time are broken and every row comes
 * exactly once), whether it ascends, and the order reversed (to read the page before a cursor). `due` sorts bookings
 * without a due date last, as 'infinity'.
 */
const KEYSET: Record<ListOrder, { key: (alias: string) => string; ascending: boolean; reversed: SQL[] }> = {
  due: {
    key: (a) => `coalesce(${a}.due_date, 'infinity'::date), ${a}.date, ${a}.id`,
    ascending: true,
    reversed: [sql`${bookings.dueDate} DESC NULLS FIRST`, desc(bookings.date), desc(bookings.id)],
  },
  recent: { key: (a) => `${a}.updated_at, ${a}.id`, ascending: false, reversed: [asc(bookings.updatedAt), asc(bookings.id)] },
  newest: { key: (a) => `${a}.created_at, ${a}.id`, ascending: false, reversed: [asc(bookings.createdAt), asc(bookings.id)] },
};

/**
 * A page of bookings by keyset instead of OFFSET: the rows after (or before) the cursor's booking in the list's order,
 * whose sort key is read from the database (exact to the microsecond). Deep pages cost what the first one costs.
 * Returns the rows in list order and whether more lie beyond them in the direction read. A cursor whose booking is
 * gone yields no rows (the caller starts over from the first page).
 */
export async function keysetPageOfBookings(ex: Executor, f: BookingFilter, page: { limit: number; order: ListOrder; cursor?: PageCursor }) {
  const compiled = compileFilter(f);
  const { where, params, shape } = compiled;
  const keyset = KEYSET[page.order];
  const { cursor } = page;
  const forward = !cursor || cursor.dir === 'next';
  const query = (db: Executor) => {
    const after = cursor
      ? sql`(${sql.raw(keyset.key('"bookings"'))}) ${sql.raw(forward === keyset.ascending ? '>' : '<')} (SELECT ${sql.raw(keyset.key('c'))} FROM bookings c WHERE c.id = ${sql.placeholder('cursor')})`
      : undefined;
    const order = forward ? LIST_ORDERS[page.order] : keyset.reversed;
    // The page's ids first (over bookings and only the tables the filter reads), then the six-table join for those
    // rows alone: the planner otherwise hashes every company to show 25 bookings.
    const ids = matchingWith(db, compiled, { id: bookings.id }).where(and(where, after)).orderBy(...order).limit(sql.placeholder('limit'));
    return bookingQuery(db).where(inArray(bookings.id, ids)).orderBy(...order);
  };
  const name = statementName('keyset', `${shape}|${page.order}|${cursor ? cursor.dir : 'first'}`);
  const rows = await runPrepared(ex, name, query, cursor ? { ...params, limit: page.limit + 1, cursor: cursor.id } : { ...params, limit: page.limit + 1 });
  const more = rows.length > page.limit;
  const shown = rows.slice(0, page.limit);
  return { rows: forward ? shown : shown.reverse(), more };
}

/** How many bookings match, stopping at cap + 1 when a cap is given. */
export async function countBookings(ex: Executor, f: BookingFilter, cap?: number): Promise<number> {
  const compiled = compileFilter(f);
  const { params, shape } = compiled;
  const query = (db: Executor) => {
    const base = matching(db, compiled);
    return db.select({ n: count() }).from(cap === undefined ? base.as('m') : base.limit(sql.placeholder('cap')).as('m'));
  };
  const name = statementName('count', `${shape}|${cap === undefined ? 'all' : 'capped'}`);
  const [row] = await runPrepared(ex, name, query, cap === undefined ? params : { ...params, cap: cap + 1 });
  return row?.n ?? 0;
}

/**
 * A lab queue's tab counts in one statement (one round trip instead of one per tab): bookings per status among
 * `exact` statuses, and for each group in `capped` a count that stops at cap + 1.
 */
export async function countStages<K extends string>(ex: Executor, f: BookingFilter, exact: BookingStatus[], capped: Record<K, BookingStatus[]>, cap: number) {
  const keys = Object.keys(capped) as K[];
  const filters = [compileFilter({ ...f, statuses: exact }, 's0_'), ...keys.map((key, i) => compileFilter({ ...f, statuses: capped[key] }, `s${i + 1}_`))];
  const query = (db: Executor) => {
    const columns: Record<string, SQL> = {
      exact: sql`(SELECT coalesce(json_object_agg(g.status, g.n), '{}') FROM (SELECT s.status, count(*)::int AS n FROM (${matching(db, filters[0]!)}) s GROUP BY s.status) g)`,
    };
    keys.forEach((_, i) => {
      columns[`c${i}`] = sql`(SELECT count(*)::int FROM (${matching(db, filters[i + 1]!).limit(sql.placeholder('cap'))}) m)`;
    });
    return db.select(columns).from(sql`(SELECT 1) AS one`);
  };
  const name = statementName('stages', `${filters.map((x) => x.shape).join('|')}|${keys.length}`);
  const [row] = await runPrepared(ex, name, query, Object.assign({ cap: cap + 1 }, ...filters.map((x) => x.params)) as Record<string, unknown>);
  const exactCounts = (typeof row?.exact === 'string' ? JSON.parse(row.exact) : (row?.exact ?? {})) as Record<string, number>;
  return {
    byStatus: new Map(Object.entries(exactCounts).map(([status, n]) => [status as BookingStatus, Number(n)])),
    capped: Object.fromEntries(keys.map((key, i) => [key, Number(row?.[`c${i}`] ?? 0)])) as Record<K, number>,
  };
}

const evaluationQuery = (ex: Executor) =>
  ex
    .select({ level: evaluations.level, comment: evaluations.comment, createdAt: evaluations.createdAt, userName: users.name })
    .from(evaluations)
    .innerJoin(users, eq(users.id, evaluations.userId))
    .where(eq(evaluations.bookingId, sql.placeholder('bookingId')));

export async function findEvaluation(ex: Executor, bookingId: number) {
  return (await runPrepared(ex, 'nqi_booking_evaluation', evaluationQuery, { bookingId }))[0];
}

export async function insertEvaluation(ex: Executor, e: { bookingId: number; userId: number; level: number; comment: string }): Promise<void> {
  await ex.insert(evaluations).values(e);
}

const needOfBookingQuery = (ex: Executor) =>
  ex.select({ number: needs.number, title: needs.title }).from(needBookings).innerJoin(needs, eq(needs.id, needBookings.needId)).where(eq(needBookings.bookingId, sql.placeholder('id')));

/** The quality need a booking was made from (the company accepted an expert's proposal), if any. */
export async function needOfBooking(ex: Executor, bookingId: number) {
  const [row] = await runPrepared(ex, 'nqi_booking_need', needOfBookingQuery, { id: bookingId });
  return row;
}
