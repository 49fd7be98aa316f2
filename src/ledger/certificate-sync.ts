import { and, eq } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { bookingItems, bookings, instrumentCategories, reports, results, services } from '../db/schema.js';
import { recordEvent } from '../events/record.js';
import { shanghaiDate } from '../shared/time.js';
import * as repo from './ledger.repo.js';
import { COMPULSORY_USES, compulsoryUsesOf, serialKey, type CompulsoryUse } from './rules.js';

/** The instrument lines of one report version: item, result, the service's category and the report's issue time. */
async function certificateLines(tx: Tx, bookingId: number, version: number) {
  return tx
    .select({
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
    .where(and(eq(results.bookingId, bookingId), eq(results.version, version)));
}

type Line = Awaited<ReturnType<typeof certificateLines>>[number];

/** The booking line's 用途 as one of the four 强检 uses when it names one the category allows. */
function useOf(line: Line): CompulsoryUse | null {
  if (!line.item.compulsory) return null;
  const uses = compulsoryUsesOf(line.category);
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
  const lines = await certificateLines(tx, booking.id, reportVersion);
  if (lines.length === 0) return 0;
  // One entry per serial: a later line of the same serial wins.
  const byKey = new Map(lines.filter((l) => l.item.serialNo).map((l) => [serialKey(l.item.serialNo!), l]));
  const existing = await repo.entriesByKeys(tx, booking.enterpriseId, [...byKey.keys()].map((k) => ({ categoryCode: lines[0]!.category.code, serialKey: k })));
  let written = 0;
  for (const [key, line] of byKey) {
    const issuedOn = shanghaiDate(line.issuedAt);
    const certificate = {
      lastCalibrationDate: issuedOn,
      certificateNo: line.certificateNo,
      conclusion: line.conclusion,
      nextDueDate: line.nextDueDate,
      dueSource: line.nextDueDate ? 'certificate' : null,
      reportBookingId: booking.id,
      reportVersion,
    };
    const entry = existing.find((e) => e.categoryCode === line.category.code && e.serialKey === key);
    const note = `${booking.number} 证书 ${line.certificateNo ?? ''}（第 ${reportVersion} 版）`;
    if (entry) {
      if (entry.reportBookingId !== booking.id && entry.lastCalibrationDate && entry.lastCalibrationDate > issuedOn) continue;
      const before = Object.fromEntries(Object.keys(certificate).map((k) => [k, entry[k as keyof typeof entry] ?? null]));
      await repo.updateInstrument(tx, entry.id, { ...certificate, updatedBy: actorUserId });
      await recordEvent(tx, { actorUserId, entityType: 'instrument', entityId: entry.id, action: 'instrument.certificate', note, data: { before, after: certificate, booking: booking.number } });
    } else {
      const compulsoryUse = useOf(line);
      const row = await repo.insertInstrument(tx, {
        enterpriseId: booking.enterpriseId,
        categoryCode: line.category.code,
        name: line.item.instrumentName ?? line.category.name,
        model: line.item.model ?? '',
        serialNo: line.item.serialNo!,
        serialKey: key,
        measuringRange: line.item.measuringRange ?? '',
        accuracyClass: line.item.accuracyClass ?? '',
        compulsory: Boolean(line.item.compulsory),
        compulsoryUse,
        status: 'in_use',
        ...certificate,
        createdBy: actorUserId,
        updatedBy: actorUserId,
      });
      await recordEvent(tx, { actorUserId, entityType: 'instrument', entityId: row.id, action: 'instrument.created', note: `按证书自动登记：${note}`, data: { after: certificate, booking: booking.number } });
    }
    written++;
  }
  return written;
}
