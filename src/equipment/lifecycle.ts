import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { equipmentBookingStatus } from '../db/schema.js';

/**
 * The equipment booking lifecycle — one table holds every transition: who takes it, from which states, for which kind
 * of row (a company's booking or a maintenance block), when in time it may happen, whether a reason is required, whom
 * it concerns, and whether it counts as a violation. `applyEquipmentTransition` is the one executor.
 *
 * requested ─approve→ approved ─check_in→ checked_in ─check_out→ checked_out
 * requested ─reject→ rejected;  requested|approved ─cancel (company, before the start)│withdraw (node)→ cancelled
 * approved ─no_show (staff or the periodic job, N minutes after the start)→ no_show ─undo_no_show→ checked_in
 * maintenance block: approved ─end_block→ cancelled
 * A booking of a trained user is created `approved` when the instrument auto-approves; otherwise `requested`.
 */
export const EQUIPMENT_BOOKING_STATUSES = equipmentBookingStatus.enumValues;
export type EquipmentBookingStatus = (typeof EQUIPMENT_BOOKING_STATUSES)[number];

export const EQUIPMENT_STATUS_TEXT: Record<EquipmentBookingStatus, string> = {
  requested: '待审批',
  approved: '已确认',
  checked_in: '使用中',
  checked_out: '已完成',
  no_show: '爽约',
  cancelled: '已取消',
  rejected: '未通过',
};

/** Rows that hold the instrument: the exclusion constraint of migration `equipment_no_overlap` lists the same states. */
export const HOLDING_STATUSES = ['requested', 'approved', 'checked_in', 'checked_out'] as const satisfies readonly EquipmentBookingStatus[];
/** Booked hours in utilisation statistics: confirmed time, used or not. */
export const BOOKED_STATUSES = ['approved', 'checked_in', 'checked_out', 'no_show'] as const satisfies readonly EquipmentBookingStatus[];
/** Still ahead of the company: shown under "upcoming". */
export const LIVE_STATUSES = ['requested', 'approved', 'checked_in'] as const satisfies readonly EquipmentBookingStatus[];

export function statusIn(column: SQLWrapper, group: readonly EquipmentBookingStatus[]): SQL {
  return sql`${column} IN (${sql.join(group.map((s) => sql`${s}::equipment_booking_status`), sql`, `)})`;
}

export type EquipmentAction = 'approve' | 'reject' | 'cancel' | 'withdraw' | 'check_in' | 'check_out' | 'no_show' | 'undo_no_show' | 'end_block';
export type ActorGroup = 'enterprise' | 'staff' | 'system';
export type RowKind = 'booking' | 'maintenance';
/** When, relative to the booked time, a transition may be taken. */
export type Timing = 'any' | 'before_start' | 'before_end' | 'check_in_window' | 'after_grace';

export interface EquipmentTransition {
  action: EquipmentAction;
  label: string;
  from: readonly EquipmentBookingStatus[];
  to: EquipmentBookingStatus;
  by: readonly ActorGroup[];
  kinds: readonly RowKind[];
  timing: Timing;
  reasonRequired: boolean;
  notify: 'enterprise' | 'node' | 'none';
  /** Counts towards the no-show rule (suspension of self-booking). */
  violation: boolean;
}

const STAFF = ['staff'] as const;
const B = ['booking'] as const;

export const EQUIPMENT_TRANSITIONS: Record<EquipmentAction, EquipmentTransition> = {
  approve: { action: 'approve', label: '审批通过', from: ['requested'], to: 'approved', by: STAFF, kinds: B, timing: 'before_end', reasonRequired: false, notify: 'enterprise', violation: false },
  reject: { action: 'reject', label: '不予通过', from: ['requested'], to: 'rejected', by: STAFF, kinds: B, timing: 'any', reasonRequired: true, notify: 'enterprise', violation: false },
  cancel: { action: 'cancel', label: '取消预约', from: ['requested', 'approved'], to: 'cancelled', by: ['enterprise'], kinds: B, timing: 'before_start', reasonRequired: false, notify: 'node', violation: false },
  withdraw: { action: 'withdraw', label: '网点取消', from: ['requested', 'approved'], to: 'cancelled', by: STAFF, kinds: B, timing: 'before_end', reasonRequired: true, notify: 'enterprise', violation: false },
  check_in: { action: 'check_in', label: '签到上机', from: ['approved'], to: 'checked_in', by: STAFF, kinds: B, timing: 'check_in_window', reasonRequired: false, notify: 'none', violation: false },
  check_out: { action: 'check_out', label: '签退结算', from: ['checked_in'], to: 'checked_out', by: STAFF, kinds: B, timing: 'any', reasonRequired: false, notify: 'enterprise', violation: false },
  no_show: { action: 'no_show', label: '记为爽约', from: ['approved'], to: 'no_show', by: ['staff', 'system'], kinds: B, timing: 'after_grace', reasonRequired: false, notify: 'enterprise', violation: true },
  undo_no_show: { action: 'undo_no_show', label: '更正：已到场签到', from: ['no_show'], to: 'checked_in', by: STAFF, kinds: B, timing: 'before_end', reasonRequired: true, notify: 'enterprise', violation: false },
  end_block: { action: 'end_block', label: '解除维护占用', from: ['approved'], to: 'cancelled', by: STAFF, kinds: ['maintenance'], timing: 'any', reasonRequired: false, notify: 'none', violation: false },
};

export function isEquipmentAction(value: string): value is EquipmentAction {
  return Object.hasOwn(EQUIPMENT_TRANSITIONS, value);
}

/** Check-in opens this long before the start. */
export const CHECK_IN_EARLY_MINUTES = 30;

export interface TimedRow {
  startsAt: Date;
  endsAt: Date;
  noShowMinutes: number;
}

/** Why the time refuses a transition now, or null when it may be taken. */
export function timingRefusal(timing: Timing, row: TimedRow, now: Date): string | null {
  const t = now.getTime();
  switch (timing) {
    case 'any':
      return null;
    case 'before_start':
      return t < row.startsAt.getTime() ? null : '预约时段已开始，不能再在线取消；如不能到场，请尽快联系网点';
    case 'before_end':
      return t < row.endsAt.getTime() ? null : '预约时段已结束';
    case 'check_in_window':
      if (t < row.startsAt.getTime() - CHECK_IN_EARLY_MINUTES * 60_000) return `开始前 ${CHECK_IN_EARLY_MINUTES} 分钟起才能签到`;
      return t < row.endsAt.getTime() ? null : '预约时段已结束，不能再签到；请记为爽约或由企业重新预约';
    case 'after_grace': {
      const from = row.startsAt.getTime() + row.noShowMinutes * 60_000;
      return t >= from ? null : `开始 ${row.noShowMinutes} 分钟后仍未签到，才能记为爽约`;
    }
  }
}

/** The transitions a group may take on a row in this state and kind (for the buttons; time is checked on submit). */
export function equipmentActionsFor(status: EquipmentBookingStatus, kind: RowKind, group: ActorGroup): EquipmentTransition[] {
  return Object.values(EQUIPMENT_TRANSITIONS).filter((tr) => tr.by.includes(group) && tr.kinds.includes(kind) && tr.from.includes(status));
}

/** Timeline wording of every event an equipment booking can have. */
export const EQUIPMENT_EVENT_LABELS: Record<string, string> = {
  'equipment_booking.created': '提交预约',
  'equipment_booking.blocked': '维护占用',
  ...Object.fromEntries(Object.values(EQUIPMENT_TRANSITIONS).map((tr) => [`equipment_booking.${tr.action}`, tr.label])),
};

/** Wording of every open-sharing event in the audit log: bookings, instruments, training, rules and suspensions. */
export const EQUIPMENT_AUDIT_LABELS: Record<string, string> = {
  ...Object.fromEntries(Object.entries(EQUIPMENT_EVENT_LABELS).map(([k, v]) => [k, `仪器预约：${v}`])),
  'equipment.created': '新增共享设备',
  'equipment.updated': '修改共享设备',
  'equipment.photo': '更新设备照片',
  'equipment.training_added': '登记设备操作培训',
  'equipment.training_revoked': '撤销设备操作培训',
  'equipment.offered': '企业提供共享设备',
  'equipment.review_approve': '共享设备审核通过',
  'equipment.review_reject': '共享设备审核不通过',
  'equipment.suspended': '暂停单位在线预约（爽约）',
  'equipment.suspension_lifted': '解除单位预约暂停',
  'equipment.rules_changed': '修改爽约规则',
  'enterprise.org_type': '认定单位类别（科研院所）',
};
