import type { Principal } from '../auth/access.js';
import { describeWindow, UNAVAILABLE_MESSAGES, type NodeServiceRef } from '../capacity/availability.js';
import { findNodeService, releaseUnits, takeUnits } from '../capacity/capacity.repo.js';
import { pgErrorCode, UNIQUE_VIOLATION } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { notifyEnterpriseUsers, notifyNodeStaff } from '../notifications/notifications.repo.js';
import { ConflictError, ValidationError } from '../shared/errors.js';
import { addDays, formatDate, shanghaiDate } from '../shared/time.js';
import { parseInput } from '../shared/validation.js';
import * as attachmentsRepo from '../uploads/attachments.repo.js';
import type { UploadedFile } from '../uploads/purposes.js';
import * as repo from './bookings.repo.js';
import { evaluationSchema, reasonSchema, rescheduleSchema, resubmitSchema } from './bookings.schemas.js';
import { bookingHref } from './bookings.view.js';
import type { BookingsDeps } from './context.js';
import { WindowTakenMeanwhile } from './create.js';
import { checkFiles, storeFiles, withStoredFiles } from './files.js';
import { FORM_DAYS } from './form.js';
import { canReschedule, STATUS_LABELS } from './lifecycle.js';
import { dueDateFor } from './progress.js';
import { loadBookingFor } from './load.js';
import { refuseFull } from './prepare.js';
import { requestInvoice } from '../fees/booking-fee.js';
import { applyTransition } from './transition.js';

/* What a company does with its own booking: cancel, confirm completion, evaluate, move it, answer a correction request. */

const refuseReschedule = (status: repo.BookingView['status']) => new ConflictError(`预约当前状态为“${STATUS_LABELS[status]}”，不能改期。`);

export async function cancelBooking(deps: BookingsDeps, user: Principal, number: string, input: unknown): Promise<void> {
  const { booking, user: actor } = await loadBookingFor(deps.db, user, number, 'booking.change');
  const { reason } = parseInput(reasonSchema, input);
  await inTransaction(deps.db, async (tx) => {
    await applyTransition(tx, booking.id, 'cancel', actor, { note: reason });
    // the company's inbox keeps the booking's story (its colleagues see who cancelled and why)
    await notifyEnterpriseUsers(tx, booking.enterpriseId, { bookingId: booking.id, title: `${booking.number} 已取消`, body: `预约 ${booking.number}（${describeWindow(booking.date, booking.window)}）已由 ${actor.name} 取消，占用的名额已释放。原因：${reason}`, link: bookingHref(booking.number) });
  });
}

/** The company confirms it received the report: the booking is done. */
export async function completeBooking(deps: BookingsDeps, user: Principal, number: string): Promise<void> {
  const { booking, user: actor } = await loadBookingFor(deps.db, user, number, 'booking.change');
  await inTransaction(deps.db, (tx) => applyTransition(tx, booking.id, 'complete', actor, { note: '企业确认办结' }));
  await deps.onCompleted?.();
}

/** 好差评: once per completed booking, five levels and an optional comment. */
export async function evaluateBooking(deps: BookingsDeps, user: Principal, number: string, input: unknown): Promise<void> {
  const { booking, user: actor } = await loadBookingFor(deps.db, user, number, 'booking.change');
  const v = parseInput(evaluationSchema, input);
  if (booking.status !== 'completed') throw new ConflictError('办结后才能评价。');
  try {
    await inTransaction(deps.db, async (tx) => {
      await repo.insertEvaluation(tx, { bookingId: booking.id, userId: actor.id, level: v.level, comment: v.comment });
      await repo.updateBooking(tx, booking.id, { evaluationLevel: v.level });
      await recordEvent(tx, { actorUserId: actor.id, entityType: 'booking', entityId: booking.id, action: 'booking.evaluated', note: v.comment || null, data: { level: v.level } });
      await notifyNodeStaff(tx, booking.nodeId, { bookingId: booking.id, title: `${booking.number} 收到评价`, body: `企业评价：${v.level} 星${v.comment ? `，“${v.comment}”` : ''}`, link: bookingHref(booking.number, 'staff') });
    });
  } catch (err) {
    if (pgErrorCode(err) === UNIQUE_VIOLATION) throw new ConflictError('该预约已评价过，每笔预约只能评价一次。');
    throw err;
  }
}

/** The reschedule page: four weeks of windows (moving a booking is usually to a date near the original one). */
export async function rescheduleContext(deps: BookingsDeps, user: Principal, number: string) {
  const { booking } = await loadBookingFor(deps.db, user, number, 'booking.change');
  if (!canReschedule(booking.status)) throw refuseReschedule(booking.status);
  const ns = await findNodeService(deps.db, booking.nodeId, booking.serviceId);
  const { today } = deps.availability.bookingRange();
  const days = ns ? ((await deps.availability.forNodeServices([{ ns, kind: booking.kind }], today, addDays(today, 2 * FORM_DAYS - 1))).get(ns.id) ?? []) : [];
  return { booking, days };
}

/**
 * Moves a booking to another window atomically: the new units are taken first; only if they fit are the old ones
 * given back, in the same transaction. A full window leaves everything as it was.
 */
export async function rescheduleBooking(deps: BookingsDeps, user: Principal, number: string, input: unknown): Promise<void> {
  const { booking, user: actor } = await loadBookingFor(deps.db, user, number, 'booking.change');
  const { slot } = parseInput(rescheduleSchema, input);
  const ns = await findNodeService(deps.db, booking.nodeId, booking.serviceId);
  if (!ns) throw new ConflictError('该网点已不再提供此项服务，请取消后重新预约。');
  const ref: NodeServiceRef = { ns, kind: booking.kind };
  if (slot.date === booking.date && slot.window === booking.window) throw new ValidationError({ slot: '新时段与原时段相同，请选择其他时段' });
  const window = await deps.availability.check(ref, slot.date, slot.window);
  if (!window) throw new ValidationError({ slot: '请选择有效的预约时段' });
  if (window.unavailable && window.unavailable !== 'full') throw new ValidationError({ slot: `所选时段不可预约：${UNAVAILABLE_MESSAGES[window.unavailable]}` });
  const moving = { alsoExclude: { date: booking.date, key: booking.window }, canSplit: false };
  if (window.free < booking.units) await refuseFull(deps, ref, window, booking.units, moving);
  try {
    await inTransaction(deps.db, async (tx) => {
      const locked = await repo.lockBooking(tx, booking.id);
      if (!locked || !canReschedule(locked.status)) throw refuseReschedule(locked?.status ?? 'cancelled');
      const taken = await takeUnits(tx, { nodeServiceId: ns.id, date: slot.date, window: slot.window, defaultCapacity: window.capacity, units: locked.units });
      if (!taken) throw new WindowTakenMeanwhile();
      if (locked.windowId !== null) await releaseUnits(tx, locked.windowId, locked.units);
      // Accepted work keeps the due-date rule it was accepted under, counted again from the new window: the turnaround
      // working days from acceptance, or from the booked window when that is later.
      const acceptedOn = locked.acceptedAt ? shanghaiDate(locked.acceptedAt) : undefined;
      const dueDate = locked.dueDate && acceptedOn ? await dueDateFor(tx, { nodeId: locked.nodeId, date: slot.date, turnaroundDays: booking.turnaroundDays }, acceptedOn) : locked.dueDate;
      await repo.updateBooking(tx, locked.id, { date: slot.date, window: slot.window, windowId: taken.id, dueDate });
      const moved = `${describeWindow(locked.date, locked.window)} → ${describeWindow(slot.date, slot.window)}`;
      const due = dueDate !== locked.dueDate ? `；应完成日期 ${formatDate(locked.dueDate)} → ${formatDate(dueDate)}` : '';
      await recordEvent(tx, { actorUserId: actor.id, entityType: 'booking', entityId: locked.id, action: 'booking.rescheduled', fromState: locked.status, toState: locked.status, note: `${moved}${due}`, data: { from: { date: locked.date, window: locked.window }, to: slot, ...(due ? { dueDate: { from: locked.dueDate, to: dueDate } } : {}) } });
      await notifyNodeStaff(tx, locked.nodeId, { bookingId: locked.id, title: `${locked.number} 已改期`, body: `预约 ${locked.number} 改期：${moved}${due}。`, link: bookingHref(locked.number, 'staff') });
      await notifyEnterpriseUsers(tx, locked.enterpriseId, { bookingId: locked.id, title: `${locked.number} 已改期`, body: `预约 ${locked.number} 已由 ${actor.name} 改期：${moved}${due}。请按新时段办理。`, link: bookingHref(locked.number) });
    });
  } catch (err) {
    if (err instanceof WindowTakenMeanwhile) await refuseFull(deps, ref, (await deps.availability.check(ref, slot.date, slot.window)) ?? { free: 0, date: slot.date, key: slot.window }, booking.units, moving);
    throw err;
  }
}

/** After staff asked for corrections (补正): the company explains, adds documents, and the booking goes back to the queue. */
export async function resubmitBooking(deps: BookingsDeps, user: Principal, number: string, input: unknown, files: UploadedFile[]): Promise<void> {
  const { booking, user: actor } = await loadBookingFor(deps.db, user, number, 'booking.change');
  const { note } = parseInput(resubmitSchema, input);
  const checked = await checkFiles(files, 0);
  const rows = await storeFiles(deps, checked, { userId: actor.id, enterpriseId: actor.enterpriseId }, { bookingId: booking.id, draftToken: null });
  await withStoredFiles(deps, rows, () =>
    inTransaction(deps.db, async (tx) => {
      await attachmentsRepo.insertAttachments(tx, rows);
      await applyTransition(tx, booking.id, 'resubmit', actor, { note, data: { attachments: rows.map((r) => r.originalName) } });
    }),
  );
}

/** The company asks for an invoice of its booking (with its 开票信息). */
export async function requestBookingInvoice(deps: BookingsDeps, user: Principal, number: string): Promise<void> {
  const { booking, user: actor } = await loadBookingFor(deps.db, user, number, 'booking.change');
  await requestInvoice(deps, booking, actor);
}
