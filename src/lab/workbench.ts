import type { Principal } from '../auth/access.js';
import * as bookingsRepo from '../bookings/bookings.repo.js';
import { availableActions } from '../bookings/lifecycle.js';
import { loadBookingFor } from '../bookings/load.js';
import { findInstrumentCategory, findServiceByCode } from '../catalog/catalog.repo.js';
import { reportsOfBooking } from '../reports/reports.repo.js';
import * as attachmentsRepo from '../uploads/attachments.repo.js';
import { todayOf, type LabDeps } from './context.js';
import * as repo from './lab.repo.js';
import { defaultNextDue } from './results.js';
import { oilSamples } from './samples.js';

/** Everything the workbench page shows for one booking of the node; the booking and its items are read once. */
export async function workbench(deps: LabDeps, user: Principal, number: string) {
  const { db } = deps;
  const { booking, user: staff } = await loadBookingFor(db, user, number, 'booking.work');
  const [items, attachments, timeline, results, reportRows, nodeStaff, itemNames, service] = await Promise.all([
    bookingsRepo.itemsOf(db, booking.id),
    attachmentsRepo.attachmentsOfBooking(db, booking.id),
    bookingsRepo.timelineOf(db, booking.id),
    repo.resultsOf(db, booking.id),
    reportsOfBooking(db, booking.id),
    repo.staffOfNode(db, booking.nodeId),
    deps.reference.oilItemNames(),
    findServiceByCode(db, booking.serviceCode),
  ]);
  const [oil, category] = await Promise.all([
    booking.kind === 'oil_test' ? oilSamples(db, items) : Promise.resolve([]),
    service?.instrumentCategoryCode ? findInstrumentCategory(db, service.instrumentCategoryCode) : Promise.resolve(undefined),
  ]);
  return {
    booking,
    signoff: { resultsBy: booking.resultsBy, verifiedBy: booking.verifiedBy, conclusion: booking.conclusion, conclusionRemark: booking.conclusionRemark, visitDate: booking.visitDate },
    items,
    attachments,
    timeline,
    results,
    reports: reportRows,
    staff: nodeStaff,
    itemNames,
    oil,
    defaultNextDue: defaultNextDue(todayOf(deps), category?.periodMonths ?? null),
    actions: availableActions(booking.status, staff.role),
    fourEyesBlocked: booking.status === 'to_verify' && booking.resultsBy === staff.id,
  };
}
