import { assertCan, type Principal } from '../auth/access.js';
import { listParks } from '../catalog/catalog.repo.js';
import { inTransaction } from '../db/tx.js';
import { enterpriseHref } from '../enterprises/enterprises.view.js';
import { notifyEnterpriseUsers } from '../notifications/notifications.repo.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import * as repo from './accounts.repo.js';
import { reviewSchema } from './admin.schemas.js';
import { auditChange, type AccountsDeps } from './context.js';

const PAGE_SIZE = 30;

async function existingEnterprise(deps: AccountsDeps, id: number) {
  const enterprise = await repo.findEnterpriseRow(deps.db, id);
  if (!enterprise) throw new NotFoundError('该企业不存在。');
  return enterprise;
}

export async function listEnterprises(deps: AccountsDeps, actor: Principal, query: { review?: string; q?: string; park?: string; active?: string; page: number }) {
  assertCan(actor, 'enterprise.manage');
  const filter: repo.EnterpriseFilter = {};
  if (query.review === 'pending') filter.review = 'pending';
  if (query.q) filter.q = query.q;
  if (query.park && /^\d{1,9}$/.test(query.park)) filter.parkId = Number(query.park);
  if (query.active === '1') filter.active = true;
  if (query.active === '0') filter.active = false;
  const [{ rows, total }, parks] = await Promise.all([repo.listEnterprises(deps.db, filter, { limit: PAGE_SIZE, offset: (query.page - 1) * PAGE_SIZE }), listParks(deps.db)]);
  return { rows, total, page: query.page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)), parks };
}

/** The message a company's users get about the review of its credit code. */
function reviewMessage(creditCode: string, decision: 'approved' | 'rejected', note: string) {
  return decision === 'approved'
    ? { title: '统一社会信用代码复核通过', body: `贵单位的统一社会信用代码 ${creditCode} 已复核通过。` }
    : { title: '统一社会信用代码复核未通过', body: `贵单位的统一社会信用代码 ${creditCode} 复核未通过${note ? `：${note}` : ''}。请联系平台客服 0580-2281001 更正。` };
}

/** The platform's review of a credit code whose check character did not match at sign-up. */
export async function reviewEnterprise(deps: AccountsDeps, actor: Principal, id: number, input: unknown) {
  assertCan(actor, 'enterprise.manage');
  const enterprise = await existingEnterprise(deps, id);
  if (enterprise.creditCodeReview !== 'pending') throw new ConflictError('该企业没有待复核的信用代码。');
  const v = parseInput(reviewSchema, input);
  await inTransaction(deps.db, async (tx) => {
    await repo.updateEnterprise(tx, id, { creditCodeReview: v.decision });
    await auditChange(tx, actor, 'enterprise', id, 'enterprise.credit_code_reviewed', { creditCodeReview: 'pending' }, { creditCodeReview: v.decision }, v.note || undefined);
    await notifyEnterpriseUsers(tx, id, { bookingId: null, ...reviewMessage(enterprise.creditCode, v.decision, v.note), link: enterpriseHref(id) });
  });
}

/** A deactivated company's users cannot sign in (signed out at once); its bookings and reports stay. */
export async function setEnterpriseActive(deps: AccountsDeps, actor: Principal, id: number, active: boolean) {
  assertCan(actor, 'enterprise.manage');
  const enterprise = await existingEnterprise(deps, id);
  await inTransaction(deps.db, async (tx) => {
    await repo.updateEnterprise(tx, id, { active });
    await auditChange(tx, actor, 'enterprise', id, active ? 'enterprise.activated' : 'enterprise.deactivated', { active: enterprise.active }, { active });
  });
  if (!active) for (const userId of await repo.userIdsOfEnterprise(deps.db, id)) await deps.destroySessions(userId);
}
