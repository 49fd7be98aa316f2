import { assertCan, type Principal } from '../auth/access.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { NotFoundError } from '../shared/errors.js';
import { addDays, shanghaiDate } from '../shared/time.js';
import type { WindowDeps } from './context.js';
import * as repo from './window.repo.js';

/** The node manager's page: who at the node holds the window duty. */
export async function dutyRoster(deps: WindowDeps, manager: Principal) {
  assertCan(manager, 'window.grant');
  return repo.nodeStaff(deps.db, manager.nodeId);
}

export async function setDuty(deps: WindowDeps, manager: Principal, userId: number, on: boolean): Promise<{ name: string }> {
  assertCan(manager, 'window.grant');
  const target = (await repo.nodeStaff(deps.db, manager.nodeId)).find((u) => u.id === userId);
  if (!target) throw new NotFoundError('该人员不存在。');
  await inTransaction(deps.db, async (tx) => {
    await repo.setWindowDuty(tx, userId, on);
    await recordEvent(tx, { actorUserId: manager.id, entityType: 'user', entityId: userId, action: on ? 'window.duty_granted' : 'window.duty_withdrawn', data: { nodeId: manager.nodeId, before: { windowDuty: target.windowDuty }, after: { windowDuty: on } } });
  });
  return { name: target.name };
}

/** The window's figures: per day for the last 14 days, and bookings by channel at the node over 30 days. */
export async function windowStats(deps: WindowDeps, user: Principal) {
  assertCan(user, 'window.operate');
  const now = deps.clock.now();
  const today = shanghaiDate(now);
  const [days, split] = await Promise.all([
    repo.windowDays(deps.db, user.nodeId, addDays(today, -13), today),
    repo.channelSplit(deps.db, user.nodeId, new Date(now.getTime() - 30 * 86_400_000), now),
  ]);
  return { days, split };
}
