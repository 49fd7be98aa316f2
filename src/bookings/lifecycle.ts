import type { Role } from '../auth/access.js';
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { bookingStatus } from '../db/schema.js';

/**
 * The booking lifecycle — one table holds every transition: who may take it, from which states, where it leads,
 * whether a reason is required, and whom it concerns. Services ask `transitionFor`; nothing else decides.
 *
 * submitted ─accept→ accepted ─receive→ received ─start→ in_progress ─submit_results→ to_verify ─verify→ verified
 *   ─issue_report→ reported ─complete→ completed
 * submitted ─needs_info→ needs_info ─resubmit→ submitted;  submitted|needs_info ─reject→ rejected
 * to_verify|verified ─retract→ in_progress;  submitted|needs_info|accepted ─cancel (enterprise)→ cancelled
 */
/** The states, in lifecycle order: the database enum is the one list. */
export const BOOKING_STATUSES = bookingStatus.enumValues;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

export const STATUS_LABELS: Record<BookingStatus, string> = {
  submitted: '待受理',
  needs_info: '待补正',
  accepted: '已受理',
  received: '已收样',
  in_progress: '检测中',
  to_verify: '待审核',
  verified: '待出报告',
  reported: '已出报告',
  completed: '已办结',
  rejected: '不予受理',
  cancelled: '已取消',
};

/*
 * Groupings of states, the one place each is spelled out. Services, queues, statistics (through `statusIn`) and views
 * ask these; nowhere else lists states by hand.
 */
/** Work the node still has to do: from submission to a verified result. */
export const OPEN_STATUSES = ['submitted', 'needs_info', 'accepted', 'received', 'in_progress', 'to_verify', 'verified'] as const satisfies readonly BookingStatus[];
/** The report is out: done from the node's side. */
export const FINISHED_STATUSES = ['reported', 'completed'] as const satisfies readonly BookingStatus[];
/** Ended without a report. */
export const CLOSED_STATUSES = ['rejected', 'cancelled'] as const satisfies readonly BookingStatus[];
/** Nothing more will happen to the booking itself. */
export const FINAL_STATUSES = ['completed', 'rejected', 'cancelled'] as const satisfies readonly BookingStatus[];
/** The booking still holds its capacity units (given back on cancel and reject). */
export const HOLDS_CAPACITY = ['submitted', 'needs_info', 'accepted'] as const satisfies readonly BookingStatus[];
/** The company may move the booking to another window (not while it is back with the company for corrections). */
export const RESCHEDULABLE = ['submitted', 'accepted'] as const satisfies readonly BookingStatus[];

/** The way every booking goes when nothing goes wrong, in order: the stages of the 办件进度 bar. */
export const MAIN_PATH = ['submitted', 'accepted', 'received', 'in_progress', 'to_verify', 'verified', 'reported', 'completed'] as const satisfies readonly BookingStatus[];
export type MainStage = (typeof MAIN_PATH)[number];

/** Each stage of the main path as the step bar names it: the step that reaches it. */
export const STAGE_LABELS: Record<MainStage, string> = {
  submitted: '提交申请',
  accepted: '受理',
  received: '收样 / 到场',
  in_progress: '开始检测',
  to_verify: '提交结果',
  verified: '审核通过',
  reported: '出具报告',
  completed: '办结',
};

export function isIn(status: BookingStatus, group: readonly BookingStatus[]): boolean {
  return group.includes(status);
}

export const isOpen = (status: BookingStatus) => isIn(status, OPEN_STATUSES);
export const holdsCapacity = (status: BookingStatus) => isIn(status, HOLDS_CAPACITY);
export const canReschedule = (status: BookingStatus) => isIn(status, RESCHEDULABLE);
export const hasReport = (status: BookingStatus) => isIn(status, FINISHED_STATUSES);

/** A grouping as an SQL condition on a status column: `${statusIn(sql`b.status`, OPEN_STATUSES)}`. */
export function statusIn(column: SQLWrapper, group: readonly BookingStatus[]): SQL {
  return sql`${column} IN (${sql.join(group.map((s) => sql`${s}::booking_status`), sql`, `)})`;
}

export type TransitionAction =
  | 'accept'
  | 'reject'
  | 'needs_info'
  | 'resubmit'
  | 'receive'
  | 'start'
  | 'submit_results'
  | 'verify'
  | 'retract'
  | 'issue_report'
  | 'complete'
  | 'cancel';

export interface Transition {
  action: TransitionAction;
  label: string;
  from: readonly BookingStatus[];
  to: BookingStatus;
  roles: readonly Role[];
  /** A reason is required (shown to the other side and kept in the timeline). */
  reasonRequired: boolean;
  /** The capacity units go back to the window. */
  releasesCapacity: boolean;
  /** Who gets the in-app message. */
  notify: 'enterprise' | 'node';
}

const STAFF: readonly Role[] = ['lab_staff', 'node_manager'];
const ENTERPRISE: readonly Role[] = ['enterprise'];

export const TRANSITIONS: Record<TransitionAction, Transition> = {
  accept: { action: 'accept', label: '受理', from: ['submitted'], to: 'accepted', roles: STAFF, reasonRequired: false, releasesCapacity: false, notify: 'enterprise' },
  reject: { action: 'reject', label: '不予受理', from: ['submitted', 'needs_info'], to: 'rejected', roles: STAFF, reasonRequired: true, releasesCapacity: true, notify: 'enterprise' },
  needs_info: { action: 'needs_info', label: '要求补正', from: ['submitted'], to: 'needs_info', roles: STAFF, reasonRequired: true, releasesCapacity: false, notify: 'enterprise' },
  resubmit: { action: 'resubmit', label: '补正后重新提交', from: ['needs_info'], to: 'submitted', roles: ENTERPRISE, reasonRequired: false, releasesCapacity: false, notify: 'node' },
  receive: { action: 'receive', label: '收样/到场', from: ['accepted'], to: 'received', roles: STAFF, reasonRequired: false, releasesCapacity: false, notify: 'enterprise' },
  start: { action: 'start', label: '开始检测', from: ['received'], to: 'in_progress', roles: STAFF, reasonRequired: false, releasesCapacity: false, notify: 'enterprise' },
  submit_results: { action: 'submit_results', label: '提交结果', from: ['in_progress'], to: 'to_verify', roles: STAFF, reasonRequired: false, releasesCapacity: false, notify: 'node' },
  verify: { action: 'verify', label: '审核通过', from: ['to_verify'], to: 'verified', roles: STAFF, reasonRequired: false, releasesCapacity: false, notify: 'node' },
  retract: { action: 'retract', label: '退回重做', from: ['to_verify', 'verified'], to: 'in_progress', roles: STAFF, reasonRequired: true, releasesCapacity: false, notify: 'node' },
  issue_report: { action: 'issue_report', label: '签发报告', from: ['verified'], to: 'reported', roles: STAFF, reasonRequired: false, releasesCapacity: false, notify: 'enterprise' },
  complete: { action: 'complete', label: '确认办结', from: ['reported'], to: 'completed', roles: ENTERPRISE, reasonRequired: false, releasesCapacity: false, notify: 'node' },
  cancel: { action: 'cancel', label: '取消预约', from: ['submitted', 'needs_info', 'accepted'], to: 'cancelled', roles: ENTERPRISE, reasonRequired: true, releasesCapacity: true, notify: 'node' },
};

export function isTransitionAction(value: string): value is TransitionAction {
  return Object.hasOwn(TRANSITIONS, value);
}

export type TransitionCheck = { ok: true; transition: Transition } | { ok: false; reason: string };

/** May `role` take `action` on a booking in `status`? The message says why not. */
export function transitionFor(action: TransitionAction, status: BookingStatus, role: Role): TransitionCheck {
  const transition = TRANSITIONS[action];
  if (!transition.roles.includes(role)) return { ok: false, reason: `您的角色不能执行“${transition.label}”。` };
  if (!transition.from.includes(status)) {
    return { ok: false, reason: `预约当前状态为“${STATUS_LABELS[status]}”，不能执行“${transition.label}”。` };
  }
  return { ok: true, transition };
}

/** The actions a role can take on a booking in this state (for the buttons on the page). */
export function availableActions(status: BookingStatus, role: Role): Transition[] {
  return Object.values(TRANSITIONS).filter((t) => t.roles.includes(role) && t.from.includes(status));
}

/** Timeline wording of every event a booking can have. */
export const EVENT_LABELS: Record<string, string> = {
  'booking.submitted': '提交预约',
  'booking.rescheduled': '改期',
  'booking.accept': '受理',
  'booking.reject': '不予受理',
  'booking.needs_info': '要求补正',
  'booking.resubmit': '补正后重新提交',
  'booking.receive': '收样 / 到场',
  'booking.start': '开始检测',
  'booking.submit_results': '提交检测结果',
  'booking.verify': '审核通过',
  'booking.retract': '退回重做',
  'booking.issue_report': '签发报告',
  'booking.complete': '办结',
  'booking.cancel': '取消预约',
  'booking.evaluated': '服务评价',
  'report.revised': '报告更正（新版本）',
  'report.revoked': '报告撤销',
  'report.pdf_uploaded': '上传签章报告（待确认）',
  'report.pdf_confirmed': '确认签章报告',
  'report.pdf_discarded': '退回签章报告',
  'revision.open': '发起报告更正',
  'revision.submit_revision': '提交更正结果',
  'revision.verify_revision': '审核更正结果',
  'revision.retract_revision': '退回更正',
  'revision.issue_revision': '签发更正版本',
  'revision.withdraw_revision': '撤回更正',
  'fee.confirmed': '核定费用',
  'fee.payment': '登记缴费',
  'fee.invoice_requested': '申请开票',
  'fee.invoice_issued': '开具发票',
};
