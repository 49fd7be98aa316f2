import type { StaffPrincipal } from '../auth/access.js';
import * as bookingsRepo from '../bookings/bookings.repo.js';
import type { BookingView } from '../bookings/bookings.repo.js';
import { STATUS_LABELS, type TransitionAction } from '../bookings/lifecycle.js';
import { dueDateFor } from '../bookings/progress.js';
import { applyTransition } from '../bookings/transition.js';
import { workingDaysBetween } from '../calendar/workdays.js';
import { closedDatesFrom } from '../capacity/capacity.repo.js';
import { findServiceByCode } from '../catalog/catalog.repo.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { emitWebhook } from '../events/webhooks.js';
import { ConflictError, ForbiddenError, ValidationError } from '../shared/errors.js';
import { shanghaiDate } from '../shared/time.js';
import { parseInput } from '../shared/validation.js';
import type { UploadedFile } from '../uploads/purposes.js';
import { todayOf, type LabDeps } from './context.js';
import * as repo from './lab.repo.js';
import { parseReason, parseReception, startSchema } from './lab.schemas.js';
import { attachSignedPdf, checkSignedPdf, removeStored } from './signed-pdf.js';
import { parseResultsOf } from './samples.js';
import { confirmFee, parseConfirmedFee } from '../fees/booking-fee.js';
import { findBookingFee } from '../fees/fees.repo.js';
import { yuan } from '../fees/fees.view.js';
import { assertMayVerify } from '../reports/signing.js';
import { syncLedgerFromCertificate } from '../ledger/certificate-sync.js';

/* One function per step of the lab's work on a booking; each runs its lifecycle transition in one transaction. */

export interface StepInput {
  booking: BookingView;
  user: StaffPrincipal;
  body: Record<string, unknown>;
  files: UploadedFile[];
}

type Step = (deps: LabDeps, input: StepInput) => Promise<unknown>;

/** Accepting starts the clock: due in N working days from acceptance, or from the booked window when that is later. */
export async function accept(deps: LabDeps, { booking, user, body }: Pick<StepInput, 'booking' | 'user'> & { body?: Record<string, unknown> }) {
  const acceptedOn = todayOf(deps);
  // The lab may confirm (or adjust, with a reason the company reads) the fee estimate as it accepts.
  const estimate = (await findBookingFee(deps.db, booking.id))?.estimateCents ?? null;
  const confirmed = body ? parseConfirmedFee(body, estimate) : null;
  // Work cannot start before the booked window: a booking accepted today for next Tuesday is due N working days after Tuesday.
  const dueDate = await dueDateFor(deps.db, booking, acceptedOn);
  await inTransaction(deps.db, async (tx) => {
    await applyTransition(tx, booking.id, 'accept', user, {
      patch: { acceptedAt: deps.clock.now(), dueDate },
      message: `预约 ${booking.number} 已受理，请按预约时段（${booking.date}）送达或等候上门。办结期限 ${dueDate}（${booking.turnaroundDays} 个工作日）。${confirmed ? `核定费用 ${yuan(confirmed.cents)}。` : ''}`,
      data: { dueDate },
    });
    if (confirmed) await confirmFee(tx, booking, user, confirmed, deps.clock.now());
  });
}

const reject: Step = (deps, { booking, user, body }) => inTransaction(deps.db, (tx) => applyTransition(tx, booking.id, 'reject', user, { note: parseReason(body, '不予受理的原因') }));

const needsInfo: Step = (deps, { booking, user, body }) => inTransaction(deps.db, (tx) => applyTransition(tx, booking.id, 'needs_info', user, { note: parseReason(body, '需要补正的内容') }));

const receive: Step = async (deps, { booking, user, body }) => {
  const items = await bookingsRepo.itemsOf(deps.db, booking.id);
  const { labels, visitDate } = parseReception(body, items, { kind: booking.kind, onSite: booking.deliveryMode === 'on_site', today: todayOf(deps) });
  // "自受理（收到样品）之日起": a sample brought before its booked window starts the clock the day it arrives.
  const arrived = visitDate ?? todayOf(deps);
  const earlier = booking.dueDate && arrived < booking.date ? await dueDateFor(deps.db, { nodeId: booking.nodeId, date: arrived, turnaroundDays: booking.turnaroundDays }, arrived) : null;
  const dueDate = earlier && earlier < booking.dueDate! ? earlier : null;
  return inTransaction(deps.db, async (tx) => {
    await repo.setItemLabels(tx, labels.filter((l) => l.label || l.condition));
    await applyTransition(tx, booking.id, 'receive', user, {
      patch: { receivedAt: deps.clock.now(), visitDate, ...(dueDate ? { dueDate } : {}) },
      data: { labels: labels.map((l) => l.label), visitDate, ...(dueDate ? { dueDate } : {}) },
      note: [visitDate ? `上门日期 ${visitDate}` : '', dueDate ? `早于预约时段收到，办结期限提前至 ${dueDate}` : ''].filter(Boolean).join('；') || null,
    });
  });
};

const start: Step = async (deps, { booking, user, body }) => {
  const staff = await repo.staffOfNode(deps.db, booking.nodeId);
  const assignee = parseInput(startSchema, body).assignee ?? user.id;
  const person = staff.find((s) => s.id === assignee);
  if (!person) throw new ValidationError({ assignee: '请选择本网点的检测人员' });
  return inTransaction(deps.db, (tx) => applyTransition(tx, booking.id, 'start', user, { patch: { assignedTo: person.id }, note: `${booking.kind === 'consultation' ? '承办人员' : '检测人员'}：${person.name}`, data: { assignee: person.id } }));
};

const submitResults: Step = async (deps, { booking, user, body }) => {
  const items = await bookingsRepo.itemsOf(deps.db, booking.id);
  const parsed = await parseResultsOf(deps.db, booking, items, body, todayOf(deps));
  return inTransaction(deps.db, async (tx) => {
    const locked = await bookingsRepo.lockBooking(tx, booking.id);
    if (locked?.status !== 'in_progress') throw new ConflictError(`预约当前状态为“${STATUS_LABELS[locked?.status ?? 'cancelled']}”，不能提交结果。`);
    await repo.replaceResults(tx, booking.id, 1, parsed.rows);
    await applyTransition(tx, booking.id, 'submit_results', user, {
      patch: { resultsBy: user.id, resultsAt: deps.clock.now(), conclusion: parsed.conclusion, conclusionRemark: parsed.remark || null, verifiedBy: null, verifiedAt: null },
      data: { lines: parsed.rows.length, conclusion: parsed.conclusion },
    });
  });
};

const verify: Step = (deps, { booking, user }) =>
  inTransaction(deps.db, async (tx) => {
    const locked = await bookingsRepo.lockBooking(tx, booking.id);
    // Four-eyes: the results are checked by someone other than the person who entered them.
    if (locked) assertMayVerify(locked.resultsBy, user.id);
    await applyTransition(tx, booking.id, 'verify', user, { patch: { verifiedBy: user.id, verifiedAt: deps.clock.now() } });
  });

const retract: Step = (deps, { booking, user, body }) =>
  inTransaction(deps.db, (tx) => applyTransition(tx, booking.id, 'retract', user, { note: parseReason(body, '退回的原因'), patch: { verifiedBy: null, verifiedAt: null } }));

const issueReport: Step = async (deps, { booking, user, files }) => {
  const pdf = await checkSignedPdf(files);
  const names = await deps.reference.oilItemNames();
  const service = await findServiceByCode(deps.db, booking.serviceCode);
  const today = todayOf(deps);
  const stored: string[] = [];
  try {
    return await inTransaction(deps.db, async (tx) => {
      const { before } = await applyTransition(tx, booking.id, 'issue_report', user, { patch: { reportedAt: deps.clock.now() } });
      // Turnaround in working days from acceptance to report, kept on the booking for the statistics.
      if (before.acceptedAt) {
        const acceptedOn = shanghaiDate(before.acceptedAt);
        const turnaroundDays = workingDaysBetween(acceptedOn, today, await closedDatesFrom(tx, booking.nodeId, acceptedOn));
        await bookingsRepo.updateBooking(tx, booking.id, { turnaroundDays, onTime: before.dueDate ? today <= before.dueDate : null });
      }
      const report = await deps.reports.issue(tx, booking, user, service!.bookingPrefix, names);
      // The company's instrument ledger follows its certificates (same transaction: issued and recorded, or neither).
      await syncLedgerFromCertificate(tx, booking, report.version, user.id);
      if (pdf) stored.push(await attachSignedPdf(deps, tx, user, booking, report.id, pdf));
      await recordEvent(tx, { actorUserId: user.id, entityType: 'report', entityId: report.id, action: 'report.issued', note: `${report.number} 第 1 版`, data: { bookingId: booking.id } });
      await emitWebhook(tx, 'report.issued', { enterpriseId: booking.enterpriseId, nodeId: booking.nodeId }, { bookingNumber: booking.number, reportNumber: report.number, version: report.version });
    });
  } catch (err) {
    await removeStored(deps, stored);
    throw err;
  }
};

const enterpriseOnly: Step = async (_deps, { booking }) => {
  throw new ForbiddenError(`“${STATUS_LABELS[booking.status]}”状态下的此操作由企业完成。`);
};

/** Every lifecycle action a staff member can post, and the step that runs it. */
export const STEPS: Record<TransitionAction, Step> = {
  accept: (deps, input) => accept(deps, input),
  reject,
  needs_info: needsInfo,
  receive,
  start,
  submit_results: submitResults,
  verify,
  retract,
  issue_report: issueReport,
  resubmit: enterpriseOnly,
  complete: enterpriseOnly,
  cancel: enterpriseOnly,
};
