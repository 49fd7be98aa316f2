import type { Principal } from '../auth/access.js';
import type { Tx } from '../db/client.js';
import { recordEvent } from '../events/record.js';
import { notifyEnterpriseUsers, notifyNodeStaff } from '../notifications/notifications.repo.js';
import { ConflictError, ForbiddenError, ValidationError } from '../shared/errors.js';
import * as repo from './equipment.repo.js';
import { describeRangeShort, equipmentBookingHref } from './equipment.view.js';
import { EQUIPMENT_STATUS_TEXT, EQUIPMENT_TRANSITIONS, timingRefusal, type ActorGroup, type EquipmentAction, type EquipmentBookingStatus } from './lifecycle.js';
import { recordViolation } from './violations.js';

export type SystemActor = { id: null; role: 'system'; name: string };

export interface EquipmentTransitionInput {
  now: Date;
  note?: string | null;
  /** Extra columns written with the state (check-in time, billed minutes, amount …). */
  patch?: Partial<repo.NewEquipmentBooking>;
  data?: Record<string, unknown>;
  /** The message to the other side; a default is derived from the transition. */
  message?: string;
}

function groupOf(actor: Principal | SystemActor): ActorGroup {
  if (actor.role === 'system') return 'system';
  if (actor.role === 'enterprise') return 'enterprise';
  if (actor.role === 'lab_staff' || actor.role === 'node_manager') return 'staff';
  throw new ForbiddenError();
}

/**
 * Takes one equipment-booking transition inside the caller's transaction: locks the row, checks the table (who, from
 * which state, which kind of row, when in time, reason), writes the state, records the event, notifies the other side
 * and, for a no-show, applies the no-show rule — all or nothing. The caller has checked the actor's scope.
 */
export async function applyEquipmentTransition(tx: Tx, bookingId: number, action: EquipmentAction, actor: Principal | SystemActor, input: EquipmentTransitionInput) {
  const locked = await repo.lockEquipmentBooking(tx, bookingId);
  if (!locked) throw new ConflictError('预约不存在。');
  const before = locked.booking;
  const tr = EQUIPMENT_TRANSITIONS[action];
  if (!tr.by.includes(groupOf(actor))) throw new ForbiddenError(`您的角色不能执行“${tr.label}”。`);
  if (!tr.kinds.includes(before.kind as 'booking' | 'maintenance') || !tr.from.includes(before.status)) {
    throw new ConflictError(`该预约当前为“${EQUIPMENT_STATUS_TEXT[before.status]}”，不能执行“${tr.label}”。`, 'transition_refused');
  }
  const late = timingRefusal(tr.timing, { startsAt: before.startsAt, endsAt: before.endsAt, noShowMinutes: locked.noShowMinutes }, input.now);
  if (late) throw new ConflictError(`${late}。`, 'timing');
  const note = input.note?.trim() || null;
  if (tr.reasonRequired && !note) throw new ValidationError({ reason: `请填写${tr.label}的原因` });

  const decides = action === 'approve' || action === 'reject';
  const closes = tr.to === 'cancelled' || tr.to === 'rejected' || tr.to === 'no_show';
  await repo.updateEquipmentBooking(tx, before.id, {
    status: tr.to,
    ...(decides && actor.id !== null ? { decidedBy: actor.id, decidedAt: input.now } : {}),
    ...(closes && note ? { closeReason: note } : {}),
    ...input.patch,
  });
  await recordEvent(tx, {
    actorUserId: actor.id,
    entityType: 'equipment_booking',
    entityId: before.id,
    action: `equipment_booking.${action}`,
    fromState: before.status,
    toState: tr.to,
    note,
    data: { number: before.number, ...input.data },
  });
  await notifyOtherSide(tx, before, tr.notify, {
    title: `${before.number} ${tr.label}`,
    body: input.message ?? `${locked.equipmentName}（${describeRangeShort(before.startsAt, before.endsAt)}）：${EQUIPMENT_STATUS_TEXT[before.status]} → ${EQUIPMENT_STATUS_TEXT[tr.to]}${note ? `。说明：${note}` : ''}`,
  });
  if (tr.violation && before.enterpriseId !== null) await recordViolation(tx, before.enterpriseId, input.now);
  return { before, to: tr.to as EquipmentBookingStatus };
}

async function notifyOtherSide(tx: Tx, row: repo.EquipmentBookingRow, who: 'enterprise' | 'node' | 'none', text: { title: string; body: string }) {
  const message = { bookingId: null, ...text, link: equipmentBookingHref(row.number) };
  if (who === 'enterprise' && row.enterpriseId !== null) await notifyEnterpriseUsers(tx, row.enterpriseId, message);
  if (who === 'node') await notifyNodeStaff(tx, row.nodeId, message);
}
