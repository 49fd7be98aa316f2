import * as bookingsRepo from '../bookings/bookings.repo.js';
import { hasReport } from '../bookings/lifecycle.js';
import { inTransaction } from '../db/tx.js';
import { currentReport } from '../reports/reports.repo.js';
import { ConflictError, ValidationError } from '../shared/errors.js';
import { todayOf, type LabDeps } from './context.js';
import * as repo from './lab.repo.js';
import { parseReason } from './lab.schemas.js';
import { parseResultsOf } from './samples.js';
import { attachSignedPdf, checkSignedPdf, removeStored } from './signed-pdf.js';
import type { StepInput } from './steps.js';

/** Report actions next to the lifecycle transitions on POST /lab/bookings/:no/:action. */
export const REPORT_ACTIONS = ['revise_report', 'revoke_report', 'upload_report_pdf'] as const;
export type ReportAction = (typeof REPORT_ACTIONS)[number];

async function revoke(deps: LabDeps, { booking, user, body }: StepInput) {
  const reason = parseReason(body, '撤销原因');
  return inTransaction(deps.db, (tx) => deps.reports.revoke(tx, booking, user, reason));
}

async function uploadPdf(deps: LabDeps, { booking, user, files }: StepInput) {
  const pdf = await checkSignedPdf(files);
  if (!pdf) throw new ValidationError({ reportPdf: '请选择签章报告 PDF 文件。' });
  const stored: string[] = [];
  try {
    return await inTransaction(deps.db, async (tx) => {
      const current = await currentReport(tx, booking.id);
      if (!current || current.status !== 'valid') throw new ConflictError('只能为有效的报告上传签章 PDF。');
      if (current.pdfAttachmentId) throw new ConflictError('该版本报告已上传签章 PDF；如需更换，请更正报告出具新版本。');
      stored.push(await attachSignedPdf(deps, tx, user, booking, current.id, pdf));
    });
  } catch (err) {
    await removeStored(deps, stored);
    throw err;
  }
}

/** A correction: new results and a reason → a new version. */
async function revise(deps: LabDeps, { booking, user, body }: StepInput) {
  const reason = parseReason(body, '更正原因');
  const items = await bookingsRepo.itemsOf(deps.db, booking.id);
  const parsed = await parseResultsOf(deps.db, booking, items, body, todayOf(deps));
  const names = await deps.reference.oilItemNames();
  return inTransaction(deps.db, async (tx) => {
    await repo.replaceResults(tx, booking.id, parsed.rows);
    await bookingsRepo.updateBooking(tx, booking.id, { conclusion: parsed.conclusion, conclusionRemark: parsed.remark || null });
    await deps.reports.revise(tx, booking, user, reason, names);
  });
}

const ACTIONS: Record<ReportAction, (deps: LabDeps, input: StepInput) => Promise<unknown>> = {
  revise_report: revise,
  revoke_report: revoke,
  upload_report_pdf: uploadPdf,
};

export async function reportAction(deps: LabDeps, action: ReportAction, input: StepInput) {
  if (!hasReport(input.booking.status)) throw new ConflictError('预约尚未出具报告。');
  return ACTIONS[action](deps, input);
}
