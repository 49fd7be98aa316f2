import { assertCan, type Principal } from '../auth/access.js';
import { formatBookingNumber } from '../bookings/booking-number.js';
import { nextDailySequence } from '../bookings/bookings.repo.js';
import { EXCLUSION_VIOLATION, pgConstraint, pgErrorCode, UNIQUE_VIOLATION, type Db } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { notifyNodeStaff } from '../notifications/notifications.repo.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { formatDateTime, shanghaiDate, type Clock } from '../shared/time.js';
import { fieldErrorsOf } from '../shared/validation.js';
import { heldUntilHorizon, nextFreeSlots, nodeDayCheck, type FreeSlot } from './availability.js';
import { amountFor, EQUIPMENT_STATUS_LABELS, MODE_LABELS, rateFor, USER_CATEGORY_LABELS, userCategoryOf, type Mode } from './domain.js';
import { bookingSchema, type BookingInput } from './equipment.schemas.js';
import * as repo from './equipment.repo.js';
import { describeRangeShort, equipmentBookingHref } from './equipment.view.js';
import { checkTimeRequest, lastBookableDate } from './time-rules.js';

const IDEMPOTENCY_RE = /^[A-Za-z0-9_-]{16,64}$/;

export interface Booked {
  number: string;
  status: 'requested' | 'approved';
  duplicate: boolean;
}

/** Everything a booking is checked against before it is written (the instrument, the company, the rules, the time). */
async function prepare(db: Db, clock: Clock, user: Principal & { enterpriseId: number }, equipmentId: number, input: unknown) {
  const eq = await repo.findEquipment(db, equipmentId);
  if (!eq || eq.review !== 'approved' || !eq.nodeActive) throw new NotFoundError('该设备不存在或已下架。');
  if (eq.status !== 'available') throw new ConflictError(`该设备当前${EQUIPMENT_STATUS_LABELS[eq.status]}，暂不接受预约${eq.statusNote ? `（${eq.statusNote}）` : ''}。`, 'equipment_unavailable');
  const now = clock.now();
  const parsed = bookingSchema.safeParse(input ?? {});
  const errors: Record<string, string> = parsed.success ? {} : fieldErrorsOf(parsed.error);
  const raw = (typeof input === 'object' && input ? input : {}) as Record<string, unknown>;
  const text = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string).trim() : '');
  const dayCheck = await nodeDayCheck(db, eq.nodeId, shanghaiDate(now), lastBookableDate(now, eq.horizonDays));
  let times: { startsAt: Date; endsAt: Date } | undefined;
  try {
    times = checkTimeRequest({ date: text('date'), startTime: text('startTime'), endTime: text('endTime') }, eq, { now, dayCheck });
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    Object.assign(errors, err.fieldErrors);
  }
  const company = await repo.findEnterprise(db, user.enterpriseId);
  if (!company?.active) throw new ConflictError('贵单位账号已停用，不能预约。');
  const category = userCategoryOf(company);
  const mode = parsed.success ? parsed.data.mode : undefined;
  const day = text('date');
  const training = errors.date ? undefined : await repo.trainingInForce(db, eq.id, user.id, day);
  if (mode && !errors.mode) {
    if (!eq.modes.includes(mode)) errors.mode = `该设备不提供“${MODE_LABELS[mode]}”`;
    else if (rateFor(eq.rates, category, mode) === undefined) errors.mode = `该设备未向${USER_CATEGORY_LABELS[category]}开放“${MODE_LABELS[mode]}”`;
    else if (mode === 'self' && !training && !errors.date) errors.mode = '机时自主使用须持有该设备在预约当天有效的操作培训记录（由网点登记）。可改选“委托操作”，或联系网点安排培训';
  }
  if (Object.keys(errors).length || !parsed.success || !times || !mode) throw new ValidationError(errors);
  const suspension = await repo.activeSuspension(db, company.id, now);
  if (suspension) {
    throw new ConflictError(`贵单位因${suspension.reason}，共享仪器在线预约已暂停至 ${formatDateTime(suspension.endsAt)}。如有特殊需要，请联系网点或平台（0580-2281001）。`, 'suspended');
  }
  const rateCents = rateFor(eq.rates, category, mode)!;
  const status: Booked['status'] = eq.autoApprove && training ? 'approved' : 'requested';
  return { eq, now, input: parsed.data, times, company, category, mode, rateCents, status, dayCheck };
}

type Prepared = Awaited<ReturnType<typeof prepare>>;

function rowOf(p: Prepared, user: Principal & { enterpriseId: number }, number: string, key: string | null): repo.NewEquipmentBooking {
  const minutes = (p.times.endsAt.getTime() - p.times.startsAt.getTime()) / 60_000;
  const v: BookingInput = p.input;
  return {
    number,
    kind: 'booking',
    equipmentId: p.eq.id,
    nodeId: p.eq.nodeId,
    enterpriseId: p.company.id,
    parkId: p.company.parkId,
    userCategory: p.category,
    mode: p.mode,
    startsAt: p.times.startsAt,
    endsAt: p.times.endsAt,
    status: p.status,
    purpose: v.purpose,
    sampleNote: v.sampleNote,
    contactName: v.contactName,
    contactMobile: v.contactMobile,
    rateCents: p.rateCents,
    billing: p.eq.billing,
    estimateCents: amountFor(p.rateCents, minutes),
    createdBy: user.id,
    idempotencyKey: key,
    createdAt: p.now,
    ...(p.status === 'approved' ? { decidedAt: p.now } : {}),
  };
}

/**
 * A company books an instrument. Every rule is checked first (time, training, rate, suspension); then the row is
 * inserted with its number, event and the node's message in one transaction. Two requests for overlapping hours both
 * pass those checks; the exclusion constraint lets exactly one insert commit and refuses the other (23P01), which
 * becomes a message with the next free slots. A double submit (same form key) answers with the first booking.
 */
export async function bookEquipment(db: Db, clock: Clock, user: Principal, equipmentId: number, input: unknown): Promise<Booked> {
  assertCan(user, 'equipment.book');
  const p = await prepare(db, clock, user, equipmentId, input);
  const key = IDEMPOTENCY_RE.test(p.input.idempotencyKey) ? p.input.idempotencyKey : null;
  try {
    const number = await inTransaction(db, async (tx) => {
      const day = shanghaiDate(p.now);
      const number = formatBookingNumber('YQ', day, await nextDailySequence(tx, 'YQ', day));
      const id = await repo.insertEquipmentBooking(tx, rowOf(p, user, number, key));
      await recordEvent(tx, { actorUserId: user.id, entityType: 'equipment_booking', entityId: id, action: 'equipment_booking.created', toState: p.status, data: { number, equipmentId: p.eq.id, startsAt: p.times.startsAt.toISOString(), endsAt: p.times.endsAt.toISOString(), mode: p.mode, rateCents: p.rateCents } });
      await notifyNodeStaff(tx, p.eq.nodeId, {
        bookingId: null,
        title: `${p.status === 'approved' ? '仪器预约（已自动确认）' : '新仪器预约待审批'} ${number}`,
        body: `${p.company.name} 预约 ${p.eq.name}（${describeRangeShort(p.times.startsAt, p.times.endsAt)}，${MODE_LABELS[p.mode]}）。`,
        link: equipmentBookingHref(number),
      });
      return number;
    });
    return { number, status: p.status, duplicate: false };
  } catch (err) {
    const code = pgErrorCode(err);
    if (code === UNIQUE_VIOLATION && key && pgConstraint(err) !== 'equipment_bookings_number_unique') {
      const existing = await repo.numberByIdempotencyKey(db, p.company.id, key);
      if (existing) return { number: existing, status: p.status, duplicate: true };
    }
    if (code === EXCLUSION_VIOLATION) throw await slotTaken(db, p);
    throw err;
  }
}

/** The refusal when the time was taken: which time, and the next free slots of the same length. */
async function slotTaken(db: Db, p: Prepared): Promise<ConflictError> {
  const minutes = (p.times.endsAt.getTime() - p.times.startsAt.getTime()) / 60_000;
  const rows = await heldUntilHorizon(db, p.eq.id, p.now, p.eq.horizonDays);
  const nextFree: FreeSlot[] = nextFreeSlots(p.eq, p.dayCheck, rows, p.now, p.times.startsAt, minutes);
  return new ConflictError(`${describeRangeShort(p.times.startsAt, p.times.endsAt)} 已被其他预约或设备维护占用（可能刚刚被预约），请选择其他时段。`, 'slot_taken', { nextFree, mode: p.mode as Mode });
}
