import { and, asc, eq } from 'drizzle-orm';
import type { Executor, Tx } from '../db/client.js';
import { bookingItems, bookings, instrumentCategories, reports, results, services } from '../db/schema.js';
import { recordEvent } from '../events/record.js';
import { shanghaiDate } from '../shared/time.js';
import * as repo from './ledger.repo.js';
import type { NewInstrument } from './ledger.repo.js';
import { COMPULSORY_USES, compulsoryUsesOf, nextDueOf, serialKey, type CompulsoryUse } from './rules.js';

/** Instrument lines of issued calibration reports (one report version, or — for the demo seed — every one): item, result, category, issue time. */
export async function certificateLines(ex: Executor, which?: { bookingId: number; version: number }) {
  return ex
    .select({
      bookingId: results.bookingId,
      bookingNumber: bookings.number,
      enterpriseId: bookings.enterpriseId,
      version: results.version,
      approverId: reports.approverId,
      item: bookingItems,
      conclusion: results.conclusion,
      certificateNo: results.certificateNo,
      nextDueDate: results.nextDueDate,
      category: instrumentCategories,
      issuedAt: reports.issuedAt,
    })
    .from(results)
    .innerJoin(bookingItems, eq(bookingItems.id, results.bookingItemId))
    .innerJoin(bookings, eq(bookings.id, results.bookingId))
    .innerJoin(services, eq(services.id, bookings.serviceId))
    .innerJoin(instrumentCategories, eq(instrumentCategories.code, services.instrumentCategoryCode))
    .innerJoin(reports, and(eq(reports.bookingId, results.bookingId), eq(reports.version, results.version)))
    .where(which ? and(eq(results.bookingId, which.bookingId), eq(results.version, which.version)) : eq(bookings.kind, 'calibration'))
    .orderBy(asc(reports.issuedAt), asc(results.id));
}

type Line = Awaited<ReturnType<typeof certificateLines>>[number];

/**
 * What a certificate line sets on an entry: date, number, conclusion, due date, the link to the report. A 校准证书
 * without a recalibration date (the customer asked for none) leaves the due date to the entry's period, or the category's.
 */
export function certificateFields(line: Line, ownPeriodMonths: number | null = null) {
  const lastCalibrationDate = shanghaiDate(line.issuedAt);
  const due =
    line.nextDueDate || line.conclusion === 'fail'
      ? { nextDueDate: line.nextDueDate, dueSource: line.nextDueDate ? ('certificate' as const) : null }
      : nextDueOf({ regime: 'periodic', periodMonths: ownPeriodMonths ?? line.category.periodMonths, lastCalibrationDate, nextDueDate: null });
  return {
    lastCalibrationDate,
    certificateNo: line.certificateNo,
    conclusion: line.conclusion,
    ...due,
    reportBookingId: line.bookingId,
    reportVersion: line.version,
  };
}

/** A new entry for an instrument first seen on a certificate. */
export function entryFromLine(line: Line, actorUserId: number | null): NewInstrument {
  return {
    enterpriseId: line.enterpriseId,
    categoryCode: line.category.code,
    name: line.item.instrumentName ?? line.category.name,
    model: line.item.model ?? '',
    serialNo: line.item.serialNo!,
    serialKey: serialKey(line.item.serialNo!),
    measuringRange: line.item.measuringRange ?? '',
    accuracyClass: line.item.accuracyClass ?? '',
    // a category outside the 强检 catalogue is never 强检, whatever the booking line said
    compulsory: Boolean(line.item.compulsory) && compulsoryUsesOf(line.category).length > 0,
    compulsoryUse: useOf(line),
    status: 'in_use',
    ...certificateFields(line),
    createdBy: actorUserId,
    updatedBy: actorUserId,
  };
}

/** The booking line's 用途 as one of the four 强检 uses when it names one the category allows. */
function useOf(line: Line): CompulsoryUse | null {
  const uses = compulsoryUsesOf(line.category);
  if (!line.item.compulsory || uses.length === 0) return null;
  const named = (Object.keys(COMPULSORY_USES) as CompulsoryUse[]).find((u) => (line.item.intendedUse ?? '').includes(COMPULSORY_USES[u]));
  if (named && uses.includes(named)) return named;
  return uses.length === 1 ? uses[0]! : null;
}

/**
 * Closes the loop when a calibration certificate is issued (version 1) or revised (version n): in the issuing
 * transaction, each instrument line updates the company's ledger entry of the same category and serial number — or
 * creates it — with the date, certificate number, conclusion and next due date, linked to the report. An entry that
 * already holds a later certificate from another booking is left alone. Returns how many entries were written.
 */
export async function syncLedgerFromCertificate(tx: Tx, booking: { id: number; enterpriseId: number; kind: string; number: string }, reportVersion: number, actorUserId: number | null): Promise<number> {
  if (booking.kind !== 'calibration') return 0;
  const lines = await certificateLines(tx, { bookingId: booking.id, version: reportVersion });
  if (lines.length === 0) return 0;
  // One entry per serial: a later line of the same serial wins.
  const byKey = new Map(lines.filter((l) => l.item.serialNo).map((l) => [serialKey(l.item.serialNo!), l]));
  const existing = await repo.entriesByKeys(tx, booking.enterpriseId, [...byKey.keys()].map((k) => ({ categoryCode: lines[0]!.category.code, serialKey: k })));
  let written = 0;
  for (const [key, line] of byKey) {
    const entry = existing.find((e) => e.categoryCode === line.category.code && e.serialKey === key);
    const certificate = certificateFields(line, entry?.periodMonths ?? null);
    const note = `${booking.number} 证书 ${line.certificateNo ?? ''}（第 ${reportVersion} 版）`;
    if (entry) {
      if (entry.reportBookingId !== booking.id && entry.lastCalibrationDate && entry.lastCalibrationDate > certificate.lastCalibrationDate) continue;
      const before = Object.fromEntries(Object.keys(certificate).map((k) => [k, entry[k as keyof typeof entry] ?? null]));
      await repo.updateInstrument(tx, entry.id, { ...certificate, updatedBy: actorUserId });
      await recordEvent(tx, { actorUserId, entityType: 'instrument', entityId: entry.id, action: 'instrument.certificate', note, data: { before, after: certificate, booking: booking.number } });
    } else {
      const row = await repo.insertInstrument(tx, entryFromLine(line, actorUserId));
      await recordEvent(tx, { actorUserId, entityType: 'instrument', entityId: row.id, action: 'instrument.created', note: `按证书自动登记：${note}`, data: { after: certificate, booking: booking.number } });
    }
    written++;
  }
  return written;
}
