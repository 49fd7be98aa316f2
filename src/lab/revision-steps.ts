import * as bookingsRepo from '../bookings/bookings.repo.js';
import { hasReport } from '../bookings/lifecycle.js';
import { pgErrorCode, UNIQUE_VIOLATION } from '../db/client.js';
import { reportRevisions } from '../db/schema.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { notifyNodeStaff } from '../notifications/notifications.repo.js';
import { currentReport } from '../reports/reports.repo.js';
import { applyRevisionTransition, lockOpenRevision, type RevisionAction } from '../reports/revision-lifecycle.js';
import { assertMayVerify } from '../reports/signing.js';
import { ConflictError } from '../shared/errors.js';
import { bookingHref } from '../bookings/bookings.view.js';
import { todayOf, type LabDeps } from './context.js';
import { syncLedgerFromCertificate } from '../ledger/certificate-sync.js';
import * as repo from './lab.repo.js';
import { parseReason } from './lab.schemas.js';
import { parseResultsOf } from './samples.js';
import { attachSignedPdf, checkSignedPdf, removeStored } from './signed-pdf.js';
import type { StepInput } from './steps.js';

/*
 * Correcting an issued report. A revision is opened with a reason; its new results go through the same path as the
 * first issue — entered, verified by someone else, approved by an authorised signatory who is neither — and only
 * then is version n+1 issued and version n marked 已替换. Until then version n stays the valid report.
 */

type RevisionStep = (deps: LabDeps, input: StepInput) => Promise<unknown>;

/** Opens a revision of the valid report (one at a time per booking). */
export const openRevision: RevisionStep = async (deps, { booking, user, body }) => {
  const reason = parseReason(body, '更正原因');
  if (!hasReport(booking.status)) throw new ConflictError('预约尚未出具报告。');
  try {
    return await inTransaction(deps.db, async (tx) => {
      const current = await currentReport(tx, booking.id);
      if (!current || current.status !== 'valid') throw new ConflictError('只有有效的报告可以更正。');
      await tx.insert(reportRevisions).values({ bookingId: booking.id, reportNumber: current.number, version: current.version + 1, reason, openedBy: user.id });
      // The working copy starts from the results in force; the tester changes what needs correcting.
      await repo.copyResults(tx, booking.id, current.version, current.version + 1);
      await recordEvent(tx, { actorUserId: user.id, entityType: 'booking', entityId: booking.id, action: 'revision.open', toState: 'entering', note: reason, data: { reportNumber: current.number, version: current.version + 1 } });
      await notifyNodeStaff(tx, booking.nodeId, { bookingId: booking.id, title: `${booking.number} 报告更正已发起`, body: `报告 ${current.number} 更正为第 ${current.version + 1} 版：${reason}`, link: bookingHref(booking.number, 'staff') });
    });
  } catch (err) {
    if (pgErrorCode(err) === UNIQUE_VIOLATION) throw new ConflictError('该报告已有进行中的更正。');
    throw err;
  }
};

const submitRevision: RevisionStep = async (deps, { booking, user, body }) => {
  const items = await bookingsRepo.itemsOf(deps.db, booking.id);
  const parsed = await parseResultsOf(deps.db, booking, items, body, todayOf(deps));
  return inTransaction(deps.db, async (tx) => {
    const revision = await lockOpenRevision(tx, booking.id);
    if (revision?.status !== 'entering') throw new ConflictError('当前没有待录入结果的更正。');
    await repo.replaceResults(tx, booking.id, revision.version, parsed.rows);
    await applyRevisionTransition(tx, booking, 'submit_revision', user, {
      patch: { resultsBy: user.id, resultsAt: deps.clock.now(), conclusion: parsed.conclusion, conclusionRemark: parsed.remark || null, verifiedBy: null, verifiedAt: null },
    });
  });
};

const verifyRevision: RevisionStep = (deps, { booking, user }) =>
  inTransaction(deps.db, async (tx) => {
    const revision = await lockOpenRevision(tx, booking.id);
    if (revision) assertMayVerify(revision.resultsBy, user.id);
    await applyRevisionTransition(tx, booking, 'verify_revision', user, { patch: { verifiedBy: user.id, verifiedAt: deps.clock.now() } });
  });

const retractRevision: RevisionStep = (deps, { booking, user, body }) =>
  inTransaction(deps.db, (tx) => applyRevisionTransition(tx, booking, 'retract_revision', user, { note: parseReason(body, '退回的原因'), patch: { verifiedBy: null, verifiedAt: null } }));

/** Withdrawn: the working results are dropped; the valid version stays as it is. */
const withdrawRevision: RevisionStep = (deps, { booking, user, body }) =>
  inTransaction(deps.db, async (tx) => {
    const revision = await applyRevisionTransition(tx, booking, 'withdraw_revision', user, { note: parseReason(body, '撤回更正的原因') });
    await repo.replaceResults(tx, booking.id, revision.version, []);
  });

/** Issues version n+1 by an authorised signatory (with its signed PDF, if one is sent). */
const issueRevision: RevisionStep = async (deps, { booking, user, files }) => {
  const pdf = await checkSignedPdf(files);
  const names = await deps.reference.oilItemNames();
  const stored: string[] = [];
  try {
    return await inTransaction(deps.db, async (tx) => {
      const revision = await lockOpenRevision(tx, booking.id);
      if (revision?.status !== 'verified') throw new ConflictError('更正结果尚未审核通过，不能签发。');
      const report = await deps.reports.issueRevision(tx, booking, revision, user, names);
      // A corrected conclusion or due date reaches the company's ledger with the new version.
      await syncLedgerFromCertificate(tx, booking, report.version, user.id);
      await applyRevisionTransition(tx, booking, 'issue_revision', user, { patch: { reportId: report.id }, message: `报告 ${report.number} 已更正为第 ${report.version} 版：${revision.reason}` });
      // The conclusion in force is the new version's.
      await bookingsRepo.updateBooking(tx, booking.id, { conclusion: revision.conclusion, conclusionRemark: revision.conclusionRemark });
      if (pdf) stored.push(await attachSignedPdf(deps, tx, user, booking, report.id, pdf));
    });
  } catch (err) {
    await removeStored(deps, stored);
    throw err;
  }
};

export const REVISION_STEPS: Record<RevisionAction | 'open_revision', RevisionStep> = {
  open_revision: openRevision,
  submit_revision: submitRevision,
  verify_revision: verifyRevision,
  retract_revision: retractRevision,
  issue_revision: issueRevision,
  withdraw_revision: withdrawRevision,
};
