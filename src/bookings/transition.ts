import type { Principal } from '../auth/access.js';
import { recordEvent } from '../events/record.js';
import { emitWebhook } from '../events/webhooks.js';
import type { Tx } from '../db/client.js';
import { releaseUnits } from '../capacity/capacity.repo.js';
import { notifyEnterpriseUsers, notifyNodeStaff } from '../notifications/notifications.repo.js';
import { ConflictError, ForbiddenError, ValidationError } from '../shared/errors.js';
import { lockBooking, updateBooking } from './bookings.repo.js';
import { bookingHref } from './bookings.view.js';
import { FINAL_STATUSES, isIn, STATUS_LABELS, transitionFor, type BookingStatus, type TransitionAction } from './lifecycle.js';
import type { bookings } from '../db/schema.js';
import { afterBookingCompleted } from '../chains/sequencing.js';

export type LockedBooking = typeof bookings.$inferSelect;

export interface TransitionInput {
  /** Reason or note shown in the timeline (required where the table says so). */
  note?: string | null;
  /** Extra booking columns written with the status (due date, assignee …). */
  patch?: Partial<typeof bookings.$inferInsert>;
  /** Details kept in the event (sample codes, visit date …). */
  data?: Record<string, unknown>;
  /** Text of the message to the other side; a default is derived from the transition. */
  message?: string;
}

export type SystemActor = { id: null; role: 'system'; name: string };

/**
 * Takes one lifecycle transition inside the caller's transaction: locks the booking row, checks the table (role,
 * source state, reason), writes the new state, gives capacity back where the transition says so, appends the event and
 * notifies the other side — all or nothing. Returns the locked row as it was before.
 */
export async function applyTransition(
  tx: Tx,
  bookingId: number,
  action: TransitionAction,
  actor: Principal | SystemActor,
  input: TransitionInput = {},
): Promise<{ before: LockedBooking; to: BookingStatus }> {
  const before = await lockBooking(tx, bookingId);
  if (!before) throw new ConflictError('预约不存在。');
  const role = actor.role === 'system' ? 'enterprise' : actor.role; // the system only completes on the enterprise's behalf
  const check = transitionFor(action, before.status, role);
  if (!check.ok) {
    if (actor.role !== 'system' && check.reason.startsWith('您的角色')) throw new ForbiddenError(check.reason);
    throw new ConflictError(check.reason, 'transition_refused');
  }
  const transition = check.transition;
  const note = input.note?.trim() || null;
  if (transition.reasonRequired && !note) {
    throw new ValidationError({ reason: `请填写${transition.label}的原因` });
  }

  const now = new Date();
  await updateBooking(tx, before.id, {
    status: transition.to,
    ...(isIn(transition.to, FINAL_STATUSES) ? { closedAt: now } : {}),
    ...input.patch,
  });
  if (transition.releasesCapacity && before.windowId !== null) {
    await releaseUnits(tx, before.windowId, before.units);
  }
  await recordEvent(tx, {
    actorUserId: actor.id,
    entityType: 'booking',
    entityId: before.id,
    action: `booking.${action}`,
    fromState: before.status,
    toState: transition.to,
    note,
    data: input.data ?? null,
  });
  await emitWebhook(tx, 'booking.status_changed', { enterpriseId: before.enterpriseId, nodeId: before.nodeId }, { number: before.number, action, from: before.status, to: transition.to });
  const notification = {
    bookingId: before.id,
    title: `${before.number} ${transition.label}`,
    body: input.message ?? `预约 ${before.number} 状态：${STATUS_LABELS[before.status]} → ${STATUS_LABELS[transition.to]}${note ? `。说明：${note}` : ''}`,
    link: bookingHref(before.number, transition.notify === 'enterprise' ? 'enterprise' : 'staff'),
  };
  if (transition.notify === 'enterprise') await notifyEnterpriseUsers(tx, before.enterpriseId, notification);
  else await notifyNodeStaff(tx, before.nodeId, notification);
  // A step of a whole-chain request (一件事): its successors become ready in this same transaction.
  if (transition.to === 'completed') await afterBookingCompleted(tx, before.id);
  return { before, to: transition.to };
}
