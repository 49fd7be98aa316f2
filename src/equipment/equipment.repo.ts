import { and, asc, desc, eq, getTableColumns, gt, gte, ilike, inArray, isNull, lt, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../db/client.js';
import { enterprises, equipment, equipmentBookings, equipmentSuspensions, equipmentTrainings, events, nodes, parks, sharingRules, users } from '../db/schema.js';
import { HOLDING_STATUSES, statusIn, type EquipmentBookingStatus } from './lifecycle.js';

export type EquipmentRow = typeof equipment.$inferSelect;
export type NewEquipment = typeof equipment.$inferInsert;
export type EquipmentBookingRow = typeof equipmentBookings.$inferSelect;
export type NewEquipmentBooking = typeof equipmentBookings.$inferInsert;

// ───── instruments ─────

const withNode = { ...getTableColumns(equipment), nodeName: nodes.name, nodeShortName: nodes.shortName, nodeAddress: nodes.address, nodePhone: nodes.phone, nodeActive: nodes.active, ownerName: enterprises.name };

export async function findEquipment(ex: Executor, id: number) {
  const rows = await ex.select(withNode).from(equipment).innerJoin(nodes, eq(nodes.id, equipment.nodeId)).leftJoin(enterprises, eq(enterprises.id, equipment.ownerEnterpriseId)).where(eq(equipment.id, id));
  return rows[0];
}

export type EquipmentWithNode = NonNullable<Awaited<ReturnType<typeof findEquipment>>>;

export interface EquipmentFilter {
  q?: string | undefined;
  category?: string | undefined;
  nodeId?: number | undefined;
}

/** The public list: approved instruments of active nodes; retired ones last. */
export async function listPublicEquipment(ex: Executor, filter: EquipmentFilter) {
  const conditions: SQL[] = [eq(equipment.review, 'approved'), eq(nodes.active, true)];
  if (filter.category) conditions.push(eq(equipment.category, filter.category));
  if (filter.nodeId) conditions.push(eq(equipment.nodeId, filter.nodeId));
  if (filter.q) {
    const like = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(or(ilike(equipment.name, like), ilike(equipment.model, like), ilike(equipment.maker, like), ilike(equipment.code, like), sql`array_to_string(${equipment.methods}, ' ') ILIKE ${like}`)!);
  }
  return ex
    .select(withNode)
    .from(equipment)
    .innerJoin(nodes, eq(nodes.id, equipment.nodeId))
    .leftJoin(enterprises, eq(enterprises.id, equipment.ownerEnterpriseId))
    .where(and(...conditions))
    .orderBy(sql`${equipment.status} = 'retired'`, asc(nodes.sortOrder), asc(equipment.sortOrder), asc(equipment.id));
}

/** A node's instruments for its staff (every review state), or every instrument for the platform. */
export async function listManagedEquipment(ex: Executor, nodeId: number | null) {
  return ex
    .select(withNode)
    .from(equipment)
    .innerJoin(nodes, eq(nodes.id, equipment.nodeId))
    .leftJoin(enterprises, eq(enterprises.id, equipment.ownerEnterpriseId))
    .where(nodeId === null ? undefined : eq(equipment.nodeId, nodeId))
    .orderBy(sql`${equipment.review} <> 'pending'`, asc(nodes.sortOrder), asc(equipment.sortOrder), asc(equipment.id));
}

/** The instruments a company offered, with their review state. */
export async function offersOf(ex: Executor, enterpriseId: number) {
  return ex.select(withNode).from(equipment).innerJoin(nodes, eq(nodes.id, equipment.nodeId)).leftJoin(enterprises, eq(enterprises.id, equipment.ownerEnterpriseId)).where(eq(equipment.ownerEnterpriseId, enterpriseId)).orderBy(desc(equipment.createdAt));
}

export async function platformAdminIds(ex: Executor): Promise<number[]> {
  return (await ex.select({ id: users.id }).from(users).where(and(eq(users.role, 'platform_admin'), eq(users.active, true)))).map((r) => r.id);
}

export async function insertEquipment(ex: Executor, row: NewEquipment): Promise<number> {
  const [created] = await ex.insert(equipment).values(row).returning({ id: equipment.id });
  return created!.id;
}

export async function updateEquipment(ex: Executor, id: number, patch: Partial<NewEquipment>): Promise<void> {
  await ex.update(equipment).set({ ...patch, updatedAt: sql`now()` }).where(eq(equipment.id, id));
}

export async function usedCategories(ex: Executor): Promise<string[]> {
  const rows = await ex.selectDistinct({ category: equipment.category }).from(equipment).where(eq(equipment.review, 'approved'));
  return rows.map((r) => r.category);
}

// ───── time on an instrument ─────

/** Rows holding the instrument that overlap [from, to): bookings (with their company) and maintenance blocks. */
export async function holdingRows(ex: Executor, equipmentId: number, from: Date, to: Date) {
  return ex
    .select({ id: equipmentBookings.id, kind: equipmentBookings.kind, status: equipmentBookings.status, enterpriseId: equipmentBookings.enterpriseId, startsAt: equipmentBookings.startsAt, endsAt: equipmentBookings.endsAt })
    .from(equipmentBookings)
    .where(and(eq(equipmentBookings.equipmentId, equipmentId), statusIn(equipmentBookings.status, HOLDING_STATUSES), lt(equipmentBookings.startsAt, to), gt(equipmentBookings.endsAt, from)))
    .orderBy(asc(equipmentBookings.startsAt));
}

export async function insertEquipmentBooking(ex: Executor, row: NewEquipmentBooking): Promise<number> {
  const [created] = await ex.insert(equipmentBookings).values(row).returning({ id: equipmentBookings.id });
  return created!.id;
}

export async function numberByIdempotencyKey(ex: Executor, enterpriseId: number, key: string): Promise<string | undefined> {
  const rows = await ex.select({ number: equipmentBookings.number }).from(equipmentBookings).where(and(eq(equipmentBookings.enterpriseId, enterpriseId), eq(equipmentBookings.idempotencyKey, key)));
  return rows[0]?.number;
}

/** Locks a booking row for a state change, with what its timing rules need from the instrument. */
export async function lockEquipmentBooking(ex: Executor, id: number) {
  const rows = await ex
    .select({ booking: equipmentBookings, noShowMinutes: equipment.noShowMinutes, equipmentName: equipment.name })
    .from(equipmentBookings)
    .innerJoin(equipment, eq(equipment.id, equipmentBookings.equipmentId))
    .where(eq(equipmentBookings.id, id))
    .for('update', { of: equipmentBookings });
  return rows[0];
}

export async function updateEquipmentBooking(ex: Executor, id: number, patch: Partial<NewEquipmentBooking>): Promise<void> {
  await ex.update(equipmentBookings).set({ ...patch, updatedAt: sql`now()` }).where(eq(equipmentBookings.id, id));
}

const creator = alias(users, 'creator');
const decider = alias(users, 'decider');

const bookingView = {
  ...getTableColumns(equipmentBookings),
  equipmentName: equipment.name,
  equipmentCode: equipment.code,
  equipmentModel: equipment.model,
  equipmentLocation: equipment.location,
  nodeName: nodes.name,
  nodeShortName: nodes.shortName,
  nodePhone: nodes.phone,
  enterpriseName: enterprises.name,
  parkName: parks.name,
  createdByName: creator.name,
  decidedByName: decider.name,
};

function bookingSelect(ex: Executor) {
  return ex
    .select(bookingView)
    .from(equipmentBookings)
    .innerJoin(equipment, eq(equipment.id, equipmentBookings.equipmentId))
    .innerJoin(nodes, eq(nodes.id, equipmentBookings.nodeId))
    .leftJoin(enterprises, eq(enterprises.id, equipmentBookings.enterpriseId))
    .leftJoin(parks, eq(parks.id, equipmentBookings.parkId))
    .leftJoin(creator, eq(creator.id, equipmentBookings.createdBy))
    .leftJoin(decider, eq(decider.id, equipmentBookings.decidedBy));
}

export type EquipmentBookingView = Awaited<ReturnType<typeof findBookingByNumber>> & object;

export async function findBookingByNumber(ex: Executor, number: string) {
  const rows = await bookingSelect(ex).where(eq(equipmentBookings.number, number));
  return rows[0];
}

/** A company's bookings: upcoming first (soonest first), then the past (latest first). */
export async function bookingsOfEnterprise(ex: Executor, enterpriseId: number, limit = 200) {
  return bookingSelect(ex)
    .where(eq(equipmentBookings.enterpriseId, enterpriseId))
    .orderBy(sql`${equipmentBookings.endsAt} < now()`, sql`CASE WHEN ${equipmentBookings.endsAt} >= now() THEN ${equipmentBookings.startsAt} END ASC`, desc(equipmentBookings.startsAt))
    .limit(limit);
}

/** A node's rows in some states within [from, to) (by start), in time order. */
export async function bookingsOfNode(ex: Executor, nodeId: number, q: { statuses: readonly EquipmentBookingStatus[]; from?: Date; to?: Date; kind?: 'booking' | 'maintenance'; newestFirst?: boolean; limit?: number }) {
  const conditions: SQL[] = [eq(equipmentBookings.nodeId, nodeId), statusIn(equipmentBookings.status, q.statuses)];
  if (q.from) conditions.push(gte(equipmentBookings.startsAt, q.from));
  if (q.to) conditions.push(lt(equipmentBookings.startsAt, q.to));
  if (q.kind) conditions.push(eq(equipmentBookings.kind, q.kind));
  return bookingSelect(ex)
    .where(and(...conditions))
    .orderBy(q.newestFirst ? desc(equipmentBookings.startsAt) : asc(equipmentBookings.startsAt))
    .limit(q.limit ?? 200);
}

/** Counts per status of a node's bookings (the desk's tabs). */
export async function nodeStatusCounts(ex: Executor, nodeId: number) {
  return ex
    .select({ status: equipmentBookings.status, n: sql<number>`count(*)::int` })
    .from(equipmentBookings)
    .where(and(eq(equipmentBookings.nodeId, nodeId), eq(equipmentBookings.kind, 'booking')))
    .groupBy(equipmentBookings.status);
}

/** Maintenance blocks of an instrument from a time on. */
export async function blocksOf(ex: Executor, equipmentId: number, from: Date) {
  return ex
    .select()
    .from(equipmentBookings)
    .where(and(eq(equipmentBookings.equipmentId, equipmentId), eq(equipmentBookings.kind, 'maintenance'), eq(equipmentBookings.status, 'approved'), gt(equipmentBookings.endsAt, from)))
    .orderBy(asc(equipmentBookings.startsAt));
}

/** Approved bookings whose no-show grace ran out before `now` (the periodic job's work list). */
export async function dueNoShows(ex: Executor, now: Date, limit = 100): Promise<number[]> {
  const rows = await ex
    .select({ id: equipmentBookings.id })
    .from(equipmentBookings)
    .innerJoin(equipment, eq(equipment.id, equipmentBookings.equipmentId))
    .where(and(eq(equipmentBookings.status, 'approved'), eq(equipmentBookings.kind, 'booking'), sql`${equipmentBookings.startsAt} + make_interval(mins => ${equipment.noShowMinutes}) <= ${now.toISOString()}::timestamptz`))
    .orderBy(asc(equipmentBookings.startsAt))
    .limit(limit);
  return rows.map((r) => r.id);
}

/** A booking's timeline: its events, oldest first, with who took each step. */
export async function timelineOf(ex: Executor, bookingId: number) {
  return ex
    .select({ id: events.id, at: events.at, action: events.action, fromState: events.fromState, toState: events.toState, note: events.note, actorName: users.name, actorRole: users.role })
    .from(events)
    .leftJoin(users, eq(users.id, events.actorUserId))
    .where(and(eq(events.entityType, 'equipment_booking'), eq(events.entityId, String(bookingId))))
    .orderBy(asc(events.at), asc(events.id));
}

// ───── training ─────

/** A user's training in force on a day for an instrument. */
export async function trainingInForce(ex: Executor, equipmentId: number, userId: number, day: string) {
  const rows = await ex
    .select()
    .from(equipmentTrainings)
    .where(and(eq(equipmentTrainings.equipmentId, equipmentId), eq(equipmentTrainings.userId, userId), isNull(equipmentTrainings.revokedAt), lte(equipmentTrainings.trainedOn, day), or(isNull(equipmentTrainings.validUntil), gte(equipmentTrainings.validUntil, day))));
  return rows[0];
}

export async function trainingsOfEquipment(ex: Executor, equipmentId: number) {
  return ex
    .select({ ...getTableColumns(equipmentTrainings), userName: users.name, userMobile: users.mobile, enterpriseName: enterprises.name })
    .from(equipmentTrainings)
    .innerJoin(users, eq(users.id, equipmentTrainings.userId))
    .leftJoin(enterprises, eq(enterprises.id, users.enterpriseId))
    .where(eq(equipmentTrainings.equipmentId, equipmentId))
    .orderBy(sql`${equipmentTrainings.revokedAt} IS NOT NULL`, desc(equipmentTrainings.trainedOn), asc(equipmentTrainings.id));
}

/** The instruments a user holds a training for (their company's view). */
export async function trainingsOfUsers(ex: Executor, userIds: number[]) {
  if (userIds.length === 0) return [];
  return ex
    .select({ equipmentId: equipmentTrainings.equipmentId, equipmentName: equipment.name, userId: equipmentTrainings.userId, validUntil: equipmentTrainings.validUntil, trainedOn: equipmentTrainings.trainedOn })
    .from(equipmentTrainings)
    .innerJoin(equipment, eq(equipment.id, equipmentTrainings.equipmentId))
    .where(and(inArray(equipmentTrainings.userId, userIds), isNull(equipmentTrainings.revokedAt)))
    .orderBy(asc(equipment.name));
}

export async function insertTraining(ex: Executor, row: typeof equipmentTrainings.$inferInsert): Promise<number> {
  const [created] = await ex.insert(equipmentTrainings).values(row).returning({ id: equipmentTrainings.id });
  return created!.id;
}

export async function findTraining(ex: Executor, id: number) {
  const rows = await ex.select().from(equipmentTrainings).where(eq(equipmentTrainings.id, id));
  return rows[0];
}

export async function revokeTraining(ex: Executor, id: number, by: number): Promise<boolean> {
  const rows = await ex.update(equipmentTrainings).set({ revokedAt: sql`now()`, revokedBy: by }).where(and(eq(equipmentTrainings.id, id), isNull(equipmentTrainings.revokedAt))).returning({ id: equipmentTrainings.id });
  return rows.length > 0;
}

/** An enterprise user found by mobile number (the node records training for a person it met). */
export async function companyUserByMobile(ex: Executor, mobile: string) {
  const rows = await ex
    .select({ id: users.id, name: users.name, active: users.active, enterpriseId: users.enterpriseId, enterpriseName: enterprises.name })
    .from(users)
    .innerJoin(enterprises, eq(enterprises.id, users.enterpriseId))
    .where(and(eq(users.mobile, mobile), eq(users.role, 'enterprise')));
  return rows[0];
}

export async function colleaguesOf(ex: Executor, enterpriseId: number) {
  return ex.select({ id: users.id, name: users.name }).from(users).where(and(eq(users.enterpriseId, enterpriseId), eq(users.active, true))).orderBy(asc(users.name));
}

// ───── companies, rules, suspensions ─────

export async function findEnterprise(ex: Executor, id: number) {
  const rows = await ex.select({ id: enterprises.id, name: enterprises.name, creditCode: enterprises.creditCode, parkId: enterprises.parkId, orgType: enterprises.orgType, active: enterprises.active }).from(enterprises).where(eq(enterprises.id, id));
  return rows[0];
}

/** Locks the company row: the no-show rule counts and suspends one company at a time. */
export async function lockEnterprise(ex: Executor, id: number): Promise<void> {
  await ex.select({ id: enterprises.id }).from(enterprises).where(eq(enterprises.id, id)).for('update');
}

export async function readRules(ex: Executor) {
  const rows = await ex.select().from(sharingRules).where(eq(sharingRules.id, 1));
  return rows[0] ?? { id: 1, noShowLimit: 3, windowDays: 90, suspensionDays: 30, updatedBy: null, updatedAt: new Date(0) };
}

export async function writeRules(ex: Executor, rules: { noShowLimit: number; windowDays: number; suspensionDays: number }, by: number): Promise<void> {
  await ex
    .insert(sharingRules)
    .values({ id: 1, ...rules, updatedBy: by })
    .onConflictDoUpdate({ target: sharingRules.id, set: { ...rules, updatedBy: by, updatedAt: sql`now()` } });
}

/** No-shows of a company whose booked start lies in [since, now]. */
export async function noShowsSince(ex: Executor, enterpriseId: number, since: Date) {
  return ex
    .select({ number: equipmentBookings.number, startsAt: equipmentBookings.startsAt })
    .from(equipmentBookings)
    .where(and(eq(equipmentBookings.enterpriseId, enterpriseId), eq(equipmentBookings.status, 'no_show'), gte(equipmentBookings.startsAt, since)))
    .orderBy(asc(equipmentBookings.startsAt));
}

export async function activeSuspension(ex: Executor, enterpriseId: number, now: Date) {
  const rows = await ex
    .select()
    .from(equipmentSuspensions)
    .where(and(eq(equipmentSuspensions.enterpriseId, enterpriseId), isNull(equipmentSuspensions.liftedAt), lte(equipmentSuspensions.startsAt, now), gt(equipmentSuspensions.endsAt, now)))
    .orderBy(desc(equipmentSuspensions.endsAt))
    .limit(1);
  return rows[0];
}

export async function insertSuspension(ex: Executor, row: typeof equipmentSuspensions.$inferInsert): Promise<number> {
  const [created] = await ex.insert(equipmentSuspensions).values(row).returning({ id: equipmentSuspensions.id });
  return created!.id;
}

/** Suspensions in force now, with the company's name. */
export async function suspensionsInForce(ex: Executor, now: Date) {
  return ex
    .select({ ...getTableColumns(equipmentSuspensions), enterpriseName: enterprises.name })
    .from(equipmentSuspensions)
    .innerJoin(enterprises, eq(enterprises.id, equipmentSuspensions.enterpriseId))
    .where(and(isNull(equipmentSuspensions.liftedAt), gt(equipmentSuspensions.endsAt, now)))
    .orderBy(asc(equipmentSuspensions.endsAt));
}

export async function findSuspension(ex: Executor, id: number) {
  const rows = await ex.select().from(equipmentSuspensions).where(eq(equipmentSuspensions.id, id));
  return rows[0];
}

export async function liftSuspension(ex: Executor, id: number, by: number, reason: string): Promise<boolean> {
  const rows = await ex
    .update(equipmentSuspensions)
    .set({ liftedAt: sql`now()`, liftedBy: by, liftReason: reason })
    .where(and(eq(equipmentSuspensions.id, id), isNull(equipmentSuspensions.liftedAt)))
    .returning({ id: equipmentSuspensions.id });
  return rows.length > 0;
}

/** Research institutes (科研院所) on the platform. */
export async function institutes(ex: Executor) {
  return ex.select({ id: enterprises.id, name: enterprises.name, creditCode: enterprises.creditCode }).from(enterprises).where(eq(enterprises.orgType, 'institute')).orderBy(asc(enterprises.name));
}

export async function enterpriseByCreditCode(ex: Executor, creditCode: string) {
  const rows = await ex.select({ id: enterprises.id, name: enterprises.name, orgType: enterprises.orgType }).from(enterprises).where(eq(enterprises.creditCode, creditCode));
  return rows[0];
}

export async function setOrgType(ex: Executor, enterpriseId: number, orgType: string): Promise<void> {
  await ex.update(enterprises).set({ orgType, updatedAt: sql`now()` }).where(and(eq(enterprises.id, enterpriseId), ne(enterprises.orgType, orgType)));
}
