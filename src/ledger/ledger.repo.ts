import { and, asc, count, desc, eq, ilike, inArray, isNull, lt, lte, notInArray, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { bookingItems, bookings, events, instrumentCategories, instruments, ledgerSettings, reports, services, users } from '../db/schema.js';
import { addDays } from '../shared/time.js';
import type { DueFilter, Sort } from './ledger.schemas.js';
import type { InstrumentStatus } from './rules.js';

export type InstrumentRow = typeof instruments.$inferSelect;
export type NewInstrument = typeof instruments.$inferInsert;

export interface LedgerFilter {
  enterpriseId: number;
  today: string;
  q?: string;
  due?: DueFilter;
  compulsory?: boolean;
  status?: InstrumentStatus;
  department?: string;
  categoryCode?: string;
  ids?: number[];
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (x) => '\\' + x);

/** The WHERE of a ledger list: due filters count only instruments in use (a stopped one is not "overdue"). */
export function ledgerWhere(f: LedgerFilter): SQL {
  const c: SQL[] = [eq(instruments.enterpriseId, f.enterpriseId)];
  const inUse = eq(instruments.status, 'in_use');
  if (f.due === 'overdue') c.push(inUse, lt(instruments.nextDueDate, f.today));
  else if (f.due === 'attention') c.push(inUse, lte(instruments.nextDueDate, addDays(f.today, 30)));
  else if (f.due === '30' || f.due === '90') c.push(inUse, sql`${instruments.nextDueDate} BETWEEN ${f.today} AND ${addDays(f.today, Number(f.due))}`);
  else if (f.due === 'none') c.push(isNull(instruments.nextDueDate));
  if (f.compulsory !== undefined) c.push(eq(instruments.compulsory, f.compulsory));
  if (f.status) c.push(eq(instruments.status, f.status));
  if (f.department !== undefined) c.push(eq(instruments.department, f.department));
  if (f.categoryCode) c.push(eq(instruments.categoryCode, f.categoryCode));
  if (f.ids) c.push(inArray(instruments.id, f.ids.length ? f.ids : [0]));
  if (f.q) {
    const like = `%${escapeLike(f.q)}%`;
    c.push(or(ilike(instruments.name, like), ilike(instruments.serialNo, like), ilike(instruments.model, like), ilike(instruments.certificateNo, like), ilike(instruments.location, like), ilike(instruments.manufacturer, like))!);
  }
  return and(...c)!;
}

const ORDER: Record<Sort, SQL[]> = {
  due: [sql`${instruments.nextDueDate} ASC NULLS LAST`, asc(instruments.id)],
  name: [asc(instruments.name), asc(instruments.id)],
  serial: [asc(instruments.serialNo), asc(instruments.id)],
  category: [asc(instrumentCategories.name), sql`${instruments.nextDueDate} ASC NULLS LAST`, asc(instruments.id)],
  department: [asc(instruments.department), sql`${instruments.nextDueDate} ASC NULLS LAST`, asc(instruments.id)],
  last: [sql`${instruments.lastCalibrationDate} DESC NULLS LAST`, asc(instruments.id)],
};

/** The columns a list row shows, with the category's name and the certificate's booking number. */
const listColumns = {
  id: instruments.id,
  name: instruments.name,
  categoryCode: instruments.categoryCode,
  categoryName: instrumentCategories.name,
  model: instruments.model,
  serialNo: instruments.serialNo,
  manufacturer: instruments.manufacturer,
  measuringRange: instruments.measuringRange,
  accuracyClass: instruments.accuracyClass,
  department: instruments.department,
  location: instruments.location,
  compulsory: instruments.compulsory,
  compulsoryUse: instruments.compulsoryUse,
  regime: instruments.regime,
  periodMonths: instruments.periodMonths,
  status: instruments.status,
  lastCalibrationDate: instruments.lastCalibrationDate,
  certificateNo: instruments.certificateNo,
  conclusion: instruments.conclusion,
  nextDueDate: instruments.nextDueDate,
  dueSource: instruments.dueSource,
  reportVersion: instruments.reportVersion,
  bookingNumber: bookings.number,
};

export type LedgerListRow = Awaited<ReturnType<typeof listInstruments>>[number];

export async function listInstruments(ex: Executor, f: LedgerFilter, sort: Sort, page: { limit: number; offset: number }) {
  return ex
    .select(listColumns)
    .from(instruments)
    .innerJoin(instrumentCategories, eq(instrumentCategories.code, instruments.categoryCode))
    .leftJoin(bookings, eq(bookings.id, instruments.reportBookingId))
    .where(ledgerWhere(f))
    .orderBy(...ORDER[sort])
    .limit(page.limit)
    .offset(page.offset);
}

export async function countInstruments(ex: Executor, f: LedgerFilter): Promise<number> {
  const [row] = await ex.select({ n: count() }).from(instruments).where(ledgerWhere(f));
  return row?.n ?? 0;
}

/** The header figures of a company's ledger, in one pass over its rows. */
export async function ledgerSummary(ex: Executor, enterpriseId: number, today: string) {
  const [row] = await ex
    .select({
      total: count(),
      inUse: sql<number>`count(*) FILTER (WHERE ${instruments.status} = 'in_use')::int`,
      compulsory: sql<number>`count(*) FILTER (WHERE ${instruments.status} = 'in_use' AND ${instruments.compulsory})::int`,
      overdue: sql<number>`count(*) FILTER (WHERE ${instruments.status} = 'in_use' AND ${instruments.nextDueDate} < ${today})::int`,
      due30: sql<number>`count(*) FILTER (WHERE ${instruments.status} = 'in_use' AND ${instruments.nextDueDate} BETWEEN ${today} AND ${addDays(today, 30)})::int`,
    })
    .from(instruments)
    .where(eq(instruments.enterpriseId, enterpriseId));
  return row ?? { total: 0, inUse: 0, compulsory: 0, overdue: 0, due30: 0 };
}

export async function departmentsOf(ex: Executor, enterpriseId: number): Promise<string[]> {
  const rows = await ex
    .selectDistinct({ department: instruments.department })
    .from(instruments)
    .where(and(eq(instruments.enterpriseId, enterpriseId), sql`${instruments.department} <> ''`))
    .orderBy(asc(instruments.department))
    .limit(200);
  return rows.map((r) => r.department);
}

/** One entry with its category and the certificate it was last updated from (report status, verification token). */
export async function findInstrument(ex: Executor, id: number) {
  const rows = await ex
    .select({
      instrument: instruments,
      category: instrumentCategories,
      bookingNumber: bookings.number,
      reportNumber: reports.number,
      reportStatus: reports.status,
      verifyToken: reports.verifyToken,
    })
    .from(instruments)
    .innerJoin(instrumentCategories, eq(instrumentCategories.code, instruments.categoryCode))
    .leftJoin(bookings, eq(bookings.id, instruments.reportBookingId))
    .leftJoin(reports, and(eq(reports.bookingId, instruments.reportBookingId), eq(reports.version, instruments.reportVersion)))
    .where(eq(instruments.id, id));
  return rows[0];
}

export async function lockInstrument(ex: Executor, id: number): Promise<InstrumentRow | undefined> {
  return (await ex.select().from(instruments).where(eq(instruments.id, id)).for('update'))[0];
}

/** The entries of a company with these serial keys (category + key → id): duplicate checks and certificate matching. */
export async function entriesByKeys(ex: Executor, enterpriseId: number, keys: { categoryCode: string; serialKey: string }[]) {
  if (keys.length === 0) return [];
  return ex
    .select()
    .from(instruments)
    .where(and(eq(instruments.enterpriseId, enterpriseId), inArray(instruments.serialKey, [...new Set(keys.map((k) => k.serialKey))])));
}

export async function insertInstrument(ex: Executor, row: NewInstrument): Promise<InstrumentRow> {
  const [created] = await ex.insert(instruments).values(row).returning();
  return created!;
}

/** Many entries in multi-row statements (an import of 5 000 rows is ten statements). */
export async function insertInstruments(ex: Executor, rows: NewInstrument[]): Promise<{ id: number; serialNo: string; name: string }[]> {
  const out: { id: number; serialNo: string; name: string }[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    out.push(...(await ex.insert(instruments).values(rows.slice(i, i + 500)).returning({ id: instruments.id, serialNo: instruments.serialNo, name: instruments.name })));
  }
  return out;
}

export async function updateInstrument(ex: Executor, id: number, values: Partial<NewInstrument>): Promise<void> {
  await ex
    .update(instruments)
    .set({ ...values, updatedAt: sql`now()` })
    .where(eq(instruments.id, id));
}

export async function deleteInstrument(ex: Executor, id: number): Promise<void> {
  await ex.delete(instruments).where(eq(instruments.id, id));
}

/** The entry's history from the audit log (its own events), newest first. */
export async function historyOf(ex: Executor, id: number) {
  return ex
    .select({ at: events.at, action: events.action, note: events.note, data: events.data, actorName: users.name })
    .from(events)
    .leftJoin(users, eq(users.id, events.actorUserId))
    .where(and(eq(events.entityType, 'instrument'), eq(events.entityId, String(id))))
    .orderBy(desc(events.at), desc(events.id))
    .limit(100);
}

export async function findSettings(ex: Executor, enterpriseId: number) {
  return (await ex.select().from(ledgerSettings).where(eq(ledgerSettings.enterpriseId, enterpriseId)))[0];
}

export async function saveSettings(ex: Executor, enterpriseId: number, emailReminders: boolean, by: number): Promise<void> {
  await ex
    .insert(ledgerSettings)
    .values({ enterpriseId, emailReminders, updatedBy: by })
    .onConflictDoUpdate({ target: ledgerSettings.enterpriseId, set: { emailReminders, updatedBy: by, updatedAt: sql`now()` } });
}

export async function instrumentCategoriesList(ex: Executor) {
  return ex.select().from(instrumentCategories).orderBy(asc(instrumentCategories.discipline), asc(instrumentCategories.code));
}

/** The active calibration service of each category (services map 1:1 to instrument categories). */
export async function calibrationServicesFor(ex: Executor, categoryCodes: string[]) {
  if (categoryCodes.length === 0) return [];
  return ex
    .select({ id: services.id, code: services.code, name: services.name, categoryCode: services.instrumentCategoryCode, deliveryModes: services.deliveryModes, turnaroundDays: services.turnaroundDays })
    .from(services)
    .where(and(inArray(services.instrumentCategoryCode, categoryCodes), eq(services.active, true), eq(services.bookingKind, 'calibration')));
}

/** Bookings of the company still under way that carry one of these serial numbers (so a list can say "已预约"). */
/** One company's 一键预约 at a time: the check for instruments already booked and the bookings made stay together. */
export async function lockOneClickOf(tx: Executor, enterpriseId: number): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`ledger_one_click|${enterpriseId}`}))`);
}

export async function openBookingsOfSerials(ex: Executor, enterpriseId: number, serials: string[]) {
  if (serials.length === 0) return [];
  return ex
    .select({ serialNo: bookingItems.serialNo, number: bookings.number, categoryCode: services.instrumentCategoryCode, date: bookings.date })
    .from(bookingItems)
    .innerJoin(bookings, eq(bookings.id, bookingItems.bookingId))
    .innerJoin(services, eq(services.id, bookings.serviceId))
    .where(
      and(
        eq(bookings.enterpriseId, enterpriseId),
        eq(bookings.kind, 'calibration'),
        notInArray(bookings.status, ['reported', 'completed', 'rejected', 'cancelled']),
        inArray(bookingItems.serialNo, [...new Set(serials)]),
      ),
    );
}
