import { eq, sql } from 'drizzle-orm';
import type { Principal } from '../auth/access.js';
import { bookingHref } from '../bookings/bookings.view.js';
import type { Tx } from '../db/client.js';
import { reportRevisions, type revisionStatus } from '../db/schema.js';
import { recordEvent } from '../events/record.js';
import { notifyEnterpriseUsers, notifyNodeStaff } from '../notifications/notifications.repo.js';
import { ConflictError, ForbiddenError, ValidationError } from '../shared/errors.js';

/**
 * A report revision's lifecycle — the same shape as the booking's (one table, one executor): who may take each step,
 * from which states, whether a reason is required, whom to tell.
 *
 * (open) → entering ─submit→ to_verify ─verify→ verified ─issue→ issued
 *          to_verify|verified ─retract→ entering;  entering|to_verify|verified ─withdraw→ withdrawn
 */
export type RevisionStatus = (typeof revisionStatus.enumValues)[number];
export type RevisionRow = typeof reportRevisions.$inferSelect;

export const REVISION_STATUS_LABELS: Record<RevisionStatus, string> = {
  entering: '更正中（录入结果）',
  to_verify: '更正待审核',
  verified: '更正待签发',
  issued: '已签发新版本',
  withdrawn: '已撤回',
};

export const OPEN_REVISION_STATUSES = ['entering', 'to_verify', 'verified'] as const satisfies readonly RevisionStatus[];

export type RevisionAction = 'submit_revision' | 'verify_revision' | 'retract_revision' | 'issue_revision' | 'withdraw_revision';

export interface RevisionTransition {
  action: RevisionAction;
  label: string;
  from: readonly RevisionStatus[];
  to: RevisionStatus;
  reasonRequired: boolean;
  notify: 'enterprise' | 'node';
}

export const REVISION_TRANSITIONS: Record<RevisionAction, RevisionTransition> = {
  submit_revision: { action: 'submit_revision', label: '提交更正结果', from: ['entering'], to: 'to_verify', reasonRequired: false, notify: 'node' },
  verify_revision: { action: 'verify_revision', label: '审核更正结果', from: ['to_verify'], to: 'verified', reasonRequired: false, notify: 'node' },
  retract_revision: { action: 'retract_revision', label: '退回更正', from: ['to_verify', 'verified'], to: 'entering', reasonRequired: true, notify: 'node' },
  issue_revision: { action: 'issue_revision', label: '签发更正版本', from: ['verified'], to: 'issued', reasonRequired: false, notify: 'enterprise' },
  withdraw_revision: { action: 'withdraw_revision', label: '撤回更正', from: ['entering', 'to_verify', 'verified'], to: 'withdrawn', reasonRequired: true, notify: 'node' },
};

export function isRevisionAction(value: string): value is RevisionAction {
  return Object.hasOwn(REVISION_TRANSITIONS, value);
}

export function revisionActionsFor(status: RevisionStatus): RevisionTransition[] {
  return Object.values(REVISION_TRANSITIONS).filter((t) => t.from.includes(status));
}

export async function lockOpenRevision(tx: Tx, bookingId: number): Promise<RevisionRow | undefined> {
  const rows = await tx
    .select()
    .from(reportRevisions)
    .where(sql`${reportRevisions.bookingId} = ${bookingId} AND ${reportRevisions.status} IN ('entering', 'to_verify', 'verified')`)
    .for('update');
  return rows[0];
}

/**
 * Takes one revision step inside the caller's transaction: locks the open revision, checks the table, writes the new
 * state and `patch`, records the event on the booking's timeline and tells the other side. Staff of the node only.
 */
export async function applyRevisionTransition(
  tx: Tx,
  booking: { id: number; number: string; nodeId: number; enterpriseId: number },
  action: RevisionAction,
  actor: Principal,
  input: { note?: string | null; patch?: Partial<typeof reportRevisions.$inferInsert>; message?: string } = {},
): Promise<RevisionRow> {
  if (actor.role !== 'lab_staff' && actor.role !== 'node_manager') throw new ForbiddenError();
  const transition = REVISION_TRANSITIONS[action];
  const revision = await lockOpenRevision(tx, booking.id);
  if (!revision) throw new ConflictError('该报告当前没有进行中的更正。', 'no_revision');
  if (!transition.from.includes(revision.status)) {
    throw new ConflictError(`更正当前为“${REVISION_STATUS_LABELS[revision.status]}”，不能执行“${transition.label}”。`, 'transition_refused');
  }
  const note = input.note?.trim() || null;
  if (transition.reasonRequired && !note) throw new ValidationError({ reason: `请填写${transition.label}的原因` });
  const closes = transition.to === 'issued' || transition.to === 'withdrawn';
  await tx
    .update(reportRevisions)
    .set({ status: transition.to, ...(closes ? { closedAt: sql`now()` } : {}), ...input.patch })
    .where(eq(reportRevisions.id, revision.id));
  await recordEvent(tx, {
    actorUserId: actor.id,
    entityType: 'booking',
    entityId: booking.id,
    action: `revision.${action}`,
    fromState: revision.status,
    toState: transition.to,
    note,
    data: { reportNumber: revision.reportNumber, version: revision.version },
  });
  const message = {
    bookingId: booking.id,
    title: `${booking.number} 报告更正：${transition.label}`,
    body: input.message ?? `报告 ${revision.reportNumber} 第 ${revision.version} 版（更正）：${REVISION_STATUS_LABELS[revision.status]} → ${REVISION_STATUS_LABELS[transition.to]}${note ? `。说明：${note}` : ''}`,
  };
  if (transition.notify === 'enterprise') await notifyEnterpriseUsers(tx, booking.enterpriseId, { ...message, link: bookingHref(booking.number) });
  else await notifyNodeStaff(tx, booking.nodeId, { ...message, link: bookingHref(booking.number, 'staff') });
  return revision;
}
