import { z } from 'zod';
import { assertCan, type Principal } from '../auth/access.js';
import { listOilGrades } from '../catalog/catalog.repo.js';
import type { Db } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { describeLimit, type SpecLimit } from '../lab/judgement.js';
import { limitDigits } from '../lab/limit-digits.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { parseInput, requiredText } from '../shared/validation.js';
import * as repo from './oil-limits.repo.js';

const verifySchema = z.object({ note: requiredText('核实依据', { min: 4, max: 300 }) });

/**
 * Limits seeded from a single or secondary source are 待核实: they never judge automatically. The platform admin,
 * once a limit is checked against the standard's text, marks it verified — with what was checked, in the audit log.
 */
export function makeOilLimitsService(deps: { db: Db }) {
  const { db } = deps;
  return {
    async list(user: Principal, query: { grade?: string; status?: string }) {
      assertCan(user, 'limits.verify');
      const verified = query.status === 'verified' ? true : query.status === 'all' ? undefined : false;
      const [rows, grades] = await Promise.all([repo.listLimits(db, { grade: query.grade, verified }), listOilGrades(db)]);
      return { rows: rows.map((r) => ({ ...r, limitText: describeLimit({ ...(r as SpecLimit), digits: limitDigits(r.itemCode, r.source) }, r.unit) })), grades, status: query.status === 'verified' || query.status === 'all' ? query.status : 'unverified', grade: query.grade ?? '' };
    },

    async verify(user: Principal, id: number, input: unknown) {
      assertCan(user, 'limits.verify');
      const { note } = parseInput(verifySchema, input);
      const limit = await repo.findLimit(db, id);
      if (!limit) throw new NotFoundError('该限值不存在。');
      await inTransaction(db, async (tx) => {
        if (!(await repo.markVerified(tx, id, user.id))) throw new ConflictError('该限值已标记为已核实。');
        await recordEvent(tx, {
          actorUserId: user.id,
          entityType: 'oil_limit',
          entityId: id,
          action: 'limit.verified',
          fromState: '待核实',
          toState: '已核实',
          note,
          data: { item: limit.itemCode, grade: limit.gradeCode, edition: limit.edition, variant: limit.variant, kind: limit.kind, min: limit.minValue, max: limit.maxValue, criterion: limit.criterion },
        });
      });
    },
  };
}

export type OilLimitsService = ReturnType<typeof makeOilLimitsService>;
