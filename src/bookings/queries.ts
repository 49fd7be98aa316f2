import { assertCan, type Principal } from '../auth/access.js';
import { reportsOfBooking } from '../reports/reports.repo.js';
import { NotFoundError } from '../shared/errors.js';
import * as attachmentsRepo from '../uploads/attachments.repo.js';
import * as repo from './bookings.repo.js';
import type { BookingsDeps } from './context.js';
import { availableActions, BOOKING_STATUSES, canReschedule, type BookingStatus } from './lifecycle.js';
import { loadBookingFor } from './load.js';
import { bookingProgress, dueDateOf } from './progress.js';
import { isIsoDate } from '../shared/time.js';
import { feeOfBooking } from '../fees/booking-fee.js';

const PAGE_SIZE = 20;

export interface MyBookingsQuery {
  status?: string;
  node?: string;
  service?: string;
  from?: string;
  to?: string;
  q?: string;
  page: number;
}

/** My company's bookings across every node, newest first, with the filters of the list page. */
export async function listCompanyBookings(deps: BookingsDeps, user: Principal, query: MyBookingsQuery) {
  assertCan(user, 'booking.create');
  const filter: repo.BookingFilter = { enterpriseId: user.enterpriseId };
  if (query.status && (BOOKING_STATUSES as readonly string[]).includes(query.status)) filter.statuses = [query.status as BookingStatus];
  if (query.node && /^\d{1,9}$/.test(query.node)) filter.nodeId = Number(query.node);
  if (query.service) filter.serviceCode = query.service;
  if (query.from && isIsoDate(query.from)) filter.dateFrom = query.from;
  if (query.to && isIsoDate(query.to)) filter.dateTo = query.to;
  if (query.q) filter.q = query.q;
  const { rows, total } = await repo.listBookings(deps.db, filter, { limit: PAGE_SIZE, offset: (query.page - 1) * PAGE_SIZE });
  return { rows, total, page: query.page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)), pageSize: PAGE_SIZE };
}

/** One booking with everything its page shows, for anyone who may read it. */
export async function bookingDetail(deps: BookingsDeps, user: Principal, number: string) {
  const { booking } = await loadBookingFor(deps.db, user, number, 'booking.read');
  const [items, attachments, timeline, reports, evaluation, itemNames, money, fromNeed] = await Promise.all([
    repo.itemsOf(deps.db, booking.id),
    attachmentsRepo.attachmentsOfBooking(deps.db, booking.id),
    repo.timelineOf(deps.db, booking.id),
    reportsOfBooking(deps.db, booking.id),
    repo.findEvaluation(deps.db, booking.id),
    deps.reference.oilItemNames(),
    feeOfBooking(deps.db, booking.id),
    repo.needOfBooking(deps.db, booking.id),
  ]);
  const progress = await bookingProgress(deps.db, booking, timeline, deps.clock.now());
  const isOwner = user.role === 'enterprise';
  const payable = money.fee && (money.fee.paidCents ?? money.fee.confirmedCents ?? 0) > 0;
  return {
    booking,
    items,
    attachments,
    timeline,
    progress,
    reports,
    evaluation,
    itemNames,
    fromNeed,
    actions: isOwner ? availableActions(booking.status, 'enterprise') : [],
    canReschedule: isOwner && canReschedule(booking.status),
    canEvaluate: isOwner && booking.status === 'completed' && !evaluation,
    ...money,
    canRequestInvoice: isOwner && !!payable && !money.invoices.some((i) => i.status !== 'cancelled'),
  };
}

export async function bookingReceipt(deps: BookingsDeps, user: Principal, number: string) {
  const { booking } = await loadBookingFor(deps.db, user, number, 'booking.read');
  const [items, money, due] = await Promise.all([repo.itemsOf(deps.db, booking.id), feeOfBooking(deps.db, booking.id), dueDateOf(deps.db, booking, deps.clock.now())]);
  return { booking, items, due, ...money };
}

/** A document of a booking, for anyone who may read the booking. */
export async function bookingAttachment(deps: BookingsDeps, user: Principal, number: string, attachmentId: number) {
  const { booking } = await loadBookingFor(deps.db, user, number, 'booking.read');
  const file = await attachmentsRepo.findBookingAttachment(deps.db, booking.id, attachmentId);
  if (!file) throw new NotFoundError('该附件不存在，或您无权下载。');
  const content = await deps.storage.read(file.storedName);
  if (!content) throw new NotFoundError('附件文件已不存在，请联系平台客服。');
  return { storedName: file.storedName, downloadName: file.originalName, mimeType: file.mimeType, content };
}
