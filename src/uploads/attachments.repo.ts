import { and, asc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { runPrepared } from '../db/prepared.js';
import { attachments, users } from '../db/schema.js';
import type { AttachmentPurpose } from './purposes.js';

export interface NewAttachment {
  bookingId: number | null;
  needId?: number | null;
  needMessageId?: number | null;
  enterpriseId: number | null;
  ownerUserId: number;
  draftToken: string | null;
  purpose: AttachmentPurpose;
  originalName: string;
  storedName: string;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
}

export async function insertAttachments(ex: Executor, rows: NewAttachment[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const inserted = await ex.insert(attachments).values(rows).returning({ id: attachments.id });
  return inserted.map((r) => r.id);
}

const attachmentsOfBookingQuery = (ex: Executor) =>
  ex
    .select({
      id: attachments.id,
      purpose: attachments.purpose,
      originalName: attachments.originalName,
      mimeType: attachments.mimeType,
      sizeBytes: attachments.sizeBytes,
      sha256: attachments.sha256,
      createdAt: attachments.createdAt,
      ownerName: users.name,
      ownerRole: users.role,
    })
    .from(attachments)
    .innerJoin(users, eq(users.id, attachments.ownerUserId))
    // Signed report PDFs are reached through their report (and only once confirmed), never as a booking document.
    .where(and(eq(attachments.bookingId, sql.placeholder('bookingId')), sql`${attachments.purpose} <> 'report_pdf'`))
    .orderBy(asc(attachments.id));

export async function attachmentsOfBooking(ex: Executor, bookingId: number) {
  return runPrepared(ex, 'nqi_booking_attachments', attachmentsOfBookingQuery, { bookingId });
}

export async function findBookingAttachment(ex: Executor, bookingId: number, id: number) {
  const rows = await ex
    .select()
    .from(attachments)
    .where(and(eq(attachments.id, id), eq(attachments.bookingId, bookingId), sql`${attachments.purpose} <> 'report_pdf'`));
  return rows[0];
}

/** Draft files of a booking form under review: owned by the user, keyed by the form's idempotency key. */
const draftsQuery = (ex: Executor) =>
  ex
    .select({ id: attachments.id, purpose: attachments.purpose, originalName: attachments.originalName, sizeBytes: attachments.sizeBytes, storedName: attachments.storedName })
    .from(attachments)
    .where(and(eq(attachments.ownerUserId, sql.placeholder('owner')), eq(attachments.draftToken, sql.placeholder('token')), isNull(attachments.bookingId)))
    .orderBy(asc(attachments.id));

export async function draftsOf(ex: Executor, ownerUserId: number, token: string) {
  return runPrepared(ex, 'nqi_form_drafts', draftsQuery, { owner: ownerUserId, token });
}

export async function linkDrafts(ex: Executor, ownerUserId: number, token: string, bookingId: number): Promise<void> {
  await ex
    .update(attachments)
    .set({ bookingId, draftToken: null })
    .where(and(eq(attachments.ownerUserId, ownerUserId), eq(attachments.draftToken, token), isNull(attachments.bookingId)));
}

export async function deleteDrafts(ex: Executor, ownerUserId: number, token: string, ids: number[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await ex
    .delete(attachments)
    .where(
      and(
        eq(attachments.ownerUserId, ownerUserId),
        eq(attachments.draftToken, token),
        isNull(attachments.bookingId),
        inArray(attachments.id, ids),
      ),
    )
    .returning({ storedName: attachments.storedName });
  return rows.map((r) => r.storedName);
}

/** Drafts of abandoned forms older than `minutes`: removed with their files by the sweeper. */
export async function deleteStaleDrafts(ex: Executor, minutes: number): Promise<string[]> {
  const rows = await ex
    .delete(attachments)
    .where(and(isNull(attachments.bookingId), isNull(attachments.needId), lt(attachments.createdAt, sql`now() - make_interval(mins => ${minutes})`)))
    .returning({ storedName: attachments.storedName });
  return rows.map((r) => r.storedName);
}

/** Draft files and bytes held by a user, by the user's company, and on the whole platform — one statement. */
export async function draftUsage(ex: Executor, owner: { userId: number; enterpriseId: number | null }) {
  const mine = sql`${attachments.ownerUserId} = ${owner.userId}`;
  const ours = owner.enterpriseId === null ? sql`false` : sql`${attachments.enterpriseId} = ${owner.enterpriseId}`;
  const [row] = await ex
    .select({
      userFiles: sql<number>`count(*) FILTER (WHERE ${mine})::int`,
      userBytes: sql<number>`coalesce(sum(${attachments.sizeBytes}) FILTER (WHERE ${mine}), 0)::float8`,
      companyFiles: sql<number>`count(*) FILTER (WHERE ${ours})::int`,
      companyBytes: sql<number>`coalesce(sum(${attachments.sizeBytes}) FILTER (WHERE ${ours}), 0)::float8`,
      globalFiles: sql<number>`count(*)::int`,
      globalBytes: sql<number>`coalesce(sum(${attachments.sizeBytes}), 0)::float8`,
    })
    .from(attachments)
    .where(and(isNull(attachments.bookingId), isNull(attachments.needId)));
  const n = (v: unknown) => Number(v ?? 0);
  return {
    user: { files: n(row?.userFiles), bytes: n(row?.userBytes) },
    company: { files: n(row?.companyFiles), bytes: n(row?.companyBytes) },
    global: { files: n(row?.globalFiles), bytes: n(row?.globalBytes) },
  };
}

/** Removes one attachment row (a signed PDF refused before it became part of a report); returns its stored name. */
export async function deleteAttachment(ex: Executor, id: number): Promise<string | undefined> {
  const rows = await ex.delete(attachments).where(eq(attachments.id, id)).returning({ storedName: attachments.storedName });
  return rows[0]?.storedName;
}

/** A quality need's documents (submitted with it and from its thread), oldest first. */
export async function attachmentsOfNeed(ex: Executor, needId: number) {
  return ex
    .select({ id: attachments.id, messageId: attachments.needMessageId, originalName: attachments.originalName, mimeType: attachments.mimeType, sizeBytes: attachments.sizeBytes, createdAt: attachments.createdAt, ownerName: users.name })
    .from(attachments)
    .innerJoin(users, eq(users.id, attachments.ownerUserId))
    .where(eq(attachments.needId, needId))
    .orderBy(asc(attachments.id));
}

export async function findNeedAttachment(ex: Executor, needId: number, id: number) {
  const rows = await ex.select().from(attachments).where(and(eq(attachments.id, id), eq(attachments.needId, needId)));
  return rows[0];
}
