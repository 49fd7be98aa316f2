import { and, count, desc, eq, gte, ilike, inArray, lt, or, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { bookings, closures, enterprises, events, measurementStandards, nodes, nodeServices, oilGrades, oilLimits, oilTestItems, prices, reports, services, signatories, users } from '../db/schema.js';

export interface EventFilter {
  actorUserId?: number;
  actorQuery?: string;
  entityType?: string;
  entityId?: string;
  action?: string;
  from?: Date;
  to?: Date;
}

/** The audit log, newest first, with the actor's name; filters by actor, record, action and period. */
export async function listEvents(ex: Executor, f: EventFilter, page: { limit: number; offset: number }) {
  const c: SQL[] = [];
  if (f.actorUserId !== undefined) c.push(eq(events.actorUserId, f.actorUserId));
  if (f.actorQuery) c.push(or(ilike(users.name, `%${f.actorQuery.replace(/[\\%_]/g, (x) => '\\' + x)}%`), eq(users.mobile, f.actorQuery))!);
  if (f.entityType) c.push(eq(events.entityType, f.entityType));
  if (f.entityId) c.push(eq(events.entityId, f.entityId));
  if (f.action) c.push(eq(events.action, f.action));
  if (f.from) c.push(gte(events.at, f.from));
  if (f.to) c.push(lt(events.at, f.to));
  const where = c.length ? and(...c) : undefined;
  const [rows, [total]] = await Promise.all([
    ex
      .select({ event: events, actorName: users.name, actorRole: users.role })
      .from(events)
      .leftJoin(users, eq(users.id, events.actorUserId))
      .where(where)
      .orderBy(desc(events.at), desc(events.id))
      .limit(page.limit)
      .offset(page.offset),
    ex.select({ n: count() }).from(events).leftJoin(users, eq(users.id, events.actorUserId)).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}

/** The records a page of the log refers to, by type and id: booking numbers, report numbers, names. */
export async function namesOfEntities(ex: Executor, ids: Record<string, number[]>) {
  const numeric = (type: string) => [...new Set(ids[type] ?? [])];
  const [bookingRows, reportRows, userRows, enterpriseRows, nodeRows, serviceRows, offeringRows, closureRows, limitRows, priceRows, signatoryRows, standardRows] = await Promise.all([
    pick(numeric('booking'), (list) => ex.select({ id: bookings.id, number: bookings.number }).from(bookings).where(inArray(bookings.id, list))),
    pick(numeric('report'), (list) => ex.select({ id: reports.id, number: reports.number, version: reports.version, bookingNumber: bookings.number }).from(reports).innerJoin(bookings, eq(bookings.id, reports.bookingId)).where(inArray(reports.id, list))),
    pick(numeric('user'), (list) => ex.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, list))),
    pick(numeric('enterprise'), (list) => ex.select({ id: enterprises.id, name: enterprises.name }).from(enterprises).where(inArray(enterprises.id, list))),
    pick(numeric('node'), (list) => ex.select({ id: nodes.id, name: nodes.name }).from(nodes).where(inArray(nodes.id, list))),
    pick(numeric('service'), (list) => ex.select({ id: services.id, name: services.name }).from(services).where(inArray(services.id, list))),
    pick(numeric('node_service'), (list) =>
      ex.select({ id: nodeServices.id, nodeId: nodes.id, nodeName: nodes.shortName, serviceName: services.name }).from(nodeServices).innerJoin(nodes, eq(nodes.id, nodeServices.nodeId)).innerJoin(services, eq(services.id, nodeServices.serviceId)).where(inArray(nodeServices.id, list)),
    ),
    pick(numeric('closure'), (list) => ex.select({ id: closures.id, nodeId: nodes.id, nodeName: nodes.shortName }).from(closures).innerJoin(nodes, eq(nodes.id, closures.nodeId)).where(inArray(closures.id, list))),
    pick(numeric('oil_limit'), (list) => ex.select({ id: oilLimits.id, itemName: oilTestItems.name, gradeName: oilGrades.name }).from(oilLimits).innerJoin(oilTestItems, eq(oilTestItems.code, oilLimits.itemCode)).innerJoin(oilGrades, eq(oilGrades.code, oilLimits.gradeCode)).where(inArray(oilLimits.id, list))),
    pick(numeric('price'), (list) => ex.select({ id: prices.id, targetKind: prices.targetKind, targetCode: prices.targetCode }).from(prices).where(inArray(prices.id, list))),
    pick(numeric('signatory'), (list) => ex.select({ id: signatories.id, nodeId: signatories.nodeId, name: users.name }).from(signatories).innerJoin(users, eq(users.id, signatories.userId)).where(inArray(signatories.id, list))),
    pick(numeric('standard'), (list) => ex.select({ id: measurementStandards.id, nodeId: measurementStandards.nodeId, name: measurementStandards.name }).from(measurementStandards).where(inArray(measurementStandards.id, list))),
  ]);
  return { bookingRows, reportRows, userRows, enterpriseRows, nodeRows, serviceRows, offeringRows, closureRows, limitRows, priceRows, signatoryRows, standardRows };
}

export type EntityNames = Awaited<ReturnType<typeof namesOfEntities>>;

async function pick<T>(list: number[], query: (list: number[]) => Promise<T[]>): Promise<T[]> {
  return list.length ? query(list) : [];
}
