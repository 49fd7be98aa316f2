import { assertCan, type Principal } from '../auth/access.js';
import type { Db } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { notifyEnterpriseUsers } from '../notifications/notifications.repo.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import type { Clock } from '../shared/time.js';
import { parseInput } from '../shared/validation.js';
import { instituteSchema, liftSchema, rulesSchema } from './equipment.schemas.js';
import * as repo from './equipment.repo.js';

/**
 * What the platform (市场监管局) decides for open sharing as a whole: the no-show rule, lifting a suspension early,
 * and which organisations are research institutes (科研院所, their own rate). Every change is audited.
 */
export function makePlatform(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  return {
    async page(user: Principal) {
      assertCan(user, 'equipment.rules');
      const [rules, suspensions, institutes] = await Promise.all([repo.readRules(db), repo.suspensionsInForce(db, clock.now()), repo.institutes(db)]);
      return { rules, suspensions, institutes };
    },

    async saveRules(user: Principal, input: unknown): Promise<void> {
      assertCan(user, 'equipment.rules');
      const v = parseInput(rulesSchema, input);
      await inTransaction(db, async (tx) => {
        const before = await repo.readRules(tx);
        await repo.writeRules(tx, v, user.id);
        await recordEvent(tx, { actorUserId: user.id, entityType: 'sharing_rules', entityId: 1, action: 'equipment.rules_changed', note: `爽约规则：${v.windowDays} 天内 ${v.noShowLimit} 次，暂停 ${v.suspensionDays} 天`, data: { before: { noShowLimit: before.noShowLimit, windowDays: before.windowDays, suspensionDays: before.suspensionDays }, after: v } });
      });
    },

    async lift(user: Principal, suspensionId: number, input: unknown): Promise<void> {
      assertCan(user, 'equipment.rules');
      const { reason } = parseInput(liftSchema, input);
      const suspension = await repo.findSuspension(db, suspensionId);
      if (!suspension) throw new NotFoundError('该暂停记录不存在。');
      await inTransaction(db, async (tx) => {
        if (!(await repo.liftSuspension(tx, suspensionId, user.id, reason))) throw new ConflictError('该暂停已解除。');
        await recordEvent(tx, { actorUserId: user.id, entityType: 'enterprise', entityId: suspension.enterpriseId, action: 'equipment.suspension_lifted', note: reason, data: { suspensionId } });
        await notifyEnterpriseUsers(tx, suspension.enterpriseId, { bookingId: null, title: '共享仪器预约已恢复', body: `平台已解除贵单位共享仪器在线预约的暂停。说明：${reason}`, link: '/equipment' });
      });
    },

    /** Marks an organisation (by credit code) as a research institute, or back as a company. */
    async setInstitute(user: Principal, input: unknown, institute: boolean): Promise<string> {
      assertCan(user, 'equipment.rules');
      const { creditCode } = parseInput(instituteSchema, input);
      const org = await repo.enterpriseByCreditCode(db, creditCode);
      if (!org) throw new ValidationError({ creditCode: '平台上没有使用该统一社会信用代码的单位' });
      const orgType = institute ? 'institute' : 'company';
      if (org.orgType === orgType) throw new ValidationError({ creditCode: institute ? `${org.name} 已是科研院所` : `${org.name} 不是科研院所` });
      await inTransaction(db, async (tx) => {
        await repo.setOrgType(tx, org.id, orgType);
        await recordEvent(tx, { actorUserId: user.id, entityType: 'enterprise', entityId: org.id, action: 'enterprise.org_type', note: institute ? '认定为科研院所（共享仪器按科研院所收费）' : '取消科研院所认定', data: { before: org.orgType, after: orgType } });
      });
      return org.name;
    },
  };
}

export type Platform = ReturnType<typeof makePlatform>;
