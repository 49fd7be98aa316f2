import { and, asc, eq, gt, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { bookingFees, feeRules, invoiceRequests, prices } from '../db/schema.js';
import { runPrepared } from '../db/prepared.js';

export type PriceRow = typeof prices.$inferSelect;
export type PriceTarget = { kind: 'service' | 'oil_item' | 'oil_package'; code: string };

const inForceOn = (day: string) => and(lte(prices.effectiveFrom, day), or(isNull(prices.effectiveTo), gt(prices.effectiveTo, day)));

/**
 * The prices in force on a day for some targets: the node's own price where it has one, the city-wide one otherwise.
 * Keyed `kind|code`.
 */
export async function pricesInForce(ex: Executor, targets: PriceTarget[], day: string, nodeId: number | null): Promise<Map<string, PriceRow>> {
  if (targets.length === 0) return new Map();
  const codes = [...new Set(targets.map((t) => t.code))];
  const rows = await ex
    .select()
    .from(prices)
    .where(and(inArray(prices.targetCode, codes), inForceOn(day), nodeId === null ? isNull(prices.nodeId) : or(isNull(prices.nodeId), eq(prices.nodeId, nodeId))));
  const out = new Map<string, PriceRow>();
  for (const row of rows) {
    const key = `${row.targetKind}|${row.targetCode}`;
    const seen = out.get(key);
    if (!seen || (seen.nodeId === null && row.nodeId !== null)) out.set(key, row);
  }
  return out;
}

/** Every price in force on a day (the public 收费标准 and the admin list), node-specific rows included. */
export async function priceListOn(ex: Executor, day: string) {
  return ex.select().from(prices).where(inForceOn(day)).orderBy(asc(prices.targetKind), asc(prices.targetCode), asc(prices.nodeId));
}

/** The history of one target's price (admin). */
export async function priceHistory(ex: Executor, target: PriceTarget) {
  return ex
    .select()
    .from(prices)
    .where(and(eq(prices.targetKind, target.kind), eq(prices.targetCode, target.code)))
    .orderBy(asc(prices.nodeId), asc(prices.effectiveFrom));
}

export async function listFeeRules(ex: Executor) {
  return ex.select().from(feeRules).orderBy(asc(feeRules.code));
}

/** Ends the row in force on `from` for a target and node (a new price starts that day). */
export async function endPriceFrom(ex: Executor, target: PriceTarget, nodeId: number | null, from: string): Promise<void> {
  await ex
    .update(prices)
    .set({ effectiveTo: from })
    .where(and(eq(prices.targetKind, target.kind), eq(prices.targetCode, target.code), nodeId === null ? isNull(prices.nodeId) : eq(prices.nodeId, nodeId), lte(prices.effectiveFrom, sql`${from}::date - 1`), or(isNull(prices.effectiveTo), gt(prices.effectiveTo, from))));
}

export async function insertPrice(ex: Executor, row: typeof prices.$inferInsert): Promise<number> {
  const [created] = await ex.insert(prices).values(row).returning({ id: prices.id });
  return created!.id;
}

/** A later price already scheduled from or after `from` (the admin must change that one instead). */
export async function laterPrice(ex: Executor, target: PriceTarget, nodeId: number | null, from: string) {
  const rows = await ex
    .select()
    .from(prices)
    .where(and(eq(prices.targetKind, target.kind), eq(prices.targetCode, target.code), nodeId === null ? isNull(prices.nodeId) : eq(prices.nodeId, nodeId), sql`${prices.effectiveFrom} >= ${from}::date`));
  return rows[0];
}

// ── a booking's fee ──

export type BookingFeeRow = typeof bookingFees.$inferSelect;

export async function insertBookingFee(ex: Executor, row: typeof bookingFees.$inferInsert): Promise<void> {
  await ex.insert(bookingFees).values(row);
}

const bookingFeeQuery = (ex: Executor) => ex.select().from(bookingFees).where(eq(bookingFees.bookingId, sql.placeholder('id')));

export async function findBookingFee(ex: Executor, bookingId: number): Promise<BookingFeeRow | undefined> {
  const rows = await runPrepared(ex, 'nqi_booking_fee', bookingFeeQuery, { id: bookingId });
  return rows[0];
}

export async function lockBookingFee(ex: Executor, bookingId: number): Promise<BookingFeeRow | undefined> {
  const rows = await ex.select().from(bookingFees).where(eq(bookingFees.bookingId, bookingId)).for('update');
  return rows[0];
}

export async function updateBookingFee(ex: Executor, bookingId: number, values: Partial<typeof bookingFees.$inferInsert>): Promise<void> {
  await ex.update(bookingFees).set(values).where(eq(bookingFees.bookingId, bookingId));
}

// ── invoices ──

const invoicesOfBookingQuery = (ex: Executor) =>
  ex.select().from(invoiceRequests).where(eq(invoiceRequests.bookingId, sql.placeholder('id'))).orderBy(asc(invoiceRequests.id));

export async function invoicesOfBooking(ex: Executor, bookingId: number) {
  return runPrepared(ex, 'nqi_booking_invoices', invoicesOfBookingQuery, { id: bookingId });
}

export async function insertInvoiceRequest(ex: Executor, row: typeof invoiceRequests.$inferInsert): Promise<number> {
  const [created] = await ex.insert(invoiceRequests).values(row).returning({ id: invoiceRequests.id });
  return created!.id;
}

export async function issueInvoice(ex: Executor, bookingId: number, values: { invoiceNo: string; issuedBy: number }): Promise<boolean> {
  const rows = await ex
    .update(invoiceRequests)
    .set({ ...values, status: 'issued', issuedAt: sql`now()` })
    .where(and(eq(invoiceRequests.bookingId, bookingId), eq(invoiceRequests.status, 'requested')))
    .returning({ id: invoiceRequests.id });
  return rows.length > 0;
}
