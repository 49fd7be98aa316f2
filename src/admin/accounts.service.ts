import { randomInt } from 'node:crypto';
import { assertCan, type Principal, type Role } from '../auth/access.js';
import { emailTaken, insertUser, mobileTaken } from '../auth/auth.repo.js';
import { hashPassword } from '../auth/password.js';
import { listNodes, listParks } from '../catalog/catalog.repo.js';
import { pgConstraint, pgErrorCode, UNIQUE_VIOLATION, type Db } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { notifyEnterpriseUsers } from '../notifications/notifications.repo.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import * as repo from './accounts.repo.js';
import { reviewSchema, staffUserSchema } from './admin.schemas.js';
import { auditChange } from './network.service.js';

const PAGE_SIZE = 30;

/**
 * A temporary password that meets the policy (upper, lower, digits; 12 characters, no look-alikes); the user must
 * replace it at the next login.
 */
export function temporaryPassword(): string {
  const sets = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnpqrstuvwxyz', '23456789'];
  const chars = Array.from({ length: 12 }, (_, i) => {
    const set = sets[i % 3]!;
    return set[randomInt(set.length)]!;
  });
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

function publicUser(u: repo.UserRow) {
  const { passwordHash: _hash, ...rest } = u;
  return rest;
}

export function makeAccountsService(deps: { db: Db; destroySessions: (userId: number) => Promise<void> }) {
  const { db, destroySessions } = deps;

  /** Who a manager may manage: the platform everyone; a node manager the technicians of the node. */
  function mayManage(actor: Principal, target: { role: Role; nodeId: number | null }): boolean {
    if (actor.role === 'platform_admin') return true;
    return actor.role === 'node_manager' && target.role === 'lab_staff' && target.nodeId === actor.nodeId;
  }

  async function managedUser(actor: Principal, id: number) {
    assertCan(actor, 'staff.manage');
    const target = await repo.findUser(db, id);
    if (!target || !mayManage(actor, target)) throw new NotFoundError('该用户不存在。');
    return target;
  }

  return {
    async listUsers(actor: Principal, query: { role?: string; q?: string; active?: string; page: number }) {
      assertCan(actor, 'staff.manage');
      const filter: repo.UserFilter = {};
      if (actor.role === 'node_manager') {
        filter.nodeId = actor.nodeId;
        filter.roles = ['lab_staff', 'node_manager'];
      } else if (query.role && ['enterprise', 'lab_staff', 'node_manager', 'park_admin', 'platform_admin'].includes(query.role)) {
        filter.roles = [query.role as Role];
      }
      if (query.q) filter.q = query.q;
      if (query.active === '1') filter.active = true;
      if (query.active === '0') filter.active = false;
      const { rows, total } = await repo.listUsers(db, filter, { limit: PAGE_SIZE, offset: (query.page - 1) * PAGE_SIZE });
      return { rows: rows.map((r) => ({ ...r, user: publicUser(r.user), manageable: mayManage(actor, r.user) && r.user.id !== actor.id })), total, page: query.page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
    },

    async userFormOptions(actor: Principal) {
      assertCan(actor, 'staff.manage');
      const [nodes, parks] = await Promise.all([listNodes(db), listParks(db)]);
      if (actor.role === 'node_manager') return { roles: ['lab_staff'] as Role[], nodes: nodes.filter((n) => n.id === actor.nodeId), parks: [] };
      return { roles: ['lab_staff', 'node_manager', 'park_admin', 'platform_admin'] as Role[], nodes, parks };
    },

    /** Creates a staff or admin account with a temporary password shown once. */
    async createUser(actor: Principal, input: unknown): Promise<{ userId: number; temporaryPassword: string }> {
      assertCan(actor, 'staff.manage');
      const v = parseInput(staffUserSchema, input);
      const nodeId = v.role === 'lab_staff' || v.role === 'node_manager' ? v.nodeId : null;
      const parkId = v.role === 'park_admin' ? v.parkId : null;
      if (!mayManage(actor, { role: v.role, nodeId })) throw new ForbiddenError('您只能为本网点创建检测人员账号。');
      const errors: Record<string, string> = {};
      if (nodeId !== null && !(await listNodes(db, { includeInactive: true })).some((n) => n.id === nodeId)) errors.nodeId = '请选择有效的网点';
      if (parkId !== null && !(await listParks(db)).some((p) => p.id === parkId)) errors.parkId = '请选择有效的园区';
      if (await mobileTaken(db, v.mobile)) errors.mobile = '该手机号已被其他账号使用';
      if (v.email && (await emailTaken(db, v.email))) errors.email = '该邮箱已被其他账号使用';
      if (Object.keys(errors).length) throw new ValidationError(errors);
      const password = temporaryPassword();
      const passwordHash = await hashPassword(password);
      try {
        const userId = await inTransaction(db, async (tx) => {
          const id = await insertUser(tx, { role: v.role, name: v.name, mobile: v.mobile, email: v.email || null, passwordHash, nodeId, parkId, mustChangePassword: true });
          await auditChange(tx, actor, 'user', id, 'user.created', null, { role: v.role, name: v.name, mobile: v.mobile, email: v.email || null, nodeId, parkId });
          return id;
        });
        return { userId, temporaryPassword: password };
      } catch (err) {
        if (pgErrorCode(err) === UNIQUE_VIOLATION) {
          const c = pgConstraint(err) ?? '';
          throw new ValidationError(c.includes('email') ? { email: '该邮箱已被其他账号使用' } : { mobile: '该手机号已被其他账号使用' });
        }
        throw err;
      }
    },

    async resetPassword(actor: Principal, id: number): Promise<{ name: string; temporaryPassword: string }> {
      const target = await managedUser(actor, id);
      if (target.id === actor.id) throw new ConflictError('请在“修改密码”中修改自己的密码。');
      const password = temporaryPassword();
      const passwordHash = await hashPassword(password);
      await inTransaction(db, async (tx) => {
        await repo.updateUser(tx, id, { passwordHash, mustChangePassword: true });
        await auditChange(tx, actor, 'user', id, 'user.password_reset', null, { mustChangePassword: true });
      });
      await destroySessions(id);
      return { name: target.name, temporaryPassword: password };
    },

    /** Deactivated users cannot log in; their bookings, results and events stay. */
    async setUserActive(actor: Principal, id: number, active: boolean) {
      const target = await managedUser(actor, id);
      if (target.id === actor.id) throw new ConflictError('不能停用自己的账号。');
      await inTransaction(db, async (tx) => {
        await repo.updateUser(tx, id, { active });
        await auditChange(tx, actor, 'user', id, active ? 'user.activated' : 'user.deactivated', { active: target.active }, { active });
      });
      if (!active) await destroySessions(id);
    },

    async listEnterprises(actor: Principal, query: { review?: string; q?: string; park?: string; active?: string; page: number }) {
      assertCan(actor, 'enterprise.manage');
      const filter: repo.EnterpriseFilter = {};
      if (query.review === 'pending') filter.review = 'pending';
      if (query.q) filter.q = query.q;
      if (query.park && /^\d{1,9}$/.test(query.park)) filter.parkId = Number(query.park);
      if (query.active === '1') filter.active = true;
      if (query.active === '0') filter.active = false;
      const [{ rows, total }, parks] = await Promise.all([repo.listEnterprises(db, filter, { limit: PAGE_SIZE, offset: (query.page - 1) * PAGE_SIZE }), listParks(db)]);
      return { rows, total, page: query.page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)), parks };
    },

    /** The platform's review of a credit code whose check character did not match at sign-up. */
    async reviewEnterprise(actor: Principal, id: number, input: unknown) {
      assertCan(actor, 'enterprise.manage');
      const e = await repo.findEnterpriseRow(db, id);
      if (!e) throw new NotFoundError('该企业不存在。');
      if (e.creditCodeReview !== 'pending') throw new ConflictError('该企业没有待复核的信用代码。');
      const v = parseInput(reviewSchema, input);
      await inTransaction(db, async (tx) => {
        await repo.updateEnterprise(tx, id, { creditCodeReview: v.decision });
        await auditChange(tx, actor, 'enterprise', id, 'enterprise.credit_code_reviewed', { creditCodeReview: 'pending' }, { creditCodeReview: v.decision }, v.note || undefined);
        await notifyEnterpriseUsers(tx, id, {
          bookingId: null,
          title: v.decision === 'approved' ? '统一社会信用代码复核通过' : '统一社会信用代码复核未通过',
          body: v.decision === 'approved' ? `贵单位的统一社会信用代码 ${e.creditCode} 已复核通过。` : `贵单位的统一社会信用代码 ${e.creditCode} 复核未通过${v.note ? `：${v.note}` : ''}。请联系平台客服 0580-2281001 更正。`,
          link: `/enterprises/${id}`,
        });
      });
    },

    async setEnterpriseActive(actor: Principal, id: number, active: boolean) {
      assertCan(actor, 'enterprise.manage');
      const e = await repo.findEnterpriseRow(db, id);
      if (!e) throw new NotFoundError('该企业不存在。');
      await inTransaction(db, async (tx) => {
        await repo.updateEnterprise(tx, id, { active });
        await auditChange(tx, actor, 'enterprise', id, active ? 'enterprise.activated' : 'enterprise.deactivated', { active: e.active }, { active });
      });
      if (!active) for (const uid of await repo.userIdsOfEnterprise(db, id)) await destroySessions(uid);
    },
  };
}

export type AccountsService = ReturnType<typeof makeAccountsService>;
