import { and, desc, eq, gte, inArray, lt, lte, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { bookings, instruments, services } from '../db/schema.js';

export interface CursorFilter {
  enterpriseId?: number;
  nodeId?: number;
  statuses?: string[];
  service?: string;
  from?: string;
  to?: string;
  /** Bookings with an id below this one (the cursor). */
  before?: number;
}

/** One page of bookings, newest first, keyed by id (stable under inserts: a cursor never skips or repeats a row). */
export async function bookingsPage(ex: Executor, f: CursorFilter, limit: number) {
  const where: (SQL | undefined)[] = [
    f.enterpriseId !== undefined ? eq(bookings.enterpriseId, f.enterpriseId) : undefined,
    f.nodeId !== undefined ? eq(bookings.nodeId, f.nodeId) : undefined,
    f.statuses?.length ? inArray(bookings.status, f.statuses as (typeof bookings.status.enumValues)[number][]) : undefined,
    f.service ? eq(services.code, f.service) : undefined,
    f.from ? gte(bookings.date, f.from) : undefined,
    f.to ? lte(bookings.date, f.to) : undefined,
    f.before !== undefined ? lt(bookings.id, f.before) : undefined,
  ];
  return resourceQuery(ex)
    .where(and(...where))
    .orderBy(desc(bookings.id))
    .limit(limit + 1);
}

/** One booking as the API shows it (the caller has checked access through the bookings service). */
export async function bookingByNumber(ex: Executor, number: string) {
  return (await resourceQuery(ex).where(eq(bookings.number, number)))[0];
}

function resourceQuery(ex: Executor) {
  return ex
    .select({
      id: bookings.id,
      number: bookings.number,
      kind: bookings.kind,
      status: bookings.status,
      service: services.code,
      nodeId: bookings.nodeId,
      enterpriseId: bookings.enterpriseId,
      date: bookings.date,
      window: bookings.window,
      units: bookings.units,
      channel: bookings.channel,
      contactName: bookings.contactName,
      dueDate: bookings.dueDate,
      submittedAt: bookings.submittedAt,
    })
    .from(bookings)
    .innerJoin(services, eq(services.id, bookings.serviceId));
}

const instrumentColumns = { id: instruments.id, name: instruments.name, categoryCode: instruments.categoryCode, serialNo: instruments.serialNo, model: instruments.model, department: instruments.department, compulsory: instruments.compulsory, status: instruments.status, lastCalibrationDate: instruments.lastCalibrationDate, nextDueDate: instruments.nextDueDate, certificateNo: instruments.certificateNo };

/** One page of a company's ledger, by id (the cursor). */
export async function instrumentsPage(ex: Executor, enterpriseId: number, before: number | undefined, limit: number) {
  return ex
    .select(instrumentColumns)
    .from(instruments)
    .where(and(eq(instruments.enterpriseId, enterpriseId), before !== undefined ? lt(instruments.id, before) : undefined))
    .orderBy(desc(instruments.id))
    .limit(limit + 1);
}

export async function instrumentById(ex: Executor, enterpriseId: number, id: number) {
  return (await ex.select(instrumentColumns).from(instruments).where(and(eq(instruments.enterpriseId, enterpriseId), eq(instruments.id, id))))[0];
}
