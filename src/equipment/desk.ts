import { assertCan, can, type Principal } from '../auth/access.js';
import { EXCLUSION_VIOLATION, pgErrorCode, type Db } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.js';
import { addDays, instantOf, shanghaiDate, shanghaiTime, type Clock } from '../shared/time.js';
import { parseInput } from '../shared/validation.js';
import { amountFor, billedMinutes } from './domain.js';
import { checkOutSchema, reasonSchema } from './equipment.schemas.js';
import * as repo from './equipment.repo.js';
import { CHECK_IN_EARLY_MINUTES, EQUIPMENT_STATUS_TEXT, EQUIPMENT_TRANSITIONS, equipmentActionsFor, type ActorGroup, type EquipmentAction, type EquipmentBookingStatus } from './lifecycle.js';
import { applyEquipmentTransition, type SystemActor } from './transition.js';

/** The node's desk: tabs of its equipment bookings, each with the states it gathers. */
export const DESK_TABS = [
  { key: 'requested', label: '待审批', statuses: ['requested'] },
  { key: 'today', label: '今日上机', statuses: ['approved', 'checked_in'] },
  { key: 'upcoming', label: '已确认（待使用）', statuses: ['approved'] },
  { key: 'in_use', label: '使用中', statuses: ['checked_in'] },
  { key: 'history', label: '已结束', statuses: ['checked_out', 'no_show', 'cancelled', 'rejected'] },
] as const satisfies readonly { key: string; label: string; statuses: readonly EquipmentBookingStatus[] }[];
export type DeskTab = (typeof DESK_TABS)[number]['key'];

const scopeOf = (b: { enterpriseId: number | null; nodeId: number; parkId: number | null }) => ({ enterpriseId: b.enterpriseId, nodeId: b.nodeId, parkId: b.parkId });

export function makeDesk(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  /** A booking the user may see (404 otherwise), with the actions the user may take on it now. */
  async function load(user: Principal, number: string) {
    const booking = await repo.findBookingByNumber(db, number);
    if (!booking) throw new NotFoundError('该预约不存在，或您无权查看。');
    assertCan(user, 'equipment.read', scopeOf(booking));
    return booking;
  }

  /** Which side of a booking the user is on: the node's staff, the company, or neither (who may only read it). */
  function sideOf(user: Principal, booking: { enterpriseId: number | null; nodeId: number }): ActorGroup | null {
    if (can(user, 'equipment.operate', { nodeId: booking.nodeId })) return 'staff';
    if (can(user, 'equipment.book', { enterpriseId: booking.enterpriseId })) return 'enterprise';
    return null;
  }

  function actionsOf(user: Principal, booking: { status: EquipmentBookingStatus; kind: string; enterpriseId: number | null; nodeId: number }) {
    const side = sideOf(user, booking);
    return side ? equipmentActionsFor(booking.status, booking.kind === 'maintenance' ? 'maintenance' : 'booking', side) : [];
  }

  /** What a check-out form starts with: the check-in time and now (clamped to the booked day). */
  function checkOutDefaults(booking: repo.EquipmentBookingRow) {
    const now = clock.now();
    return { actualStart: shanghaiTime(booking.checkedInAt ?? booking.startsAt), actualEnd: shanghaiTime(now < booking.startsAt ? booking.endsAt : now) };
  }

  /** The check-out: actual times on the booked day → minutes used, billed by the frozen rule, amount at the frozen rate. */
  function checkOutPatch(booking: repo.EquipmentBookingRow, body: unknown, now: Date): Partial<repo.NewEquipmentBooking> {
    const v = parseInput(checkOutSchema, body);
    const day = shanghaiDate(booking.startsAt);
    const start = instantOf(day, v.actualStart);
    const end = instantOf(day, v.actualEnd);
    if (start.getTime() < booking.startsAt.getTime() - CHECK_IN_EARLY_MINUTES * 60_000) throw new ValidationError({ actualStart: `实际开始时间不能早于预约开始前 ${CHECK_IN_EARLY_MINUTES} 分钟` });
    if (end.getTime() > now.getTime() + 60_000) throw new ValidationError({ actualEnd: '实际结束时间不能晚于现在' });
    const actual = Math.round((end.getTime() - start.getTime()) / 60_000);
    const booked = Math.round((booking.endsAt.getTime() - booking.startsAt.getTime()) / 60_000);
    const charged = billedMinutes(booking.billing ?? 'actual', booked, actual);
    return { checkedInAt: start, checkedOutAt: end, chargedMinutes: charged, amountCents: amountFor(booking.rateCents ?? 0, charged) };
  }

  /** Takes an action on a booking: the company on its own (cancel), the node's staff on the node's (everything else). */
  async function act(user: Principal, number: string, action: EquipmentAction, body: unknown) {
    const booking = await load(user, number);
    const side = sideOf(user, booking);
    // Reading a booking is not acting on it (a park or the platform only reads); the wrong side is refused outright.
    if (!side || !EQUIPMENT_TRANSITIONS[action].by.includes(side)) throw new ForbiddenError(`您不能对该预约执行“${EQUIPMENT_TRANSITIONS[action].label}”。`);
    if (!actionsOf(user, booking).some((t) => t.action === action)) {
      throw new ConflictError(`该预约当前为“${EQUIPMENT_STATUS_TEXT[booking.status]}”，不能执行“${EQUIPMENT_TRANSITIONS[action].label}”。`, 'transition_refused');
    }
    const now = clock.now();
    const { reason } = parseInput(reasonSchema, body);
    let patch: Partial<repo.NewEquipmentBooking> = {};
    if (action === 'check_in' || action === 'undo_no_show') patch = { checkedInAt: now };
    if (action === 'check_out') patch = checkOutPatch(booking, body, now);
    try {
      await inTransaction(db, (tx) => applyEquipmentTransition(tx, booking.id, action, user, { now, note: reason, patch, data: patch.amountCents !== undefined ? { chargedMinutes: patch.chargedMinutes, amountCents: patch.amountCents } : {} }));
    } catch (err) {
      if (pgErrorCode(err) === EXCLUSION_VIOLATION) throw new ConflictError('该时段已被其他预约占用，不能更正为已到场。', 'slot_taken');
      throw err;
    }
    return booking;
  }

  /** The node's desk: one tab of its bookings, with counts of every tab. */
  async function desk(user: Principal, tabKey: string | undefined) {
    assertCan(user, 'equipment.operate');
    const tab = DESK_TABS.find((t) => t.key === tabKey) ?? DESK_TABS[0];
    const now = clock.now();
    const today = shanghaiDate(now);
    const window =
      tab.key === 'today'
        ? { from: instantOf(today, '00:00'), to: instantOf(addDays(today, 1), '00:00') }
        : tab.key === 'upcoming'
          ? { from: instantOf(today, '00:00') }
          : tab.key === 'history'
            ? { newestFirst: true, limit: 100 }
            : {};
    const [rows, counts] = await Promise.all([
      repo.bookingsOfNode(db, user.nodeId, { statuses: tab.statuses, kind: 'booking', ...window }),
      repo.nodeStatusCounts(db, user.nodeId),
    ]);
    const countOf = (statuses: readonly EquipmentBookingStatus[]) => counts.filter((c) => statuses.includes(c.status)).reduce((s, c) => s + c.n, 0);
    return {
      tab,
      // Today's count is the tab's own rows; the history grows without end and is not counted.
      tabs: DESK_TABS.map((t) => ({ ...t, count: t.key === 'history' ? null : t.key === 'today' ? (tab.key === 'today' ? rows.length : null) : countOf(t.statuses) })),
      rows: rows.map((r) => ({ ...r, actions: actionsOf(user, r) })),
      suspensions: await repo.suspensionsInForce(db, now),
      now,
    };
  }

  /**
   * The periodic job: approved bookings not checked in `noShowMinutes` after their start become no-shows (and count
   * towards the no-show rule). Each in its own transaction under the row lock, so it is safe on every worker at once:
   * a row another worker took meanwhile is no longer `approved` and is skipped by the lifecycle check.
   */
  async function sweepNoShows(): Promise<number> {
    const now = clock.now();
    const system: SystemActor = { id: null, role: 'system', name: '系统' };
    let marked = 0;
    for (const id of await repo.dueNoShows(db, now)) {
      try {
        await inTransaction(db, (tx) => applyEquipmentTransition(tx, id, 'no_show', system, { now, note: '超过爽约判定时间未签到（系统记录）' }));
        marked++;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    return marked;
  }

  return { load, actionsOf, act, desk, sweepNoShows, checkOutDefaults, timeline: (id: number) => repo.timelineOf(db, id) };
}

export type Desk = ReturnType<typeof makeDesk>;
