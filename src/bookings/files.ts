import type { Principal } from '../auth/access.js';
import { inTransaction } from '../db/tx.js';
import { ValidationError } from '../shared/errors.js';
import * as attachmentsRepo from '../uploads/attachments.repo.js';
import { checkFile, MAX_FILES } from '../uploads/file-check.js';
import { assertDraftQuota, DRAFT_MAX_AGE_MINUTES, lockDraftSpace, type DraftOwner } from '../uploads/quota.js';
import type { UploadedFile } from '../uploads/purposes.js';
import type { BookingsDeps } from './context.js';

/** A file whose content was checked, not yet on disk. */
export interface CheckedFile {
  purpose: UploadedFile['purpose'];
  buffer: Buffer;
  safeName: string;
  mimeType: string;
}

export const DRAFT_KEY_RE = /^[A-Za-z0-9_-]{16,64}$/;

/** Checks every file by content (and the count with those already attached); the first refusal is the field message. */
export async function checkFiles(files: UploadedFile[], alreadyAttached: number): Promise<CheckedFile[]> {
  if (files.length + alreadyAttached > MAX_FILES) {
    throw new ValidationError({ attachments: `一次最多上传 ${MAX_FILES} 个文件（已上传 ${alreadyAttached} 个）。` });
  }
  const checked: CheckedFile[] = [];
  for (const f of files) {
    const result = await checkFile(f);
    if (!result.ok) throw new ValidationError({ attachments: result.message });
    checked.push({ purpose: f.purpose, buffer: f.buffer, safeName: result.safeName, mimeType: result.mimeType });
  }
  return checked;
}

/** Writes checked files to disk; returns rows to insert. The caller removes the files if its transaction fails. */
export async function storeFiles(
  deps: Pick<BookingsDeps, 'storage'>,
  files: CheckedFile[],
  owner: { userId: number; enterpriseId: number | null },
  target: Pick<attachmentsRepo.NewAttachment, 'bookingId' | 'draftToken' | 'needId'>,
): Promise<attachmentsRepo.NewAttachment[]> {
  const rows: attachmentsRepo.NewAttachment[] = [];
  try {
    for (const f of files) {
      const saved = await deps.storage.save(f.buffer);
      rows.push({ ...target, enterpriseId: owner.enterpriseId, ownerUserId: owner.userId, purpose: f.purpose, originalName: f.safeName, mimeType: f.mimeType, ...saved });
    }
  } catch (err) {
    await deps.storage.remove(rows.map((r) => r.storedName));
    throw err;
  }
  return rows;
}

/** Runs `work` with the stored rows; the files are removed again if it fails. */
export async function withStoredFiles<T>(deps: Pick<BookingsDeps, 'storage'>, rows: attachmentsRepo.NewAttachment[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    await deps.storage.remove(rows.map((r) => r.storedName));
    throw err;
  }
}

/**
 * Keeps checked files as drafts of one booking form (the review step), within the draft quota: checked before anything
 * is written, and again under the company's lock in the transaction that records them (parallel review steps).
 */
export async function keepDrafts(deps: Pick<BookingsDeps, 'db' | 'storage' | 'draftQuota'>, owner: DraftOwner, key: string, files: CheckedFile[]): Promise<void> {
  if (files.length === 0) return;
  const incoming = { files: files.length, bytes: files.reduce((n, f) => n + f.buffer.length, 0) };
  await assertDraftQuota(deps.db, deps.draftQuota, owner, incoming);
  const rows = await storeFiles(deps, files, owner, { bookingId: null, draftToken: key });
  await withStoredFiles(deps, rows, () =>
    inTransaction(deps.db, async (tx) => {
      await lockDraftSpace(tx, owner);
      await assertDraftQuota(tx, deps.draftQuota, owner, incoming);
      await attachmentsRepo.insertAttachments(tx, rows);
    }),
  );
}

/** The draft files of a booking form (kept across the review step and refused submits). */
export function draftsOf(deps: Pick<BookingsDeps, 'db'>, user: Principal, key: unknown) {
  return typeof key === 'string' && DRAFT_KEY_RE.test(key) ? attachmentsRepo.draftsOf(deps.db, user.id, key) : Promise.resolve([]);
}

/**
 * A form refused (or sent back for editing) keeps the files it carried: each one that passes the content check is
 * stored as a draft of this form (when they fit the limit with the drafts already there) and shown again on the form, where
 * it can be removed. A file that fails the check is the refusal's message, as before.
 */
export async function keepAsDrafts(deps: Pick<BookingsDeps, 'db' | 'storage' | 'draftQuota'>, owner: DraftOwner, key: unknown, files: UploadedFile[]): Promise<string | undefined> {
  if (files.length === 0 || typeof key !== 'string' || !DRAFT_KEY_RE.test(key)) return undefined;
  // More files than the form takes: the user chooses which, none is kept on their behalf.
  const attached = (await attachmentsRepo.draftsOf(deps.db, owner.userId, key)).length;
  if (files.length > MAX_FILES - attached) return `一次最多上传 ${MAX_FILES} 个文件（已上传 ${attached} 个），本次选择的文件均未保存，请重新选择。`;
  const kept: CheckedFile[] = [];
  let refused: string | undefined;
  for (const f of files) {
    const result = await checkFile(f);
    if (result.ok) kept.push({ purpose: f.purpose, buffer: f.buffer, safeName: result.safeName, mimeType: result.mimeType });
    else refused ??= result.message;
  }
  try {
    await keepDrafts(deps, owner, key, kept);
  } catch (err) {
    // Over the draft quota: not kept — the form's own refusal is what the user reads.
    if (!(err instanceof ValidationError)) throw err;
  }
  return refused;
}

/**
 * A form refused for its fields keeps the files that pass the check as drafts; a file refused meanwhile (a program
 * renamed .pdf) is named next to the files too, so it is not dropped silently while the user fixes another field.
 */
export async function refusedWithFiles(err: unknown, keep: () => Promise<string | undefined>): Promise<never> {
  const fileRefusal = await keep();
  if (fileRefusal && err instanceof ValidationError && !err.fieldErrors.attachments) throw new ValidationError({ ...err.fieldErrors, attachments: fileRefusal }, err.message);
  throw err;
}

/** Back from review to the form: forget the drafts the user unticked. */
export async function removeDrafts(deps: Pick<BookingsDeps, 'db' | 'storage'>, user: Principal, key: string, ids: number[]): Promise<void> {
  const removed = await attachmentsRepo.deleteDrafts(deps.db, user.id, key, ids);
  await deps.storage.remove(removed);
}

/** Removes draft files of abandoned forms (older than DRAFT_MAX_AGE_MINUTES; run every DRAFT_SWEEP_EVERY_MS). */
export async function sweepStaleDrafts(deps: Pick<BookingsDeps, 'db' | 'storage'>): Promise<number> {
  const removed = await attachmentsRepo.deleteStaleDrafts(deps.db, DRAFT_MAX_AGE_MINUTES);
  await deps.storage.remove(removed);
  return removed.length;
}
