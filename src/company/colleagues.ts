import { assertCan, type Principal } from '../auth/access.js';
import { hashPassword } from '../auth/password.js';
import { setPassword } from '../auth/auth.repo.js';
import { temporaryPassword } from '../admin/users.js';
import { inTransaction } from '../db/tx.js';
import { findEnterpriseById } from '../enterprises/enterprises.repo.js';
import { recordEvent } from '../events/record.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import * as repo from './company.repo.js';
import { adminSwitchSchema } from './company.schemas.js';
import type { CompanyDeps } from './context.js';

export const LAST_ADMIN_MESSAGE = '企业至少要保留一名在用的企业管理员。请先将另一位同事设为管理员。';

/** The workspace page: the company, its colleagues, open invitations and join requests. */
export async function workspace(deps: CompanyDeps, user: Principal) {
  assertCan(user, 'company.manage');
  const enterprise = await findEnterpriseById(deps.db, user.enterpriseId);
  if (!enterprise) throw new NotFoundError();
  const [colleagues, invitations, joinRequests] = await Promise.all([
    repo.listColleagues(deps.db, user.enterpriseId),
    repo.listOpenInvitations(deps.db, user.enterpriseId, deps.clock.now()),
    repo.listPendingJoinRequests(deps.db, user.enterpriseId),
  ]);
  return { enterprise, colleagues, invitations, joinRequests, emailEnabled: deps.emailEnabled };
}

/**
 * Changes a colleague under the company's row lock: the last active admin can be neither demoted nor deactivated,
 * even when two admins act at the same moment.
 */
async function changeColleague(deps: CompanyDeps, user: Principal, targetId: number, change: { active?: boolean; companyAdmin?: boolean }, action: string) {
  assertCan(user, 'company.manage');
  const enterpriseId = user.enterpriseId;
  const target = await repo.findColleague(deps.db, enterpriseId, targetId);
  if (!target) throw new NotFoundError('该同事不存在。');
  await inTransaction(deps.db, async (tx) => {
    await repo.lockCompany(tx, enterpriseId);
    const before = await repo.findColleague(tx, enterpriseId, targetId);
    if (!before) throw new NotFoundError('该同事不存在。');
    const losesAdmin = before.companyAdmin && before.active && (change.active === false || change.companyAdmin === false);
    if (losesAdmin && (await repo.countActiveAdmins(tx, enterpriseId)) <= 1) throw new ConflictError(LAST_ADMIN_MESSAGE, 'last_admin');
    await repo.updateColleague(tx, targetId, change);
    await recordEvent(tx, {
      actorUserId: user.id,
      entityType: 'user',
      entityId: targetId,
      action,
      data: { enterpriseId, before: { active: before.active, companyAdmin: before.companyAdmin }, after: change },
    });
  });
  if (change.active === false) await deps.destroySessions(targetId);
  return target;
}

export function setColleagueActive(deps: CompanyDeps, user: Principal, targetId: number, active: boolean) {
  return changeColleague(deps, user, targetId, { active }, active ? 'company.user_reactivated' : 'company.user_deactivated');
}

export function setColleagueAdmin(deps: CompanyDeps, user: Principal, targetId: number, input: unknown) {
  const { admin } = parseInput(adminSwitchSchema, input);
  return changeColleague(deps, user, targetId, { companyAdmin: admin === '1' }, admin === '1' ? 'company.admin_granted' : 'company.admin_withdrawn');
}

/** A temporary password for a colleague (shown once; they must change it at the next login), their sessions ended. */
export async function resetColleaguePassword(deps: CompanyDeps, user: Principal, targetId: number) {
  assertCan(user, 'company.manage');
  const target = await repo.findColleague(deps.db, user.enterpriseId, targetId);
  if (!target || !target.active) throw new NotFoundError('该同事不存在或已停用。');
  const password = temporaryPassword();
  const passwordHash = await hashPassword(password);
  await inTransaction(deps.db, async (tx) => {
    await setPassword(tx, targetId, passwordHash, true);
    await recordEvent(tx, { actorUserId: user.id, entityType: 'user', entityId: targetId, action: 'company.password_reset', data: { enterpriseId: user.enterpriseId } });
  });
  await deps.destroySessions(targetId);
  return { name: target.name, mobile: target.mobile, password };
}
