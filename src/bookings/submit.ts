import { randomBytes } from 'node:crypto';
import { assertCan, type Principal, type PrincipalFor } from '../auth/access.js';
import { pgConstraint, pgErrorCode, UNIQUE_VIOLATION } from '../db/client.js';
import { ConflictError, IdempotencyKeyReusedError, ValidationError } from '../shared/errors.js';
import { inTransaction } from '../db/tx.js';
import { findEnterpriseById } from '../enterprises/enterprises.repo.js';
import * as attachmentsRepo from '../uploads/attachments.repo.js';
import type { UploadedFile } from '../uploads/purposes.js';
import * as repo from './bookings.repo.js';
import type { BookingsDeps } from './context.js';
import { insertPreparedBooking, WindowTakenMeanwhile } from './create.js';
import { checkFiles, keepAsDrafts, keepDrafts, refusedWithFiles, storeFiles, withStoredFiles } from './files.js';
import { prepareBooking, refuseFull, refuseKnownFull, windowOfForm, type PreparedBooking } from './prepare.js';

/** The key a booking form carries so that submitting it twice makes one booking. */
export function newIdempotencyKey(): string {
  return randomBytes(16).toString('base64url');
}

/** Runs a step of the form; when it is refused, the files it carried stay as drafts of the form (never lost). */
async function keepingFiles<T>(deps: BookingsDeps, user: Principal, body: Record<string, unknown>, files: UploadedFile[], step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if ((err instanceof ValidationError || err instanceof ConflictError) && user.role === 'enterprise') {
      return refusedWithFiles(err, () => keepAsDrafts(deps, { userId: user.id, enterpriseId: user.enterpriseId }, body.idempotencyKey, files));
    }
    throw err;
  }
}

/** Back to the form for editing: files chosen meanwhile are kept as drafts too. */
export async function editBooking(deps: BookingsDeps, user: Principal, body: Record<string, unknown>, files: UploadedFile[]): Promise<void> {
  assertCan(user, 'booking.create');
  await keepAsDrafts(deps, { userId: user.id, enterpriseId: user.enterpriseId }, body.idempotencyKey, files);
}

/** Review step: validate everything, keep the files as drafts of this form, show what will be submitted. */
export function reviewBooking(deps: BookingsDeps, user: Principal, body: Record<string, unknown>, files: UploadedFile[]) {
  return keepingFiles(deps, user, body, files, () => reviewPrepared(deps, user, body, files));
}

async function reviewPrepared(deps: BookingsDeps, user: Principal, body: Record<string, unknown>, files: UploadedFile[]) {
  const prepared = await prepareBooking(deps, user, body);
  const drafts = await attachmentsRepo.draftsOf(deps.db, user.id, prepared.idempotencyKey);
  const checked = await checkFiles(files, drafts.length);
  await keepDrafts(deps, { userId: user.id, enterpriseId: user.enterpriseId }, prepared.idempotencyKey, checked);
  return { prepared, drafts: await attachmentsRepo.draftsOf(deps.db, user.id, prepared.idempotencyKey) };
}

/** How a booking arrives: the web form (online), or the open API with the fingerprint of its request. */
export interface SubmitChannel {
  channel: 'online' | 'api';
  /** API: SHA-256 of method, path and canonical body; the same key with another fingerprint is refused. */
  requestFingerprint?: string;
}

/** The booking a key already made — or, when the API request behind the key was a different one, a refusal. */
function replayOf(existing: { number: string; requestFingerprint: string | null } | undefined, via: SubmitChannel): { number: string; duplicate: true } | undefined {
  if (!existing) return undefined;
  if (via.requestFingerprint && existing.requestFingerprint && existing.requestFingerprint !== via.requestFingerprint) throw new IdempotencyKeyReusedError();
  return { number: existing.number, duplicate: true };
}

/**
 * Submits a booking: capacity, number, booking, items, attachments, first event and the node's notification in one
 * transaction. The same form submitted twice (double click, back button) returns the first booking.
 */
export function submitBooking(deps: BookingsDeps, user: Principal, body: Record<string, unknown>, files: UploadedFile[], via: SubmitChannel = { channel: 'online' }): Promise<{ number: string; duplicate: boolean }> {
  return keepingFiles(deps, user, body, files, () => submitChecked(deps, user, body, files, via));
}

async function submitChecked(deps: BookingsDeps, user: Principal, body: Record<string, unknown>, files: UploadedFile[], via: SubmitChannel): Promise<{ number: string; duplicate: boolean }> {
  assertCan(user, 'booking.create');
  // In line with the other submissions for the same window in this process (see WindowGate); a form without a
  // well-formed window is refused by its checks and needs no place in line.
  const slot = windowOfForm(body);
  const submit = () => submitInLine(deps, user, body, files, via);
  return slot && deps.windowGate ? deps.windowGate.run(`${slot.service}|${slot.nodeId}|${slot.date}|${slot.window}`, submit) : submit();
}

async function submitInLine(deps: BookingsDeps, user: PrincipalFor<'booking.create'>, body: Record<string, unknown>, files: UploadedFile[], via: SubmitChannel): Promise<{ number: string; duplicate: boolean }> {
  const key = typeof body.idempotencyKey === 'string' ? body.idempotencyKey : '';
  const earlier = async () => (key ? replayOf(await repo.findByIdempotencyKey(deps.db, user.enterpriseId, key), via) : undefined);
  // A window already full is refused by one read, which also finds this form's booking if it made one (sent twice).
  const made = await refuseKnownFull(deps, body, { enterpriseId: user.enterpriseId, key });
  const replay = made && replayOf(made, via);
  if (replay) return replay;
  try {
    return (await earlier()) ?? (await submitNew(deps, user, body, files, via));
  } catch (err) {
    // Refused as full, at whichever check: if this very form took the window's last place meanwhile (sent twice — a
    // double click, the back button), it gets its booking, not "full".
    const first = err instanceof ConflictError && err.code === 'window_full' ? await earlier() : undefined;
    if (first) return first;
    throw err;
  }
}

async function submitNew(deps: BookingsDeps, user: PrincipalFor<'booking.create'>, body: Record<string, unknown>, files: UploadedFile[], via: SubmitChannel): Promise<{ number: string; duplicate: boolean }> {
  const { db, clock } = deps;
  const enterpriseId = user.enterpriseId;
  const p = await prepareBooking(deps, user, body);
  const drafts = await attachmentsRepo.draftsOf(db, user.id, p.idempotencyKey);
  const checked = await checkFiles(files, drafts.length);
  const company = await findEnterpriseById(db, enterpriseId);
  const newFiles = await storeFiles(deps, checked, { userId: user.id, enterpriseId }, { bookingId: null, draftToken: null });
  try {
    const { number } = await withStoredFiles(deps, newFiles, () =>
      inTransaction(db, (tx) =>
        insertPreparedBooking(tx, clock, p, { enterpriseId, parkId: company?.parkId ?? null, createdBy: user.id, channel: via.channel, ...(via.requestFingerprint ? { requestFingerprint: via.requestFingerprint } : {}) }, { drafts: { ownerUserId: user.id, key: p.idempotencyKey, count: drafts.length }, attachments: newFiles }),
      ),
    );
    return { number, duplicate: false };
  } catch (err) {
    return refusedSubmit(deps, err, p, enterpriseId, via);
  }
}

/** After a failed submit: a window filled meanwhile becomes a message with the next free windows; a raced double submit gets the first booking. */
export async function refusedSubmit(deps: BookingsDeps, err: unknown, p: PreparedBooking, enterpriseId: number, via: SubmitChannel = { channel: 'online' }): Promise<{ number: string; duplicate: true }> {
  // Read after the rollback — never through `db` inside a transaction, which would wait for a second connection while holding one.
  if (err instanceof WindowTakenMeanwhile) {
    // The same form sent twice at once when the window had room for one: the first took it; this one gets its booking.
    const first = replayOf(await repo.findByIdempotencyKey(deps.db, enterpriseId, p.idempotencyKey), via);
    if (first) return first;
    // What is left now, read fresh: the message says how many places remain, and the form shows the window so.
    const current = await deps.availability.check(p.ref, p.date, p.window);
    await refuseFull(deps, p.ref, { free: current?.free ?? 0, date: p.date, key: p.window }, p.units);
  }
  // The same form raced itself (double click): the unique key decides, the second request gets the first booking.
  if (pgErrorCode(err) === UNIQUE_VIOLATION && (pgConstraint(err) ?? '').includes('idempotency')) {
    const first = replayOf(await repo.findByIdempotencyKey(deps.db, enterpriseId, p.idempotencyKey), via);
    if (first) return first;
  }
  throw err;
}
