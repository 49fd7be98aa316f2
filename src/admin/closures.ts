import type { Principal } from '../auth/access.js';
import { describeWindow } from '../capacity/availability.js';
import type { Tx } from '../db/client.js';
import { bookingHref } from '../bookings/bookings.view.js';
import { notifyEnterpriseUsers } from '../notifications/notifications.repo.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { addDays } from '../shared/time.js';
import { parseInput } from '../shared/validation.js';
import { closureSchema } from './admin.schemas.js';
import { auditChange, changeNetwork, todayOf, type NetworkDeps } from './context.js';
import * as repo from './network.repo.js';
import { nodeInScope } from './nodes.js';

/** Longest closure set at once, in days. */
const MAX_CLOSURE_DAYS = 90;

/** Tells each company with a live booking in the closed days, in the closure's transaction. */
async function notifyAffected(tx: Tx, node: repo.NodeRow, closure: { startDate: string; endDate: string; reason: string }) {
  const affected = await repo.liveBookingsInRange(tx, node.id, closure.startDate, closure.endDate);
  for (const b of affected) {
    await notifyEnterpriseUsers(tx, b.enterpriseId, {
      bookingId: b.id,
      title: `${b.number} 所在时段网点暂停服务`,
      body: `${node.name} ${closure.startDate} 至 ${closure.endDate} 暂停服务（${closure.reason}）。您的预约 ${describeWindow(b.date, b.window)} 受影响，请改期或联系 ${node.phone}。`,
      link: bookingHref(b.number),
    });
  }
  return affected.map((b) => b.number);
}

/** A closure (typhoon, maintenance): no windows are offered; companies with live bookings in it are told. */
export async function addClosure(deps: NetworkDeps, user: Principal, nodeId: number, input: unknown) {
  const node = await nodeInScope(deps, user, nodeId);
  const v = parseInput(closureSchema, input);
  if (v.startDate < todayOf(deps)) throw new ValidationError({ startDate: '不能为已过去的日期设置暂停' });
  if (v.endDate > addDays(v.startDate, MAX_CLOSURE_DAYS)) throw new ValidationError({ endDate: `一次暂停最长 ${MAX_CLOSURE_DAYS} 天` });
  return changeNetwork(deps, async (tx) => {
    const closure = await repo.insertClosure(tx, { nodeId: node.id, startDate: v.startDate, endDate: v.endDate, reason: v.reason, createdBy: user.id });
    const affected = await notifyAffected(tx, node, v);
    await auditChange(tx, user, 'closure', closure.id, 'closure.created', null, closure, `${node.shortName}：${v.reason}（影响 ${affected.length} 笔预约）`);
    return { closure, affected };
  });
}

export async function removeClosure(deps: NetworkDeps, user: Principal, nodeId: number, closureId: number) {
  await nodeInScope(deps, user, nodeId);
  await changeNetwork(deps, async (tx) => {
    const removed = await repo.deleteClosure(tx, nodeId, closureId);
    if (!removed) throw new NotFoundError('该暂停安排不存在。');
    await auditChange(tx, user, 'closure', closureId, 'closure.removed', removed, null);
  });
}
