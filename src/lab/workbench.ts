import type { Principal } from '../auth/access.js';
import * as bookingsRepo from '../bookings/bookings.repo.js';
import { availableActions } from '../bookings/lifecycle.js';
import { bookingProgress } from '../bookings/progress.js';
import { loadBookingFor } from '../bookings/load.js';
import { findInstrumentCategory, findServiceByCode } from '../catalog/catalog.repo.js';
import { findOpenRevision, reportsOfBooking } from '../reports/reports.repo.js';
import { revisionActionsFor } from '../reports/revision-lifecycle.js';
import { isSignatoryOn } from '../signatories/signatories.repo.js';
import * as attachmentsRepo from '../uploads/attachments.repo.js';
import { todayOf, type LabDeps } from './context.js';
import * as repo from './lab.repo.js';
import { defaultNextDue } from './results.js';
import { feeOfBooking, feeOpenFor } from '../fees/booking-fee.js';
import { oilSamples } from './samples.js';
import { standardsInService } from '../standards/standards.repo.js';
import { standardsFor } from './conditions.js';

/** Why this user cannot sign what is waiting to be signed, if they cannot (shown next to the button instead of a refusal). */
function signingBlock(booking: { status: string; resultsBy: number | null; verifiedBy: number | null }, revision: { status: string; resultsBy: number | null; verifiedBy: number | null } | undefined, userId: number, signatory: boolean): { blocked: string | null } {
  const pending = revision?.status === 'verified' ? revision : booking.status === 'verified' ? booking : undefined;
  if (!pending) return { blocked: null };
  // the same order as the rule itself (reports/signing.ts), so the page says what a click would be told
  if (pending.resultsBy === userId) return { blocked: '您录入了这些结果，须由其他授权签字人签发。' };
  if (pending.verifiedBy === userId) return { blocked: '您审核了这些结果，须由其他授权签字人签发（检测、审核、批准三人不同）。' };
  if (!signatory) return { blocked: '您不是本网点该类服务的授权签字人，不能签发。' };
  return { blocked: null };
}

/** Everything the workbench page shows for one booking of the node; the booking and its items are read once. */
export async function workbench(deps: LabDeps, user: Principal, number: string) {
  const { db } = deps;
  const { booking, user: staff } = await loadBookingFor(db, user, number, 'booking.work');
  const [items, attachments, timeline, reportRows, revision, nodeStaff, itemNames, service, signatory, money] = await Promise.all([
    bookingsRepo.itemsOf(db, booking.id),
    attachmentsRepo.attachmentsOfBooking(db, booking.id),
    bookingsRepo.timelineOf(db, booking.id),
    reportsOfBooking(db, booking.id),
    findOpenRevision(db, booking.id),
    repo.staffOfNode(db, booking.nodeId),
    deps.reference.oilItemNames(),
    findServiceByCode(db, booking.serviceCode),
    isSignatoryOn(db, { userId: user.id, nodeId: booking.nodeId, categoryCode: booking.categoryCode, day: todayOf(deps) }),
    feeOfBooking(db, booking.id),
  ]);
  // The results shown are those of the newest issued version (1 before the first issue); a revision has its own.
  const inForce = reportRows[0]?.report.version ?? 1;
  const [results, revisionResults] = await Promise.all([repo.resultsOf(db, booking.id, inForce), revision ? repo.resultsOf(db, booking.id, revision.version) : Promise.resolve([])]);
  const [oil, category, progress, nodeStandards] = await Promise.all([
    booking.kind === 'oil_test' ? oilSamples(db, items) : Promise.resolve([]),
    service?.instrumentCategoryCode ? findInstrumentCategory(db, service.instrumentCategoryCode) : Promise.resolve(undefined),
    bookingProgress(db, booking, timeline, deps.clock.now()),
    booking.kind === 'calibration' ? standardsInService(db, booking.nodeId) : Promise.resolve([]),
  ]);
  return {
    booking,
    signoff: { resultsBy: booking.resultsBy, verifiedBy: booking.verifiedBy, conclusion: booking.conclusion, conclusionRemark: booking.conclusionRemark, visitDate: booking.visitDate },
    items,
    attachments,
    timeline,
    progress,
    results,
    reports: reportRows,
    staff: nodeStaff,
    itemNames,
    oil,
    defaultNextDue: defaultNextDue(todayOf(deps), category?.periodMonths ?? null),
    /** The measurement standards the results form offers, and where the work is done unless the tester says otherwise. */
    calibrationLab: {
      standards: standardsFor({ standards: nodeStandards, categoryCode: service?.instrumentCategoryCode ?? null }),
      today: todayOf(deps),
      defaultPlace: booking.deliveryMode === 'on_site' ? `委托方现场${booking.onsiteAddress ? `（${booking.onsiteAddress}）` : ''}` : `${booking.nodeName}实验室`,
    },
    actions: availableActions(booking.status, staff.role),
    feeOpen: feeOpenFor(booking.status),
    fourEyesBlocked: booking.status === 'to_verify' && booking.resultsBy === staff.id,
    /** Whether this user may approve and sign here (authorised signatory, and neither tester nor verifier of what is signed). */
    signing: { signatory, ...signingBlock(booking, revision, staff.id, signatory) },
    ...money,
    revision: revision ? { ...revision, actions: revisionActionsFor(revision.status), results: revisionResults, fourEyesBlocked: revision.status === 'to_verify' && revision.resultsBy === staff.id } : null,
  };
}
