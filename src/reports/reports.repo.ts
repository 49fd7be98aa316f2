import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../db/client.js';
import { runPrepared } from '../db/prepared.js';
import { attachments, reportRevisions, reports, results, users } from '../db/schema.js';

export type NewReport = typeof reports.$inferInsert;
export type ReportRow = typeof reports.$inferSelect;

export async function insertReport(ex: Executor, report: NewReport): Promise<ReportRow> {
  const [row] = await ex.insert(reports).values(report).returning();
  return row!;
}

const approver = alias(users, 'approver');

const reportsOfBookingQuery = (ex: Executor) =>
  ex
    .select({ report: reports, approverName: approver.name, pdf: { id: attachments.id, originalName: attachments.originalName, sha256: attachments.sha256, sizeBytes: attachments.sizeBytes } })
    .from(reports)
    .innerJoin(approver, eq(approver.id, reports.approverId))
    .leftJoin(attachments, eq(attachments.id, reports.pdfAttachmentId))
    .where(eq(reports.bookingId, sql.placeholder('bookingId')))
    .orderBy(desc(reports.version));

export async function reportsOfBooking(ex: Executor, bookingId: number) {
  return runPrepared(ex, 'nqi_booking_reports', reportsOfBookingQuery, { bookingId });
}

export async function findReportVersion(ex: Executor, bookingId: number, version: number) {
  const rows = await ex
    .select({ report: reports, pdf: { id: attachments.id, originalName: attachments.originalName, sha256: attachments.sha256, storedName: attachments.storedName, mimeType: attachments.mimeType } })
    .from(reports)
    .leftJoin(attachments, eq(attachments.id, reports.pdfAttachmentId))
    .where(and(eq(reports.bookingId, bookingId), eq(reports.version, version)));
  return rows[0];
}

export async function currentReport(ex: Executor, bookingId: number): Promise<ReportRow | undefined> {
  const rows = await ex
    .select()
    .from(reports)
    .where(eq(reports.bookingId, bookingId))
    .orderBy(desc(reports.version))
    .limit(1)
    .for('update');
  return rows[0];
}

export async function findByNumberAndCode(ex: Executor, number: string, code: string): Promise<ReportRow | undefined> {
  const rows = await ex
    .select()
    .from(reports)
    .where(and(eq(reports.number, number), eq(reports.verificationCode, code)));
  return rows[0];
}

/** The report version a certificate number belongs to (a calibration certificate carries its own number), by its code. */
export async function findByCertificateAndCode(ex: Executor, certificateNo: string, code: string): Promise<ReportRow | undefined> {
  const rows = await ex
    .select({ report: reports })
    .from(results)
    .innerJoin(reports, and(eq(reports.bookingId, results.bookingId), eq(reports.version, results.version)))
    .where(and(eq(results.certificateNo, certificateNo), eq(reports.verificationCode, code)))
    .orderBy(desc(reports.version))
    .limit(1);
  return rows[0]?.report;
}

export async function findByToken(ex: Executor, token: string): Promise<ReportRow | undefined> {
  const rows = await ex.select().from(reports).where(eq(reports.verifyToken, token));
  return rows[0];
}

export async function versionsOfNumber(ex: Executor, number: string) {
  return ex
    .select({ version: reports.version, status: reports.status, issuedAt: reports.issuedAt })
    .from(reports)
    .where(eq(reports.number, number))
    .orderBy(asc(reports.version));
}

export async function updateReport(ex: Executor, id: number, values: Partial<NewReport>): Promise<void> {
  await ex.update(reports).set(values).where(eq(reports.id, id));
}

/** The open revision of a booking's report, if any (read-only: the workbench shows it). */
export async function findOpenRevision(ex: Executor, bookingId: number) {
  const rows = await ex
    .select()
    .from(reportRevisions)
    .where(and(eq(reportRevisions.bookingId, bookingId), sql`${reportRevisions.status} IN ('entering', 'to_verify', 'verified')`));
  return rows[0];
}
