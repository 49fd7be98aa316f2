import { and, asc, eq, gte, lte, sql } from 'drizzle-orm';
import { HOLDS_CAPACITY, statusIn } from '../bookings/lifecycle.js';
import type { Executor } from '../db/client.js';
import { bookings, capacityWindows, closures, instrumentCategories, nodes, nodeServices, oilGrades, oilPackages, parks, serviceCategories, services, users } from '../db/schema.js';

export type NodeRow = typeof nodes.$inferSelect;
export type ServiceRowFull = typeof services.$inferSelect;
export type OfferingRow = typeof nodeServices.$inferSelect;

export async function listNodesForAdmin(ex: Executor) {
  return ex
    .select({
      node: nodes,
      parkName: parks.name,
      offerings: sql<number>`(SELECT count(*)::int FROM node_services ns WHERE ns.node_id = nodes.id AND ns.active)`,
      staff: sql<number>`(SELECT count(*)::int FROM users u WHERE u.node_id = nodes.id AND u.active)`,
    })
    .from(nodes)
    .leftJoin(parks, eq(parks.id, nodes.parkId))
    .orderBy(asc(nodes.sortOrder), asc(nodes.id));
}

export async function findNodeRow(ex: Executor, id: number): Promise<NodeRow | undefined> {
  const rows = await ex.select().from(nodes).where(eq(nodes.id, id));
  return rows[0];
}

export async function nodeCodeTaken(ex: Executor, code: string, exceptId?: number): Promise<boolean> {
  const rows = await ex.select({ id: nodes.id }).from(nodes).where(eq(nodes.code, code));
  return rows.some((r) => r.id !== exceptId);
}

export async function insertNode(ex: Executor, values: typeof nodes.$inferInsert): Promise<NodeRow> {
  const [row] = await ex.insert(nodes).values(values).returning();
  return row!;
}

export async function updateNode(ex: Executor, id: number, values: Partial<typeof nodes.$inferInsert>): Promise<NodeRow> {
  const [row] = await ex.update(nodes).set({ ...values, updatedAt: sql`now()` }).where(eq(nodes.id, id)).returning();
  return row!;
}

export async function offeringsOfNode(ex: Executor, nodeId: number) {
  return ex
    .select({ offering: nodeServices, serviceCode: services.code, serviceName: services.name, kind: services.bookingKind, serviceActive: services.active, categoryName: serviceCategories.name })
    .from(nodeServices)
    .innerJoin(services, eq(services.id, nodeServices.serviceId))
    .innerJoin(serviceCategories, eq(serviceCategories.code, services.categoryCode))
    .where(eq(nodeServices.nodeId, nodeId))
    .orderBy(asc(serviceCategories.sortOrder), asc(services.sortOrder), asc(services.code));
}

export async function findOffering(ex: Executor, id: number) {
  const rows = await ex
    .select({ offering: nodeServices, kind: services.bookingKind, serviceName: services.name })
    .from(nodeServices)
    .innerJoin(services, eq(services.id, nodeServices.serviceId))
    .where(eq(nodeServices.id, id));
  return rows[0];
}

export async function insertOffering(ex: Executor, values: typeof nodeServices.$inferInsert): Promise<OfferingRow> {
  const [row] = await ex.insert(nodeServices).values(values).returning();
  return row!;
}

export async function updateOffering(ex: Executor, id: number, values: Partial<typeof nodeServices.$inferInsert>): Promise<OfferingRow> {
  const [row] = await ex.update(nodeServices).set(values).where(eq(nodeServices.id, id)).returning();
  return row!;
}

/** Windows from `from` on with their use, locked: a capacity change and a booking never cross. */
export async function lockFutureWindows(ex: Executor, nodeServiceId: number, from: string) {
  return ex
    .select()
    .from(capacityWindows)
    .where(and(eq(capacityWindows.nodeServiceId, nodeServiceId), gte(capacityWindows.date, from)))
    .orderBy(asc(capacityWindows.date), asc(capacityWindows.window))
    .for('update');
}

export async function setWindowCapacity(ex: Executor, windowId: number, capacity: number): Promise<void> {
  await ex.update(capacityWindows).set({ capacity }).where(eq(capacityWindows.id, windowId));
}

export async function closuresOfNode(ex: Executor, nodeId: number, from: string) {
  return ex
    .select({ closure: closures, createdByName: users.name })
    .from(closures)
    .leftJoin(users, eq(users.id, closures.createdBy))
    .where(and(eq(closures.nodeId, nodeId), gte(closures.endDate, from)))
    .orderBy(asc(closures.startDate));
}

export async function insertClosure(ex: Executor, values: typeof closures.$inferInsert) {
  const [row] = await ex.insert(closures).values(values).returning();
  return row!;
}

export async function deleteClosure(ex: Executor, nodeId: number, id: number) {
  const rows = await ex
    .delete(closures)
    .where(and(eq(closures.id, id), eq(closures.nodeId, nodeId)))
    .returning();
  return rows[0];
}

/** Bookings of a node in a date range that still hold their window (a new closure concerns them). */
export async function liveBookingsInRange(ex: Executor, nodeId: number, from: string, to: string) {
  return ex
    .select({ id: bookings.id, number: bookings.number, enterpriseId: bookings.enterpriseId, date: bookings.date, window: bookings.window })
    .from(bookings)
    .where(and(eq(bookings.nodeId, nodeId), gte(bookings.date, from), lte(bookings.date, to), statusIn(bookings.status, HOLDS_CAPACITY)));
}

export async function listServicesForAdmin(ex: Executor) {
  return ex
    .select({
      service: services,
      categoryName: serviceCategories.name,
      offerings: sql<number>`(SELECT count(*)::int FROM node_services ns WHERE ns.service_id = services.id AND ns.active)`,
    })
    .from(services)
    .innerJoin(serviceCategories, eq(serviceCategories.code, services.categoryCode))
    .orderBy(asc(serviceCategories.sortOrder), asc(services.sortOrder), asc(services.code));
}

export async function findServiceRow(ex: Executor, id: number): Promise<ServiceRowFull | undefined> {
  const rows = await ex.select().from(services).where(eq(services.id, id));
  return rows[0];
}

export async function serviceCodeTaken(ex: Executor, code: string, exceptId?: number): Promise<boolean> {
  const rows = await ex.select({ id: services.id }).from(services).where(eq(services.code, code));
  return rows.some((r) => r.id !== exceptId);
}

export async function insertService(ex: Executor, values: typeof services.$inferInsert): Promise<ServiceRowFull> {
  const [row] = await ex.insert(services).values(values).returning();
  return row!;
}

export async function updateService(ex: Executor, id: number, values: Partial<typeof services.$inferInsert>): Promise<ServiceRowFull> {
  const [row] = await ex.update(services).set({ ...values, updatedAt: sql`now()` }).where(eq(services.id, id)).returning();
  return row!;
}

export async function referenceLists(ex: Executor) {
  const [categories, instruments, grades, packages, parkRows] = await Promise.all([
    ex.select().from(serviceCategories).orderBy(asc(serviceCategories.sortOrder)),
    ex.select({ code: instrumentCategories.code, name: instrumentCategories.name }).from(instrumentCategories).orderBy(asc(instrumentCategories.code)),
    ex.select({ code: oilGrades.code, name: oilGrades.name }).from(oilGrades).orderBy(asc(oilGrades.sortOrder)),
    ex.select({ code: oilPackages.code, name: oilPackages.name }).from(oilPackages),
    ex.select({ id: parks.id, name: parks.name }).from(parks).orderBy(asc(parks.id)),
  ]);
  return { categories, instruments, grades, packages, parks: parkRows };
}
