import { assertCan, type Principal } from '../auth/access.js';
import type { WindowCaseRef } from '../bookings/bookings.service.js';
import { searchServices, servicesOfNode } from '../catalog/catalog.repo.js';
import { expireTokens, insertAccountToken, countUsers } from '../company/company.repo.js';
import { CLAIM_DAYS, hashClaimCode, newClaimCode, normaliseClaimCode } from '../company/tokens.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import type { WindowDeps } from './context.js';
import * as repo from './window.repo.js';
import { openCaseSchema } from './window.schemas.js';

export const CASE_CLOSED = '该受理已结束，不能再代办。如企业还有业务，请重新登记来办人。';

/** A visitor at the window for a company: the case names both, and lets the staff member see the company's history. */
export async function openCase(deps: WindowDeps, staff: Principal, input: unknown): Promise<number> {
  assertCan(staff, 'window.operate');
  const v = parseInput(openCaseSchema, input);
  const company = await repo.findCompany(deps.db, v.enterpriseId);
  if (!company || !company.active) throw new NotFoundError('该企业不存在或已停用。');
  return inTransaction(deps.db, async (tx) => {
    const id = await repo.insertCase(tx, { nodeId: staff.nodeId, enterpriseId: company.id, staffUserId: staff.id, visitorName: v.visitorName, visitorMobile: v.visitorMobile, visitorIdLast4: v.visitorIdLast4, openedAt: deps.clock.now() });
    await recordEvent(tx, {
      actorUserId: staff.id,
      entityType: 'enterprise',
      entityId: company.id,
      action: 'window.case_opened',
      note: `${staff.name}在线下窗口受理${company.name}（来办人${v.visitorName}）`,
      data: { windowCaseId: id, staffUserId: staff.id, staffName: staff.name, nodeId: staff.nodeId, enterpriseId: company.id, enterpriseName: company.name, visitorName: v.visitorName },
    });
    return id;
  });
}

/** A case of the staff member's own node (404 otherwise). */
async function caseOfNode(deps: WindowDeps, staff: Principal, id: number) {
  const c = await repo.findCase(deps.db, id);
  if (!c) throw new NotFoundError();
  assertCan(staff, 'window.operate', { nodeId: c.nodeId });
  return c;
}

/** The case page: visitor, the bookings made in it, the services to book, and — while open — the company's history. */
export async function caseDetail(deps: WindowDeps, staff: Principal, id: number) {
  const c = await caseOfNode(deps, staff, id);
  const open = c.closedAt === null;
  const [bookings, history, services, users] = await Promise.all([
    repo.caseBookings(deps.db, c.id),
    open ? repo.companyHistory(deps.db, c.enterpriseId) : Promise.resolve([]),
    // The city centre's window books at every node: every service some node offers; a station's, its own.
    c.nodeKind === 'centre' ? searchServices(deps.db, {}).then((all) => all.filter((s) => s.nodeCount > 0)) : servicesOfNode(deps.db, c.nodeId),
    countUsers(deps.db, c.enterpriseId),
  ]);
  return { windowCase: c, open, bookings, history, services, companyHasUsers: users > 0, anyNode: c.nodeKind === 'centre' };
}

/** What the booking path needs of an open case; refused once the case is closed. */
export async function caseRef(deps: WindowDeps, staff: Principal, id: number): Promise<WindowCaseRef> {
  const c = await caseOfNode(deps, staff, id);
  if (c.closedAt !== null) throw new ConflictError(CASE_CLOSED, 'case_closed');
  return { id: c.id, nodeId: c.nodeId, enterpriseId: c.enterpriseId, enterpriseName: c.enterpriseName, parkId: c.parkId, anyNode: c.nodeKind === 'centre' };
}

export async function closeCase(deps: WindowDeps, staff: Principal, id: number): Promise<void> {
  const c = await caseOfNode(deps, staff, id);
  await inTransaction(deps.db, async (tx) => {
    if (!(await repo.closeCase(tx, c.id, deps.clock.now()))) throw new ConflictError('该受理已结束。', 'case_closed');
    await recordEvent(tx, { actorUserId: staff.id, entityType: 'enterprise', entityId: c.enterpriseId, action: 'window.case_closed', data: { windowCaseId: c.id, staffName: staff.name, enterpriseName: c.enterpriseName } });
  });
}

/**
 * The 受理回执 to print and sign. For a company with no users yet it carries a fresh 认领码 (shown on this page only;
 * its hash is stored, older codes of the company stop working), with which the company's first user claims it.
 */
export async function issueReceipt(deps: WindowDeps, staff: Principal, id: number) {
  const detail = await caseDetail(deps, staff, id);
  const c = detail.windowCase;
  let claimCode: string | null = null;
  const now = deps.clock.now();
  const claimExpiresAt = new Date(now.getTime() + CLAIM_DAYS * 86_400_000);
  if (!detail.companyHasUsers) {
    claimCode = newClaimCode();
    const canonical = normaliseClaimCode(claimCode)!;
    await inTransaction(deps.db, async (tx) => {
      await expireTokens(tx, 'claim', { enterpriseId: c.enterpriseId }, now);
      await insertAccountToken(tx, { purpose: 'claim', tokenHash: hashClaimCode(canonical), enterpriseId: c.enterpriseId, createdBy: staff.id, expiresAt: claimExpiresAt });
      await recordEvent(tx, {
        actorUserId: staff.id,
        entityType: 'enterprise',
        entityId: c.enterpriseId,
        action: 'window.claim_code_issued',
        note: `${staff.name}为${c.enterpriseName}打印受理回执并发放认领码`,
        data: { windowCaseId: c.id, staffName: staff.name, enterpriseName: c.enterpriseName },
      });
    });
  }
  return { ...detail, claimCode, claimExpiresAt, printedAt: now, staffName: staff.name };
}
