import { and, asc, eq, gte, inArray, lte, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { capacityWindows, closures, nodeServices, services } from '../db/schema.js';

export type NodeServiceRow = typeof nodeServices.$inferSelect;

export async function findNodeService(ex: Executor, nodeId: number, serviceId: number): Promise<NodeServiceRow | undefined> {
  const rows = await ex
    .select()
    .from(nodeServices)
    .where(and(eq(nodeServices.nodeId, nodeId), eq(nodeServices.serviceId, serviceId)));
  return rows[0];
}

export async function findNodeServiceById(ex: Executor, id: number): Promise<NodeServiceRow | undefined> {
  const rows = await ex.select().from(nodeServices).where(eq(nodeServices.id, id));
  return rows[0];
}

/** Closure rows overlapping [from, to] for some nodes. */
export async function closuresInRange(ex: Executor, nodeIds: number[], from: string, to: string) {
  if (nodeIds.length === 0) return [];
  return ex
    .select({ nodeId: closures.nodeId, startDate: closures.startDate, endDate: closures.endDate, reason: closures.reason })
    .from(closures)
    .where(and(inArray(closures.nodeId, nodeIds), lte(closures.startDate, to), gte(closures.endDate, from)));
}

export async function windowRowsInRange(ex: Executor, nodeServiceIds: number[], from: string, to: string) {
  if (nodeServiceIds.length === 0) return [];
  return ex
    .select()
    .from(capacityWindows)
    .where(and(inArray(capacityWindows.nodeServiceId, nodeServiceIds), gte(capacityWindows.date, from), lte(capacityWindows.date, to)))
    .orderBy(asc(capacityWindows.date));
}

/**
 * Takes `units` from a window atomically: the row is created on first use with the node-service's current capacity,
 * then one conditional UPDATE adds the units only if they still fit. Concurrent requests for the same window queue on
 * the row lock and each re-checks `used + units <= capacity` against the committed value — no check-then-insert race.
 * Returns the window row, or undefined when the units do not fit.
 */
export async function takeUnits(
  ex: Executor,
  slot: { nodeServiceId: number; date: string; window: string; defaultCapacity: number; units: number },
) {
  await ex
    .insert(capacityWindows)
    .values({ nodeServiceId: slot.nodeServiceId, date: slot.date, window: slot.window, capacity: slot.defaultCapacity, used: 0 })
    .onConflictDoNothing();
  const rows = await ex
    .update(capacityWindows)
    .set({ used: sql`${capacityWindows.used} + ${slot.units}` })
    .where(
      and(
        eq(capacityWindows.nodeServiceId, slot.nodeServiceId),
        eq(capacityWindows.date, slot.date),
        eq(capacityWindows.window, slot.window),
        sql`${capacityWindows.used} + ${slot.units} <= ${capacityWindows.capacity}`,
      ),
    )
    .returning();
  return rows[0];
}

/** Gives units back to their window (cancel, reject, reschedule). */
export async function releaseUnits(ex: Executor, windowId: number, units: number): Promise<void> {
  await ex
    .update(capacityWindows)
    .set({ used: sql`${capacityWindows.used} - ${units}` })
    .where(eq(capacityWindows.id, windowId));
}

/** Node-services offering a service at active nodes, with the service's kind (for availability lists). */
export async function activeNodeServicesOf(ex: Executor, serviceId: number) {
  return ex
    .select({ ns: nodeServices, kind: services.bookingKind })
    .from(nodeServices)
    .innerJoin(services, eq(services.id, nodeServices.serviceId))
    .where(and(eq(nodeServices.serviceId, serviceId), eq(nodeServices.active, true)));
}

/** A node's active offerings with their service kind (for the node page's capacity overview). */
export async function nodeServicesOfNode(ex: Executor, nodeId: number) {
  return ex
    .select({ ns: nodeServices, kind: services.bookingKind })
    .from(nodeServices)
    .innerJoin(services, eq(services.id, nodeServices.serviceId))
    .where(and(eq(nodeServices.nodeId, nodeId), eq(nodeServices.active, true), eq(services.active, true)));
}
