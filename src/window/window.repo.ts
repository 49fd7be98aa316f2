import { and, asc, desc, eq, gte, ilike, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { rowsOf, type Executor } from '../db/client.js';
import { bookings, enterprises, nodes, parks, queueTickets, serviceCategories, services, users, windowCases } from '../db/schema.js';

/* The walk-in window's queries: companies, cases, the company's history, queue tickets, duty, statistics. */

const companyColumns = {
  id: enterprises.id,
  name: enterprises.name,
  creditCode: enterprises.creditCode,
  address: enterprises.address,
  parkName: parks.name,
  active: enterprises.active,
  users: sql<number>`(SELECT count(*)::int FROM users u WHERE u.enterprise_id = ${enterprises.id})`,
};

/** By credit code (whole or its start) or a part of the name; `ids` adds companies found by pinyin initials. */
export async function searchCompanies(ex: Executor, q: string, ids: number[], limit = 20) {
  const code = q.toUpperCase().replace(/\s/g, '');
  const escaped = q.replace(/[\\%_]/g, (c) => `\\${c}`);
  const conditions = [ilike(enterprises.name, `%${escaped}%`)];
  if (/^[0-9A-Z]{4,18}$/.test(code)) conditions.push(sql`${enterprises.creditCode} LIKE ${`${code}%`}`);
  if (ids.length) conditions.push(inArray(enterprises.id, ids));
  return ex
    .select(companyColumns)
    .from(enterprises)
    .leftJoin(parks, eq(parks.id, enterprises.parkId))
    .where(or(...conditions))
    .orderBy(asc(enterprises.name))
    .limit(limit);
}

export async function companyNames(ex: Executor) {
  return ex.select({ id: enterprises.id, name: enterprises.name }).from(enterprises).where(eq(enterprises.active, true));
}

export async function findCompany(ex: Executor, id: number) {
  const [row] = await ex.select({ ...companyColumns, parkId: enterprises.parkId }).from(enterprises).leftJoin(parks, eq(parks.id, enterprises.parkId)).where(eq(enterprises.id, id));
  return row;
}

export async function findCompanyByCode(ex: Executor, creditCode: string) {
  const [row] = await ex.select({ id: enterprises.id, name: enterprises.name }).from(enterprises).where(eq(enterprises.creditCode, creditCode));
  return row;
}

// ── cases ──

export async function insertCase(ex: Executor, v: typeof windowCases.$inferInsert): Promise<number> {
  const [row] = await ex.insert(windowCases).values(v).returning({ id: windowCases.id });
  return row!.id;
}

export async function findCase(ex: Executor, id: number) {
  const [row] = await ex
    .select({
      id: windowCases.id,
      nodeId: windowCases.nodeId,
      nodeName: nodes.name,
      nodeKind: nodes.kind,
      nodeAddress: nodes.address,
      nodePhone: nodes.phone,
      enterpriseId: windowCases.enterpriseId,
      enterpriseName: enterprises.name,
      creditCode: enterprises.creditCode,
      parkId: enterprises.parkId,
      staffUserId: windowCases.staffUserId,
      staffName: users.name,
      visitorName: windowCases.visitorName,
      visitorMobile: windowCases.visitorMobile,
      visitorIdLast4: windowCases.visitorIdLast4,
      openedAt: windowCases.openedAt,
      closedAt: windowCases.closedAt,
    })
    .from(windowCases)
    .innerJoin(nodes, eq(nodes.id, windowCases.nodeId))
    .innerJoin(enterprises, eq(enterprises.id, windowCases.enterpriseId))
    .innerJoin(users, eq(users.id, windowCases.staffUserId))
    .where(eq(windowCases.id, id));
  return row;
}

export async function closeCase(ex: Executor, id: number, now: Date): Promise<boolean> {
  const rows = await ex.update(windowCases).set({ closedAt: now }).where(and(eq(windowCases.id, id), isNull(windowCases.closedAt))).returning({ id: windowCases.id });
  return rows.length > 0;
}

export async function openCasesOfNode(ex: Executor, nodeId: number) {
  return ex
    .select({ id: windowCases.id, enterpriseName: enterprises.name, visitorName: windowCases.visitorName, staffName: users.name, openedAt: windowCases.openedAt })
    .from(windowCases)
    .innerJoin(enterprises, eq(enterprises.id, windowCases.enterpriseId))
    .innerJoin(users, eq(users.id, windowCases.staffUserId))
    .where(and(eq(windowCases.nodeId, nodeId), isNull(windowCases.closedAt)))
    .orderBy(desc(windowCases.id))
    .limit(50);
}

const bookingLine = {
  id: bookings.id,
  number: bookings.number,
  status: bookings.status,
  channel: bookings.channel,
  date: bookings.date,
  window: bookings.window,
  units: bookings.units,
  serviceName: services.name,
  nodeId: bookings.nodeId,
  nodeName: nodes.name,
  contactName: bookings.contactName,
  submittedAt: bookings.submittedAt,
};

/** The company's bookings across the network, newest first (read-only advice at the window). */
export async function companyHistory(ex: Executor, enterpriseId: number, limit = 30) {
  return ex
    .select(bookingLine)
    .from(bookings)
    .innerJoin(services, eq(services.id, bookings.serviceId))
    .innerJoin(nodes, eq(nodes.id, bookings.nodeId))
    .where(eq(bookings.enterpriseId, enterpriseId))
    .orderBy(desc(bookings.id))
    .limit(limit);
}

export async function caseBookings(ex: Executor, caseId: number) {
  return ex
    .select(bookingLine)
    .from(bookings)
    .innerJoin(services, eq(services.id, bookings.serviceId))
    .innerJoin(nodes, eq(nodes.id, bookings.nodeId))
    .where(eq(bookings.windowCaseId, caseId))
    .orderBy(asc(bookings.id));
}

// ── queue tickets ──

export async function insertTicket(ex: Executor, v: typeof queueTickets.$inferInsert): Promise<number> {
  const [row] = await ex.insert(queueTickets).values(v).returning({ id: queueTickets.id });
  return row!.id;
}

const ticketColumns = {
  id: queueTickets.id,
  nodeId: queueTickets.nodeId,
  day: queueTickets.day,
  number: queueTickets.number,
  categoryCode: queueTickets.categoryCode,
  categoryName: serviceCategories.name,
  prefix: serviceCategories.bookingPrefix,
  status: queueTickets.status,
  issuedAt: queueTickets.issuedAt,
  calledAt: queueTickets.calledAt,
  finishedAt: queueTickets.finishedAt,
};

export async function ticketsOfDay(ex: Executor, nodeId: number, day: string) {
  return ex
    .select(ticketColumns)
    .from(queueTickets)
    .innerJoin(serviceCategories, eq(serviceCategories.code, queueTickets.categoryCode))
    .where(and(eq(queueTickets.nodeId, nodeId), eq(queueTickets.day, day)))
    .orderBy(asc(queueTickets.number));
}

export async function findTicketForUpdate(ex: Executor, id: number) {
  const [row] = await ex.select().from(queueTickets).where(eq(queueTickets.id, id)).for('update');
  return row;
}

export async function updateTicket(ex: Executor, id: number, set: Partial<typeof queueTickets.$inferInsert>): Promise<void> {
  await ex.update(queueTickets).set(set).where(eq(queueTickets.id, id));
}

// ── duty ──

export async function nodeStaff(ex: Executor, nodeId: number) {
  return ex
    .select({ id: users.id, name: users.name, role: users.role, mobile: users.mobile, windowDuty: users.windowDuty, active: users.active })
    .from(users)
    .where(and(eq(users.nodeId, nodeId), inArray(users.role, ['lab_staff', 'node_manager'])))
    .orderBy(asc(users.id));
}

export async function setWindowDuty(ex: Executor, userId: number, on: boolean): Promise<void> {
  await ex.update(users).set({ windowDuty: on, updatedAt: sql`now()` }).where(eq(users.id, userId));
}

// ── statistics ──

/** Per day at one node (or all): window bookings, tickets issued / served / no-show, average wait (issue → call). */
export async function windowDays(ex: Executor, nodeId: number | null, from: string, to: string) {
  const nodeFilter = nodeId === null ? sql`` : sql` AND node_id = ${nodeId}`;
  const result = await ex.execute(sql`
    WITH d AS (SELECT generate_series(${from}::date, ${to}::date, interval '1 day')::date AS day),
    b AS (SELECT (submitted_at AT TIME ZONE 'Asia/Shanghai')::date AS day, count(*) FILTER (WHERE channel = 'window')::int AS window_bookings, count(*)::int AS all_bookings
          FROM bookings WHERE submitted_at >= (${from}::date - 1) AND submitted_at < (${to}::date + 2)${nodeFilter} GROUP BY 1),
    q AS (SELECT day, count(*)::int AS issued, count(*) FILTER (WHERE status = 'served')::int AS served, count(*) FILTER (WHERE status = 'no_show')::int AS no_show,
                 round(avg(extract(epoch FROM called_at - issued_at) / 60) FILTER (WHERE called_at IS NOT NULL))::int AS avg_wait
          FROM queue_tickets WHERE day BETWEEN ${from}::date AND ${to}::date${nodeFilter} GROUP BY 1)
    SELECT to_char(d.day, 'YYYY-MM-DD') AS day, coalesce(b.window_bookings, 0) AS "windowBookings", coalesce(b.all_bookings, 0) AS "allBookings",
           coalesce(q.issued, 0) AS issued, coalesce(q.served, 0) AS served, coalesce(q.no_show, 0) AS "noShow", q.avg_wait AS "avgWait"
    FROM d LEFT JOIN b ON b.day = d.day LEFT JOIN q ON q.day = d.day ORDER BY d.day DESC`);
  return rowsOf<{ day: string; windowBookings: number; allBookings: number; issued: number; served: number; noShow: number; avgWait: number | null }>(result);
}

/** Bookings by channel (and node), for the channel split. */
export async function channelSplit(ex: Executor, nodeId: number | null, from: Date, to: Date) {
  return ex
    .select({ nodeName: nodes.name, channel: bookings.channel, n: sql<number>`count(*)::int` })
    .from(bookings)
    .innerJoin(nodes, eq(nodes.id, bookings.nodeId))
    .where(and(gte(bookings.submittedAt, from), lte(bookings.submittedAt, to), nodeId === null ? undefined : eq(bookings.nodeId, nodeId)))
    .groupBy(nodes.name, nodes.sortOrder, bookings.channel)
    .orderBy(asc(nodes.sortOrder));
}
