import { and, asc, eq, inArray, lte, ne } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import type { LimitRow } from './limits.js';
import { bookingItems, bookings, instrumentCategories, oilLimits, oilTestItems, results, services, users } from '../db/schema.js';

/** Active technicians and managers of a node (assignment and the "assignee" filter). */
export async function staffOfNode(ex: Executor, nodeId: number) {
  return ex
    .select({ id: users.id, name: users.name, role: users.role })
    .from(users)
    .where(and(eq(users.nodeId, nodeId), eq(users.active, true), inArray(users.role, ['lab_staff', 'node_manager'])))
    .orderBy(asc(users.name));
}

/** Test items by code, in the order a report lists them. */
export async function oilItemsByCodes(ex: Executor, itemCodes: string[]) {
  if (itemCodes.length === 0) return [];
  return ex
    .select({ code: oilTestItems.code, name: oilTestItems.name, nameEn: oilTestItems.nameEn, unit: oilTestItems.unit, methods: oilTestItems.methods, plausibleMin: oilTestItems.plausibleMin, plausibleMax: oilTestItems.plausibleMax })
    .from(oilTestItems)
    .where(inArray(oilTestItems.code, itemCodes))
    .orderBy(asc(oilTestItems.sortOrder));
}

/** Every limit of some grades in some editions (all variants): one query for all samples of a booking. */
export async function limitsOf(ex: Executor, gradeCodes: string[], editions: string[]): Promise<LimitRow[]> {
  if (gradeCodes.length === 0 || editions.length === 0) return [];
  return ex
    .select({
      itemCode: oilLimits.itemCode,
      gradeCode: oilLimits.gradeCode,
      edition: oilLimits.edition,
      variant: oilLimits.variant,
      kind: oilLimits.kind,
      minValue: oilLimits.minValue,
      maxValue: oilLimits.maxValue,
      criterion: oilLimits.criterion,
      criterionEn: oilLimits.criterionEn,
      condition: oilLimits.condition,
      source: oilLimits.source,
      verified: oilLimits.verified,
    })
    .from(oilLimits)
    .where(and(inArray(oilLimits.gradeCode, gradeCodes), inArray(oilLimits.edition, editions)));
}

export type NewResult = Omit<typeof results.$inferInsert, 'id' | 'bookingId' | 'version'>;

/** Replaces the result lines of one report version (1 = the first issue; n = a revision's working copy). */
/** The regulations and specifications (JJG / JJF …) a service works by: what its certificates may cite. */
/** What a calibration service's results are checked against: its standards and its instrument category's period. */
export async function calibrationBasisOfService(ex: Executor, serviceId: number) {
  const [row] = await ex
    .select({ standards: services.standards, categoryCode: instrumentCategories.code, categoryName: instrumentCategories.name, periodMonths: instrumentCategories.periodMonths, regulations: instrumentCategories.regulations })
    .from(services)
    .leftJoin(instrumentCategories, eq(instrumentCategories.code, services.instrumentCategoryCode))
    .where(eq(services.id, serviceId));
  return row ?? { standards: [], categoryCode: null, categoryName: null, periodMonths: null, regulations: null };
}

/** Which of these certificate numbers (compared without case) another booking's results already carry. */
export async function certificateNumbersOfOtherBookings(ex: Executor, bookingId: number, numbers: string[]): Promise<Set<string>> {
  if (numbers.length === 0) return new Set();
  // as typed and upper-cased (how /verify reads a number): matched on the certificate index, not by a scan
  const forms = [...new Set(numbers.flatMap((n) => [n, n.toUpperCase()]))];
  const rows = await ex
    .selectDistinct({ no: results.certificateNo })
    .from(results)
    .where(and(inArray(results.certificateNo, forms), ne(results.bookingId, bookingId)));
  return new Set(rows.map((r) => r.no!.toUpperCase()));
}

export async function replaceResults(ex: Executor, bookingId: number, version: number, rows: NewResult[]): Promise<void> {
  await ex.delete(results).where(and(eq(results.bookingId, bookingId), eq(results.version, version)));
  if (rows.length) await ex.insert(results).values(rows.map((r) => ({ ...r, bookingId, version })));
}

/** Copies the lines of one version as the starting point of another (a revision's working copy). */
export async function copyResults(ex: Executor, bookingId: number, fromVersion: number, toVersion: number): Promise<void> {
  const rows = await resultsOf(ex, bookingId, fromVersion);
  await replaceResults(ex, bookingId, toVersion, rows.map(({ id: _id, bookingId: _b, version: _v, ...line }) => line));
}

/** The result lines of one report version. */
export async function resultsOf(ex: Executor, bookingId: number, version: number) {
  return ex
    .select()
    .from(results)
    .where(and(eq(results.bookingId, bookingId), eq(results.version, version)))
    .orderBy(asc(results.id));
}

/** Reception: each line's sample code / instrument label and its state on receipt (样品状态 / 外观). */
export async function setItemLabels(ex: Executor, labels: { id: number; label: string; condition?: string | null }[]): Promise<void> {
  for (const l of labels) {
    await ex.update(bookingItems).set({ labelCode: l.label, conditionOnReceipt: l.condition ?? null }).where(eq(bookingItems.id, l.id));
  }
}

/** Bookings reported more than `days` ago that the enterprise has not confirmed (auto-complete). */
export async function reportedBefore(ex: Executor, cutoff: Date) {
  return ex
    .select({ id: bookings.id, number: bookings.number })
    .from(bookings)
    .where(and(eq(bookings.status, 'reported'), lte(bookings.reportedAt, cutoff)));
}
