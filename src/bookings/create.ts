import { describeWindow } from '../capacity/availability.js';
import { takeUnits } from '../capacity/capacity.repo.js';
import type { Tx } from '../db/client.js';
import { recordEvent } from '../events/record.js';
import { emitWebhook } from '../events/webhooks.js';
import { notifyEnterpriseUsers, notifyNodeStaff } from '../notifications/notifications.repo.js';
import { shanghaiDate, type Clock } from '../shared/time.js';
import * as attachmentsRepo from '../uploads/attachments.repo.js';
import { formatBookingNumber } from './booking-number.js';
import * as repo from './bookings.repo.js';
import { insertBookingFee } from '../fees/fees.repo.js';
import { bookingHref } from './bookings.view.js';
import type { PreparedBooking } from './prepare.js';

/** Thrown inside a transaction when the conditional take finds the window full; the caller turns it into a message after rollback. */
export class WindowTakenMeanwhile extends Error {
  constructor() {
    super('window filled up meanwhile');
  }
}

/** Whose booking it is and who entered it. */
export interface BookingOwner {
  enterpriseId: number;
  /** The company's park now: park statistics count the booking where the company was when it booked. */
  parkId: number | null;
  createdBy: number;
  /** online (default), window (staff on the company's behalf) or api. */
  channel?: 'online' | 'window' | 'api';
  /** Window bookings: the walk-in case (staff member, visitor) it was entered in. */
  windowCaseId?: number;
  /** Open API: the fingerprint of the request (method, path, body) stored with its Idempotency-Key. */
  requestFingerprint?: string;
}

/**
 * Writes a prepared booking inside the caller's transaction: takes the capacity units (one conditional UPDATE — never
 * oversold), numbers it, inserts the booking, its items and files, its first event and the node's notification. Every
 * way of booking (the form, and later the window, the API, a chain) goes through here. Throws WindowTakenMeanwhile.
 */
export async function insertPreparedBooking(
  tx: Tx,
  clock: Clock,
  p: PreparedBooking,
  owner: BookingOwner,
  files: { drafts?: { ownerUserId: number; key: string; count: number }; attachments: attachmentsRepo.NewAttachment[] },
): Promise<{ id: number; number: string }> {
  const slot = await takeUnits(tx, { nodeServiceId: p.ref.ns.id, date: p.date, window: p.window, defaultCapacity: p.windowCapacity, units: p.units });
  if (!slot) throw new WindowTakenMeanwhile();
  const now = clock.now();
  const day = shanghaiDate(now);
  const number = formatBookingNumber(p.service.bookingPrefix, day, await repo.nextDailySequence(tx, p.service.bookingPrefix, day));
  const id = await repo.insertBooking(tx, {
    number,
    kind: p.kind,
    enterpriseId: owner.enterpriseId,
    parkId: owner.parkId,
    nodeId: p.nodeId,
    serviceId: p.service.id,
    nodeServiceId: p.ref.ns.id,
    windowId: slot.id,
    date: p.date,
    window: p.window,
    units: p.units,
    deliveryMode: p.deliveryMode,
    onsiteAddress: p.onsiteAddress,
    contactName: p.contactName,
    contactMobile: p.contactMobile,
    remarks: p.remarks,
    bilingualReport: p.bilingualReport,
    createdBy: owner.createdBy,
    channel: owner.channel ?? 'online',
    windowCaseId: owner.windowCaseId ?? null,
    idempotencyKey: p.idempotencyKey,
    requestFingerprint: owner.requestFingerprint ?? null,
    // the service's clock, so statistics by submission date agree with the booking number's date
    submittedAt: now,
    createdAt: now,
  });
  await repo.insertItems(tx, id, p.items);
  // The estimate is frozen with the booking: a later price change applies to new bookings only.
  await insertBookingFee(tx, { bookingId: id, estimateCents: p.fee.totalCents, estimateLines: p.fee.lines, estimateComplete: p.fee.complete, urgent: p.urgent });
  if (files.drafts) await attachmentsRepo.linkDrafts(tx, files.drafts.ownerUserId, files.drafts.key, id);
  await attachmentsRepo.insertAttachments(tx, files.attachments.map((f) => ({ ...f, bookingId: id })));
  await recordEvent(tx, {
    actorUserId: owner.createdBy,
    entityType: 'booking',
    entityId: id,
    action: 'booking.submitted',
    toState: 'submitted',
    data: { number, date: p.date, window: p.window, units: p.units, attachments: (files.drafts?.count ?? 0) + files.attachments.length },
  });
  await notifyNodeStaff(tx, p.nodeId, {
    bookingId: id,
    title: `新预约 ${number}`,
    body: `${p.service.name}，${describeWindow(p.date, p.window)}，${p.units} 台（件/人次），待受理。`,
    link: bookingHref(number, 'staff'),
  });
  // The company hears it too (every colleague follows the company's bookings): the number, the window, what comes next.
  await notifyEnterpriseUsers(tx, owner.enterpriseId, {
    bookingId: id,
    title: `预约已提交 ${number}`,
    body: `${p.service.name}，${describeWindow(p.date, p.window)}，已提交至${p.nodeName}，等待受理。受理后按 ${p.service.turnaroundDays} 个工作日计算办结期限，可在预约页面查看办件进度。`,
    link: bookingHref(number),
  });
  await emitWebhook(tx, 'booking.created', { enterpriseId: owner.enterpriseId, nodeId: p.nodeId }, { number, status: 'submitted', service: p.service.code, nodeId: p.nodeId, date: p.date, window: p.window, units: p.units, channel: owner.channel ?? 'online' });
  return { id, number };
}
