import { assertCan, type Principal } from '../auth/access.js';
import { listInstrumentCategories } from '../catalog/catalog.repo.js';
import type { Db } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { shanghaiDate, type Clock } from '../shared/time.js';
import { parseInput } from '../shared/validation.js';
import * as repo from './standards.repo.js';
import { standardSchema } from './standards.schemas.js';

/** The disciplines in the order a metrology lab's work runs: the common ones first. */
const DISCIPLINE_ORDER = ['压力', '质量', '温度', '长度', '力学', '容量/流量', '流量', '流量/热量', '容量', '电学', '化学', '密度', '黏度', '医学', '声学', '速度', '时间/长度', '光学/环境'];

/** The categories a form ticked: one value or several, each a known instrument category. */
function categoriesOf(raw: unknown, known: Set<string>): string[] | undefined {
  const list = (Array.isArray(raw) ? raw : raw === undefined || raw === '' ? [] : [raw]).filter((c): c is string => typeof c === 'string' && c !== '');
  return list.length <= 100 && list.every((c) => known.has(c)) ? [...new Set(list)] : undefined;
}

/**
 * 计量标准: the node manager (or the platform) keeps the node's measurement standards — what each certificate is traced
 * to. Added and retired, never edited (a renewed 考核证书 is a new entry; the old one stays on the certificates that
 * named it). Every change is audited.
 */
export function makeStandardsService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  async function page(user: Principal, nodeId: number) {
    assertCan(user, 'standard.manage', { nodeId });
    const [standards, listed] = await Promise.all([repo.standardsOfNode(db, nodeId), listInstrumentCategories(db)]);
    const rank = (d: string) => (DISCIPLINE_ORDER.indexOf(d) + 1 || DISCIPLINE_ORDER.length + 1);
    const categories = [...listed].sort((a, b) => rank(a.discipline) - rank(b.discipline));
    const today = shanghaiDate(clock.now());
    const names = new Map(categories.map((c) => [c.code, c.name]));
    return {
      standards: standards.map((s) => ({ ...s, categoryNames: s.categoryCodes.map((c) => names.get(c) ?? c), expired: s.validUntil < today })),
      categories,
      today,
    };
  }

  return {
    page,

    async add(user: Principal, nodeId: number, input: Record<string, unknown>): Promise<string> {
      assertCan(user, 'standard.manage', { nodeId });
      const errors: Record<string, string> = {};
      let v: ReturnType<typeof standardSchema.parse> | undefined;
      try {
        v = parseInput(standardSchema, input);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        Object.assign(errors, err.fieldErrors);
      }
      const known = new Set((await listInstrumentCategories(db)).map((c) => c.code));
      const categoryCodes = categoriesOf(input.categoryCodes, known);
      if (!categoryCodes) errors.categoryCodes = '请选择有效的器具类别';
      else if (categoryCodes.length === 0) errors.categoryCodes = '请选择该计量标准用于检定/校准的器具类别（可多选）';
      if (v && v.validUntil <= shanghaiDate(clock.now())) errors.validUntil ??= '考核证书已过有效期的计量标准不能登记使用，请先复查换证';
      // one 考核证书, one standard: the same number twice at a node is a typo (a renewed certificate has a new number)
      const twin = v ? (await repo.standardsInService(db, nodeId)).find((s) => s.certificateNo.replace(/\s+/g, '') === v!.certificateNo.replace(/\s+/g, '')) : undefined;
      if (twin) errors.certificateNo ??= `考核证书编号 ${twin.certificateNo} 已登记为“${twin.name}”：同一证书不能登记两次（换证后请登记新证书，并停用原条目）`;
      if (Object.keys(errors).length || !v || !categoryCodes) throw new ValidationError(errors);
      const values = v;
      await inTransaction(db, async (tx) => {
        const id = await repo.insertStandard(tx, { nodeId, ...values, categoryCodes, createdBy: user.id });
        await recordEvent(tx, { actorUserId: user.id, entityType: 'standard', entityId: id, action: 'standard.added', note: `登记计量标准 ${values.name}（${values.certificateNo}，有效期至 ${values.validUntil}）`, data: { nodeId, after: { ...values, categoryCodes } } });
      });
      return values.name;
    },

    async retire(user: Principal, nodeId: number, id: number): Promise<string> {
      assertCan(user, 'standard.manage', { nodeId });
      const standard = await repo.findStandard(db, id);
      if (!standard || standard.nodeId !== nodeId) throw new NotFoundError('该计量标准不存在。');
      if (standard.retiredAt) throw new ConflictError('该计量标准已停用。');
      await inTransaction(db, async (tx) => {
        await repo.retireStandard(tx, id, user.id);
        await recordEvent(tx, { actorUserId: user.id, entityType: 'standard', entityId: id, action: 'standard.retired', note: `停用计量标准 ${standard.name}`, data: { nodeId } });
      });
      return standard.name;
    },
  };
}

export type StandardsService = ReturnType<typeof makeStandardsService>;
