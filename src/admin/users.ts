import { randomInt } from 'node:crypto';
import { assertCan, type Principal, type Role } from '../auth/access.js';
import { emailTaken, insertUser, mobileTaken } from '../auth/auth.repo.js';
import { hashPassword } from '../auth/password.js';
import { listNodes, listParks } from '../catalog/catalog.repo.js';
import { pgConstraint, pgErrorCode, UNIQUE_VIOLATION } from '../db/client.js';
import { userRole } from '../db/schema.js';
import { inTransaction } from '../db/tx.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import * as repo from './accounts.repo.js';
import { staffUserSchema, USER_ROLES } from './admin.schemas.js';
import { auditChange, type AccountsDeps } from './context.js';

const PAGE_SIZE = 30;

const isRole = (value: string): value is Role => (userRole.enumValues as readonly string[]).includes(value);

/**
 * A temporary password that meets the policy (upper, lower, digits; 12 characters, no look-alikes); the user must
 * replace it at the next login.
 */
export function temporaryPassword(): string {
  const sets = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnpqrstuvwxyz', '23456789'] as const;
  const chars = Array.from({ length: 12 }, (_, i) => {
    const set = sets[i % sets.length] ?? sets[0];
    return set.charAt(randomInt(set.length));
  });
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] ?? '', chars[i] ?? ''];
  }
  return chars.join('');
}

function publicUser(u: repo.UserRow) {
  const { passwordHash: _hash, ...rest } = u;
  return rest;
}

/** Who a manager may manage: the platform everyone; a node manager the technicians of the node. */
function mayManage(actor: Principal, target: { role: Role; nodeId: number | null }): boolean {
  if (actor.role === 'platform_admin') return true;
  return actor.role === 'node_manager' && target.role === 'lab_staff' && target.nodeId === actor.nodeId;
}

async function managedUser(deps: AccountsDeps, actor: Principal, id: number) {
  assertCan(actor, 'staff.manage');
  const target = await repo.findUser(deps.db, id);
  if (!target || !mayManage(actor, target)) throw new NotFoundError('该用户不存在。');
  return target;
}

export async function listUsers(deps: AccountsDeps, actor: Principal, query: { role?: string; q?: string; active?: string; page: number }) {
  assertCan(actor, 'staff.manage');
  const filter: repo.UserFilter = {};
  if (actor.role === 'node_manager') {
    filter.nodeId = actor.nodeId;
    filter.roles = ['lab_staff', 'node_manager'];
  } else if (query.role && isRole(query.role)) {
    filter.roles = [query.role];
  }
  if (query.q) filter.q = query.q;
  if (query.active === '1') filter.active = true;
  if (query.active === '0') filter.active = false;
  const { rows, total } = await repo.listUsers(deps.db, filter, { limit: PAGE_SIZE, offset: (query.page - 1) * PAGE_SIZE });
  return {
    rows: rows.map((r) => ({ ...r, user: publicUser(r.user), manageable: mayManage(actor, r.user) && r.user.id !== actor.id })),
    total,
    page: query.page,
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
  };
}

/** The roles, nodes and parks the actor may give a new account. */
export async function userFormOptions(deps: AccountsDeps, actor: Principal) {
  assertCan(actor, 'staff.manage');
  const [nodes, parks] = await Promise.all([listNodes(deps.db), listParks(deps.db)]);
  if (actor.role === 'node_manager') return { roles: ['lab_staff'] as Role[], nodes: nodes.filter((n) => n.id === actor.nodeId), parks: [] };
  return { roles: [...USER_ROLES] as Role[], nodes, parks };
}

/** Field messages for a new account whose node, park, mobile or e-mail does not hold. */
async function newUserErrors(deps: AccountsDeps, v: { mobile: string; email: string }, nodeId: number | null, parkId: number | null) {
  const { db } = deps;
  const errors: Record<string, string> = {};
  if (nodeId !== null && !(await listNodes(db, { includeInactive: true })).some((n) => n.id === nodeId)) errors.nodeId = '请选择有效的网点';
  if (parkId !== null && !(await listParks(db)).some((p) => p.id === parkId)) errors.parkId = '请选择有效的园区';
  if (await mobileTaken(db, v.mobile)) errors.mobile = '该手机号已被其他账号使用';
  if (v.email && (await emailTaken(db, v.email))) errors.email = '该邮箱已被其他账号使用';
  return errors;
}

/** Creates a staff or admin account with a temporary password shown once. */
export async function createUser(deps: AccountsDeps, actor: Principal, input: unknown): Promise<{ userId: number; temporaryPassword: string }> {
  assertCan(actor, 'staff.manage');
  const v = parseInput(staffUserSchema, input);
  const nodeId = v.role === 'lab_staff' || v.role === 'node_manager' ? v.nodeId : null;
  const parkId = v.role === 'park_admin' ? v.parkId : null;
  if (!mayManage(actor, { role: v.role, nodeId })) throw new ForbiddenError('您只能为本网点创建检测人员账号。');
  const errors = await newUserErrors(deps, v, nodeId, parkId);
  if (Object.keys(errors).length) throw new ValidationError(errors);
  const password = temporaryPassword();
  const passwordHash = await hashPassword(password);
  const account = { role: v.role, name: v.name, mobile: v.mobile, email: v.email || null, nodeId, parkId };
  try {
    const userId = await inTransaction(deps.db, async (tx) => {
      const id = await insertUser(tx, { ...account, passwordHash, mustChangePassword: true });
      await auditChange(tx, actor, 'user', id, 'user.created', null, account);
      return id;
    });
    return { userId, temporaryPassword: password };
  } catch (err) {
    // Two admins racing for the same mobile or e-mail: the unique constraint decides, the loser gets the field message.
    if (pgErrorCode(err) === UNIQUE_VIOLATION) {
      throw new ValidationError((pgConstraint(err) ?? '').includes('email') ? { email: '该邮箱已被其他账号使用' } : { mobile: '该手机号已被其他账号使用' });
    }
    throw err;
  }
}

export async function resetPassword(deps: AccountsDeps, actor: Principal, id: number): Promise<{ name: string; temporaryPassword: string }> {
  const target = await managedUser(deps, actor, id);
  if (target.id === actor.id) throw new ConflictError('请在“修改密码”中修改自己的密码。');
  const password = temporaryPassword();
  const passwordHash = await hashPassword(password);
  await inTransaction(deps.db, async (tx) => {
    await repo.updateUser(tx, id, { passwordHash, mustChangePassword: true });
    await auditChange(tx, actor, 'user', id, 'user.password_reset', null, { mustChangePassword: true });
  });
  await deps.destroySessions(id);
  return { name: target.name, temporaryPassword: password };
}

/** Deactivated users cannot log in; their bookings, results and events stay. */
export async function setUserActive(deps: AccountsDeps, actor: Principal, id: number, active: boolean) {
  const target = await managedUser(deps, actor, id);
  if (target.id === actor.id) throw new ConflictError('不能停用自己的账号。');
  await inTransaction(deps.db, async (tx) => {
    await repo.updateUser(tx, id, { active });
    await auditChange(tx, actor, 'user', id, active ? 'user.activated' : 'user.deactivated', { active: target.active }, { active });
  });
  if (!active) await deps.destroySessions(id);
}
