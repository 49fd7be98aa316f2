import { and, asc, eq, inArray, isNull, or } from 'drizzle-orm';
import { assertCan, type Principal } from '../auth/access.js';
import { nodes, users } from '../db/schema.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { NotFoundError } from '../shared/errors.js';
import type { ChainsDeps } from './context.js';

/** Who may hold the coordinator duty: the city centre's staff and the platform admins (active accounts). */
const eligible = or(eq(users.role, 'platform_admin'), and(inArray(users.role, ['lab_staff', 'node_manager']), eq(nodes.kind, 'centre')));

export async function coordinatorCandidates(deps: Pick<ChainsDeps, 'db'>, user: Principal) {
  assertCan(user, 'user.manage');
  return deps.db
    .select({ id: users.id, name: users.name, role: users.role, nodeName: nodes.name, since: users.coordinatorSince })
    .from(users)
    .leftJoin(nodes, eq(nodes.id, users.nodeId))
    .where(and(eq(users.active, true), eligible))
    .orderBy(asc(users.role), asc(users.id));
}

/** Grants or revokes the duty; anyone else (a station's staff, a company) is not a candidate: 404. */
export async function setCoordinator(deps: Pick<ChainsDeps, 'db' | 'clock'>, user: Principal, userId: number, on: boolean): Promise<void> {
  assertCan(user, 'user.manage');
  const [target] = await deps.db.select({ id: users.id }).from(users).leftJoin(nodes, eq(nodes.id, users.nodeId)).where(and(eq(users.id, userId), eq(users.active, true), eligible));
  if (!target) throw new NotFoundError('该账号不能担任协调人（限市服务中心人员和平台管理员）。');
  await inTransaction(deps.db, async (tx) => {
    await tx.update(users).set({ coordinatorSince: on ? deps.clock.now() : null }).where(and(eq(users.id, userId), on ? isNull(users.coordinatorSince) : eq(users.id, userId)));
    await recordEvent(tx, { actorUserId: user.id, entityType: 'user', entityId: userId, action: on ? 'user.coordinator_granted' : 'user.coordinator_revoked' });
  });
}
