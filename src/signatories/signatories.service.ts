import { assertCan, type Principal } from '../auth/access.js';
import { listCategories } from '../catalog/catalog.repo.js';
import type { Db } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { staffOfNode } from '../lab/lab.repo.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { shanghaiDate, type Clock } from '../shared/time.js';
import { parseInput } from '../shared/validation.js';
import { grantSchema } from './signatories.schemas.js';
import * as repo from './signatories.repo.js';

/**
 * 授权签字人: the node manager (or the platform) designates which of the node's staff may approve and sign reports,
 * for all of the node's service categories or one. Grants and revocations are audited; a grant is never edited.
 */
export function makeSignatoriesService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  async function page(user: Principal, nodeId: number) {
    assertCan(user, 'signatory.manage', { nodeId });
    const [grants, staff, categories] = await Promise.all([repo.signatoriesOfNode(db, nodeId), staffOfNode(db, nodeId), listCategories(db)]);
    const today = shanghaiDate(clock.now());
    const inForce = (g: (typeof grants)[number]) => !g.revokedAt && g.validFrom <= today && (!g.validUntil || g.validUntil >= today);
    return { grants: grants.map((g) => ({ ...g, inForce: inForce(g) })), staff, categories, today };
  }

  return {
    page,

    async grant(user: Principal, nodeId: number, input: unknown) {
      assertCan(user, 'signatory.manage', { nodeId });
      const v = parseInput(grantSchema, input);
      const { staff, categories } = await page(user, nodeId);
      const person = staff.find((s) => s.id === v.userId);
      if (!person) throw new ValidationError({ userId: '请选择本网点在岗的人员' });
      if (v.categoryCode && !categories.some((c) => c.code === v.categoryCode)) throw new ValidationError({ categoryCode: '请选择有效的授权范围' });
      await inTransaction(db, async (tx) => {
        const id = await repo.insertSignatory(tx, { nodeId, userId: v.userId, categoryCode: v.categoryCode || null, validFrom: v.validFrom, validUntil: v.validUntil || null, grantedBy: user.id });
        const scope = v.categoryCode ? (categories.find((c) => c.code === v.categoryCode)?.name ?? v.categoryCode) : '本网点全部服务类别';
        await recordEvent(tx, { actorUserId: user.id, entityType: 'signatory', entityId: id, action: 'signatory.granted', note: `授权 ${person.name} 为授权签字人（${scope}，${v.validFrom} 起${v.validUntil ? `至 ${v.validUntil}` : ''}）`, data: { nodeId, userId: v.userId, categoryCode: v.categoryCode || null, validFrom: v.validFrom, validUntil: v.validUntil || null } });
      });
      return person.name;
    },

    async revoke(user: Principal, nodeId: number, grantId: number) {
      assertCan(user, 'signatory.manage', { nodeId });
      const grant = await repo.findSignatory(db, grantId);
      if (!grant || grant.nodeId !== nodeId) throw new NotFoundError('该授权不存在。');
      if (grant.revokedAt) throw new ConflictError('该授权已撤销。');
      await inTransaction(db, async (tx) => {
        await repo.revokeSignatory(tx, grantId, user.id);
        await recordEvent(tx, { actorUserId: user.id, entityType: 'signatory', entityId: grantId, action: 'signatory.revoked', note: '撤销授权签字人授权', data: { nodeId, userId: grant.userId } });
      });
    },
  };
}

export type SignatoriesService = ReturnType<typeof makeSignatoriesService>;
