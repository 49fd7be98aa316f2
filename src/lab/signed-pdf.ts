import type { Principal } from '../auth/access.js';
import type { BookingView } from '../bookings/bookings.repo.js';
import type { Tx } from '../db/client.js';
import { recordEvent } from '../events/record.js';
import { updateReport } from '../reports/reports.repo.js';
import { ValidationError } from '../shared/errors.js';
import * as attachmentsRepo from '../uploads/attachments.repo.js';
import { checkFile } from '../uploads/file-check.js';
import type { UploadedFile } from '../uploads/purposes.js';
import type { LabDeps } from './context.js';

export interface SignedPdf {
  file: UploadedFile;
  name: string;
}

/** The signed PDF of a report, if one was sent: one file, a PDF by content. */
export async function checkSignedPdf(files: UploadedFile[]): Promise<SignedPdf | undefined> {
  if (files.length > 1) throw new ValidationError({ reportPdf: '只能上传一个签章 PDF。' });
  const file = files[0];
  if (!file) return undefined;
  const checked = await checkFile(file);
  if (!checked.ok) throw new ValidationError({ reportPdf: checked.message });
  if (checked.mimeType !== 'application/pdf') throw new ValidationError({ reportPdf: '签章报告须为 PDF 文件。' });
  return { file, name: checked.safeName };
}

/** Stores the signed PDF and links it to the report, in the caller's transaction; returns the stored name. */
export async function attachSignedPdf(deps: Pick<LabDeps, 'storage'>, tx: Tx, user: Principal, booking: BookingView, reportId: number, pdf: SignedPdf): Promise<string> {
  const saved = await deps.storage.save(pdf.file.buffer);
  try {
    const [attachmentId] = await attachmentsRepo.insertAttachments(tx, [
      { bookingId: booking.id, enterpriseId: booking.enterpriseId, ownerUserId: user.id, draftToken: null, purpose: 'report_pdf', originalName: pdf.name, mimeType: 'application/pdf', ...saved },
    ]);
    await updateReport(tx, reportId, { pdfAttachmentId: attachmentId! });
    await recordEvent(tx, { actorUserId: user.id, entityType: 'booking', entityId: booking.id, action: 'report.pdf_uploaded', note: `${pdf.name}（SHA-256 ${saved.sha256}）`, data: { sha256: saved.sha256 } });
  } catch (err) {
    await deps.storage.remove([saved.storedName]);
    throw err;
  }
  return saved.storedName;
}

export async function removeStored(deps: Pick<LabDeps, 'storage'>, storedNames: string[]): Promise<void> {
  if (storedNames.length) await deps.storage.remove(storedNames);
}
