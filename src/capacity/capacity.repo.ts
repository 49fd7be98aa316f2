import { and, asc, eq, gte, inArray, lte, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { bookings, capacityWindows, closures, nodes, nodeServices, nodeServiceWindows, services } from '../db/schema.js';
import type { ServiceWindow } from './windows.js';
import { runPrepared } from '../db/prepared.js';

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

const closedDatesQuery = (ex: Executor) =>
  ex
    .select({ start: closures.startDate, end: closures.endDate })
    .from(closures)
    .where(and(eq(closures.nodeId, sql.placeholder('node')), sql`${closures.endDate} >= ${sql.placeholder('from')}`));

/** Closed days of a node from a date on (due dates skip them). */
export async function closedDatesFrom(ex: Executor, nodeId: number, from: string): Promise<Set<string>> {
  const rows = await runPrepared(ex, 'nqi_closures_from', closedDatesQuery, { node: nodeId, from });
  const out = new Set<string>();
  for (const r of rows) {
    for (let d = new Date(`${r.start}T00:00:00Z`); d <= new Date(`${r.end}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
      out.add(d.toISOString().slice(0, 10));
    }
  }
  return out;
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

/** The own booking windows of some node-services (those without rows keep the half-day windows). */
export async function ownWindowsOf(ex: Executor, nodeServiceIds: number[]) {
  if (nodeServiceIds.length === 0) return [];
  return ex
    .select({ nodeServiceId: nodeServiceWindows.nodeServiceId, weekday: nodeServiceWindows.weekday, code: nodeServiceWindows.code, label: nodeServiceWindows.label, capacity: nodeServiceWindows.capacity, onHolidays: nodeServiceWindows.onHolidays })
    .from(nodeServiceWindows)
    .where(inArray(nodeServiceWindows.nodeServiceId, nodeServiceIds))
    .orderBy(asc(nodeServiceWindows.weekday), asc(nodeServiceWindows.code));
}

/**
 * Takes `units` from a window atomically: the row is created on first use with the node-service's current capacity,
 * then one conditional UPDATE adds the units only if they still fit. Concurrent requests for the same window queue on
 * the row lock and each re-checks `used + units <= capacity` against the committed value — no check-then-insert race.
 * Returns the window row, or undefined when the units do not fit.
 */
/**
 * Takes units of a window: one conditional UPDATE that locks the window's row, so it is never oversold. A window already
 * full by what has been committed is refused first by a plain read (no lock): in a burst the refusals do not queue
 * behind the bookings being written (holding a pooled connection each) only to find it full. The locked UPDATE stays
 * the authority. Returns the window row, or undefined when the units do not fit.
 */
export async function takeUnits(
  ex: Executor,
  slot: { nodeServiceId: number; date: string; window: string; defaultCapacity: number; units: number },
) {
  const where = and(eq(capacityWindows.nodeServiceId, slot.nodeServiceId), eq(capacityWindows.date, slot.date), eq(capacityWindows.window, slot.window));
  const [known] = await ex.select({ used: capacityWindows.used, capacity: capacityWindows.capacity }).from(capacityWindows).where(where);
  if (known && known.used + slot.units > known.capacity) return undefined;
  if (!known) {
    await ex
      .insert(capacityWindows)
      .values({ nodeServiceId: slot.nodeServiceId, date: slot.date, window: slot.window, capacity: slot.defaultCapacity, used: 0 })
      .onConflictDoNothing();
  }
  const rows = await ex
    .update(capacityWindows)
    .set({ used: sql`${capacityWindows.used} + ${slot.units}` })
    .where(and(where, sql`${capacityWindows.used} + ${slot.units} <= ${capacityWindows.capacity}`))
    .returning();
  return rows[0];
}

/**
 * A window the committed bookings have already filled, found by what a form posts (service code, node, date, window)
 * in one read without a lock: its node-service, the service's booking kind and the booking this company's form (its
 * idempotency key) already made, if any — a form sent twice whose first copy took the last place gets its booking,
 * not "full". Undefined when the window still has room (or is not known). The first thing a submit looks at, so a
 * burst at a full window is refused for one query.
 */
export async function findFullWindow(ex: Executor, serviceCode: string, nodeId: number, date: string, window: string, form: { enterpriseId: number; key: string }) {
  return (await runPrepared(ex, 'nqi_full_window', fullWindowQuery, { serviceCode, nodeId, date, window, enterpriseId: form.enterpriseId, key: form.key }))[0];
}

const fullWindowQuery = (ex: Executor) =>
  ex
    .select({
      ns: nodeServices,
      kind: services.bookingKind,
      earlier: sql<{ number: string; requestFingerprint: string | null } | null>`(SELECT json_build_object('number', ${bookings.number}, 'requestFingerprint', ${bookings.requestFingerprint}) FROM ${bookings} WHERE ${bookings.enterpriseId} = ${sql.placeholder('enterpriseId')} AND ${bookings.idempotencyKey} = ${sql.placeholder('key')} AND ${sql.placeholder('key')}::text <> '')`,
    })
    .from(capacityWindows)
    .innerJoin(nodeServices, eq(nodeServices.id, capacityWindows.nodeServiceId))
    .innerJoin(services, eq(services.id, nodeServices.serviceId))
    .where(
      and(
        eq(services.code, sql.placeholder('serviceCode')),
        eq(nodeServices.nodeId, sql.placeholder('nodeId')),
        eq(capacityWindows.date, sql.placeholder('date')),
        eq(capacityWindows.window, sql.placeholder('window')),
        sql`${capacityWindows.used} >= ${capacityWindows.capacity}`,
      ),
    )
    .limit(1);

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

/** A node's offering with the node's and service's names; undefined when it is not that node's. */
export async function offeringWithNames(ex: Executor, nodeId: number, offeringId: number) {
  const [row] = await ex
    .select({ id: nodeServices.id, nodeId: nodeServices.nodeId, nodeName: nodes.name, serviceName: services.name, kind: services.bookingKind, capacityAm: nodeServices.capacityAm, capacityPm: nodeServices.capacityPm })
    .from(nodeServices)
    .innerJoin(nodes, eq(nodes.id, nodeServices.nodeId))
    .innerJoin(services, eq(services.id, nodeServices.serviceId))
    .where(and(eq(nodeServices.id, offeringId), eq(nodeServices.nodeId, nodeId)));
  return row;
}

/** Replaces a node-service's own windows (inside the caller's transaction). */
export async function replaceOwnWindows(ex: Executor, nodeServiceId: number, windows: Omit<ServiceWindow, 'nodeServiceId'>[]): Promise<void> {
  await ex.delete(nodeServiceWindows).where(eq(nodeServiceWindows.nodeServiceId, nodeServiceId));
  if (windows.length) await ex.insert(nodeServiceWindows).values(windows.map((w) => ({ ...w, nodeServiceId })));
}
