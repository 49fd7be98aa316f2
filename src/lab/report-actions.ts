import { hasReport } from '../bookings/lifecycle.js';
import { bookingHref } from '../bookings/bookings.view.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { notifyNodeStaff } from '../notifications/notifications.repo.js';
import { currentReport, updateReport } from '../reports/reports.repo.js';
import { isSignatoryOn } from '../signatories/signatories.repo.js';
import { ConflictError, ValidationError } from '../shared/errors.js';
import { shanghaiDate } from '../shared/time.js';
import * as attachmentsRepo from '../uploads/attachments.repo.js';
import type { LabDeps } from './context.js';
import { parseReason } from './lab.schemas.js';
import { REVISION_STEPS } from './revision-steps.js';
import { checkSignedPdf, removeStored, type SignedPdf } from './signed-pdf.js';
import type { StepInput } from './steps.js';

/** Report actions next to the lifecycle transitions on POST /lab/bookings/:no/:action. */
export const REPORT_ACTIONS = [
  'open_revision',
  'submit_revision',
  'verify_revision',
  'retract_revision',
  'issue_revision',
  'withdraw_revision',
  'revoke_report',
  'upload_report_pdf',
  'confirm_report_pdf',
  'discard_report_pdf',
] as const;
export type ReportAction = (typeof REPORT_ACTIONS)[number];

type Action = (deps: LabDeps, input: StepInput) => Promise<unknown>;

const revoke: Action = async (deps, { booking, user, body }) => {
  const reason = parseReason(body, '撤销原因');
  return inTransaction(deps.db, (tx) => deps.reports.revoke(tx, booking, user, reason));
};

/**
 * A signed (stamped) PDF of a report already issued: it is not part of the report until an authorised signatory other
 * than the uploader confirms it, and both steps are on the timeline with who and why.
 */
const uploadPdf: Action = async (deps, { booking, user, body, files }) => {
  // Both fields are checked before either refuses, so the form shows every problem at once.
  const [reason, pdf] = await Promise.allSettled([Promise.resolve().then(() => parseReason(body, '上传说明')), checkSignedPdf(files)]);
  const errors = {
    ...(reason.status === 'rejected' ? fieldErrorsOf(reason.reason) : {}),
    ...(pdf.status === 'rejected' ? fieldErrorsOf(pdf.reason) : pdf.value ? {} : { reportPdf: '请选择签章报告 PDF 文件。' }),
  };
  if (Object.keys(errors).length || reason.status === 'rejected' || pdf.status === 'rejected' || !pdf.value) throw new ValidationError(errors);
  return storePendingPdf(deps, { booking, user, reason: reason.value, pdf: pdf.value });
};

/** A refusal's field messages (anything that is not a ValidationError is not the user's to fix: rethrown). */
function fieldErrorsOf(err: unknown): Record<string, string> {
  if (err instanceof ValidationError) return err.fieldErrors;
  throw err;
}

async function storePendingPdf(deps: LabDeps, { booking, user, reason, pdf }: { booking: StepInput['booking']; user: StepInput['user']; reason: string; pdf: SignedPdf }) {
  const saved = await deps.storage.save(pdf.file.buffer);
  try {
    await inTransaction(deps.db, async (tx) => {
      const current = await currentReport(tx, booking.id);
      if (!current || current.status !== 'valid') throw new ConflictError('只能为有效的报告上传签章 PDF。');
      if (current.pdfAttachmentId) throw new ConflictError('该版本报告已有确认的签章 PDF；如需更换，请更正报告出具新版本。');
      if (current.pendingPdfAttachmentId) throw new ConflictError('该版本报告已有待确认的签章 PDF，请先确认或退回。');
      const [attachmentId] = await attachmentsRepo.insertAttachments(tx, [
        { bookingId: booking.id, enterpriseId: booking.enterpriseId, ownerUserId: user.id, draftToken: null, purpose: 'report_pdf', originalName: pdf.name, mimeType: 'application/pdf', ...saved },
      ]);
      await updateReport(tx, current.id, { pendingPdfAttachmentId: attachmentId!, pendingPdfBy: user.id, pendingPdfReason: reason });
      await recordEvent(tx, { actorUserId: user.id, entityType: 'booking', entityId: booking.id, action: 'report.pdf_uploaded', note: `${pdf.name}（SHA-256 ${saved.sha256}）：${reason}，待授权签字人确认`, data: { sha256: saved.sha256, version: current.version } });
      await notifyNodeStaff(tx, booking.nodeId, { bookingId: booking.id, title: `${booking.number} 签章 PDF 待确认`, body: `报告 ${current.number} 第 ${current.version} 版上传了签章 PDF，需由授权签字人（非上传人）确认。`, link: bookingHref(booking.number, 'staff') });
    });
  } catch (err) {
    await removeStored(deps, [saved.storedName]);
    throw err;
  }
};

const confirmPdf: Action = (deps, { booking, user }) =>
  inTransaction(deps.db, async (tx) => {
    const current = await currentReport(tx, booking.id);
    if (!current?.pendingPdfAttachmentId || current.status !== 'valid') throw new ConflictError('没有待确认的签章 PDF。');
    if (current.pendingPdfBy === user.id) throw new ConflictError('上传人不能确认自己上传的签章 PDF，请由另一名授权签字人确认。', 'four_eyes');
    const day = shanghaiDate(deps.clock.now());
    if (!(await isSignatoryOn(tx, { userId: user.id, nodeId: booking.nodeId, categoryCode: booking.categoryCode, day }))) {
      throw new ConflictError('只有本网点该类服务的授权签字人可以确认签章 PDF。', 'not_signatory');
    }
    await updateReport(tx, current.id, { pdfAttachmentId: current.pendingPdfAttachmentId, pendingPdfAttachmentId: null, pendingPdfBy: null, pendingPdfReason: null });
    await recordEvent(tx, { actorUserId: user.id, entityType: 'booking', entityId: booking.id, action: 'report.pdf_confirmed', note: `报告 ${current.number} 第 ${current.version} 版的签章 PDF 已确认（上传说明：${current.pendingPdfReason ?? ''}）`, data: { version: current.version } });
  });

const discardPdf: Action = async (deps, { booking, user, body }) => {
  const reason = parseReason(body, '退回原因');
  const removed = await inTransaction(deps.db, async (tx) => {
    const current = await currentReport(tx, booking.id);
    if (!current?.pendingPdfAttachmentId) throw new ConflictError('没有待确认的签章 PDF。');
    await updateReport(tx, current.id, { pendingPdfAttachmentId: null, pendingPdfBy: null, pendingPdfReason: null });
    const storedName = await attachmentsRepo.deleteAttachment(tx, current.pendingPdfAttachmentId);
    await recordEvent(tx, { actorUserId: user.id, entityType: 'booking', entityId: booking.id, action: 'report.pdf_discarded', note: reason, data: { version: current.version } });
    return storedName;
  });
  if (removed) await removeStored(deps, [removed]);
};

const ACTIONS: Record<ReportAction, Action> = {
  ...REVISION_STEPS,
  revoke_report: revoke,
  upload_report_pdf: uploadPdf,
  confirm_report_pdf: confirmPdf,
  discard_report_pdf: discardPdf,
};

export async function reportAction(deps: LabDeps, action: ReportAction, input: StepInput) {
  if (!hasReport(input.booking.status)) throw new ConflictError('预约尚未出具报告。');
  return ACTIONS[action](deps, input);
}
