import type { Tx } from '../db/client.js';
import { recordEvent } from '../events/record.js';
import { notifyEnterpriseUsers } from '../notifications/notifications.repo.js';
import { formatDateTime } from '../shared/time.js';
import * as repo from './equipment.repo.js';

/**
 * The no-show rule: when a company reaches the platform's limit of no-shows (default 3) with booked starts within the
 * window (default 90 days), its online self-booking of shared equipment is suspended for a period (default 30 days),
 * with an in-app notice to every user of the company. Runs inside the transaction that records the no-show, under the
 * company's row lock, so two no-shows recorded at the same instant create one suspension, not two.
 */
export async function recordViolation(tx: Tx, enterpriseId: number, now: Date): Promise<{ suspended: boolean }> {
  await repo.lockEnterprise(tx, enterpriseId);
  if (await repo.activeSuspension(tx, enterpriseId, now)) return { suspended: false };
  const rules = await repo.readRules(tx);
  const since = new Date(now.getTime() - rules.windowDays * 86_400_000);
  const noShows = await repo.noShowsSince(tx, enterpriseId, since);
  if (noShows.length < rules.noShowLimit) return { suspended: false };
  const endsAt = new Date(now.getTime() + rules.suspensionDays * 86_400_000);
  const reason = `${rules.windowDays} 天内爽约 ${noShows.length} 次（${noShows.map((n) => n.number).join('、')}）`;
  const id = await repo.insertSuspension(tx, { enterpriseId, startsAt: now, endsAt, violations: noShows.length, reason });
  await recordEvent(tx, { actorUserId: null, entityType: 'enterprise', entityId: enterpriseId, action: 'equipment.suspended', note: reason, data: { suspensionId: id, until: endsAt.toISOString(), rule: { ...rules, updatedAt: undefined } } });
  await notifyEnterpriseUsers(tx, enterpriseId, {
    bookingId: null,
    title: '共享仪器自助预约已暂停',
    body: `贵单位${reason}，按平台规则（${rules.windowDays} 天内爽约 ${rules.noShowLimit} 次），自即日起至 ${formatDateTime(endsAt)} 暂停在线预约共享仪器。已确认的预约不受影响；如有异议或特殊情况，请联系平台（0580-2281001）。`,
    link: '/equipment/bookings',
  });
  return { suspended: true };
}
