import { eq } from 'drizzle-orm';
import { assertCan, type Principal } from '../auth/access.js';
import { findPrincipalById, insertUser } from '../auth/auth.repo.js';
import { pgConstraint, pgErrorCode, UNIQUE_VIOLATION, type Db } from '../db/client.js';
import { enterprises } from '../db/schema.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { notifyUsers } from '../notifications/notifications.repo.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import type { Clock } from '../shared/time.js';
import * as repo from './company.repo.js';
import type { CompanyDeps } from './context.js';
import { hashClaimCode, normaliseClaimCode } from './tokens.js';

export const JOIN_MESSAGES = {
  claimNeeded: '该企业已在线下窗口登记，尚无企业账号。请填写受理回执上的认领码；回执遗失的，请到受理窗口重新打印。',
  claimInvalid: '认领码不正确或已过期，请核对受理回执（认领码只能使用一次）。',
  pendingMobile: '该手机号已有一份待审核的加入申请，请等待贵单位企业管理员审核。',
} as const;

/** Who asks to use an existing company: the registration's person fields, password already hashed. */
export interface Applicant {
  name: string;
  mobile: string;
  email: string | null;
  passwordHash: string;
}

export type ExistingCompanyOutcome = { kind: 'claimed'; user: Principal; enterpriseId: number } | { kind: 'join_requested'; companyName: string };

export async function findCompanyByCreditCode(db: Db, creditCode: string) {
  const [row] = await db.select({ id: enterprises.id, name: enterprises.name }).from(enterprises).where(eq(enterprises.creditCode, creditCode));
  return row;
}

/**
 * A registration whose credit code already exists. With a valid claim code (printed at the window) for a company
 * that has no users yet, the applicant becomes its first admin; otherwise, when the company has users, a join request
 * goes to its admins (notified). A company owned by nobody needs the claim code.
 */
export async function registerForExistingCompany(deps: { db: Db; clock: Clock }, company: { id: number; name: string }, applicant: Applicant, claimCodeInput: string): Promise<ExistingCompanyOutcome> {
  const { db, clock } = deps;
  const now = clock.now();
  const claim = claimCodeInput ? normaliseClaimCode(claimCodeInput) : undefined;
  if (claimCodeInput && !claim) throw new ValidationError({ claimCode: JOIN_MESSAGES.claimInvalid });
  if (claim) {
    const userId = await inTransaction(db, async (tx) => {
      await repo.lockCompany(tx, company.id);
      const token = await repo.findUsableToken(tx, 'claim', hashClaimCode(claim), now, true);
      if (!token || token.enterpriseId !== company.id || (await repo.countUsers(tx, company.id)) > 0) throw new ValidationError({ claimCode: JOIN_MESSAGES.claimInvalid });
      const id = await insertUser(tx, { role: 'enterprise', ...applicant, enterpriseId: company.id, companyAdmin: true });
      await repo.markTokenUsed(tx, token.id, now);
      await recordEvent(tx, { actorUserId: id, entityType: 'enterprise', entityId: company.id, action: 'company.claimed', data: { userId: id, claimIssuedBy: token.createdBy } });
      return id;
    });
    const user = await findPrincipalById(db, userId);
    if (!user) throw new Error(`the claimant ${userId} cannot be read back`);
    return { kind: 'claimed', user, enterpriseId: company.id };
  }
  if ((await repo.countUsers(db, company.id)) === 0) throw new ValidationError({ claimCode: JOIN_MESSAGES.claimNeeded });
  await inTransaction(db, async (tx) => {
    const id = await repo.insertJoinRequest(tx, { enterpriseId: company.id, ...applicant });
    await recordEvent(tx, { actorUserId: null, entityType: 'enterprise', entityId: company.id, action: 'company.join_requested', data: { joinRequestId: id, name: applicant.name, mobile: applicant.mobile } });
    await notifyUsers(tx, await repo.adminIds(tx, company.id), {
      bookingId: null,
      title: `加入申请：${applicant.name}`,
      body: `${applicant.name}（${applicant.mobile}）申请加入本企业账号，请在“企业空间”中同意或拒绝。`,
      link: '/company',
    });
  }).catch((err: unknown) => {
    if (pgErrorCode(err) === UNIQUE_VIOLATION && (pgConstraint(err) ?? '').includes('join_requests')) throw new ValidationError({ mobile: JOIN_MESSAGES.pendingMobile });
    throw err;
  });
  return { kind: 'join_requested', companyName: company.name };
}

/** An admin approves a join request: the applicant's account is created with the password they chose. */
export async function approveJoinRequest(deps: CompanyDeps, user: Principal, id: number): Promise<void> {
  assertCan(user, 'company.manage');
  const now = deps.clock.now();
  await inTransaction(deps.db, async (tx) => {
    const request = await repo.findPendingJoinRequest(tx, user.enterpriseId, id);
    if (!request) throw new NotFoundError('该申请不存在或已处理。');
    const userId = await insertUser(tx, { role: 'enterprise', name: request.name, mobile: request.mobile, email: request.email, passwordHash: request.passwordHash, enterpriseId: user.enterpriseId });
    await repo.decideJoinRequest(tx, id, { status: 'approved', decidedBy: user.id, userId, now });
    await recordEvent(tx, { actorUserId: user.id, entityType: 'enterprise', entityId: user.enterpriseId, action: 'company.join_approved', data: { joinRequestId: id, userId } });
  }).catch((err: unknown) => {
    if (pgErrorCode(err) === UNIQUE_VIOLATION) throw new ConflictError('申请人的手机号或邮箱已被其他账号使用，无法同意。请拒绝该申请并改用邀请。', 'join_taken');
    throw err;
  });
}

export async function refuseJoinRequest(deps: CompanyDeps, user: Principal, id: number): Promise<void> {
  assertCan(user, 'company.manage');
  await inTransaction(deps.db, async (tx) => {
    const request = await repo.findPendingJoinRequest(tx, user.enterpriseId, id);
    if (!request) throw new NotFoundError('该申请不存在或已处理。');
    await repo.decideJoinRequest(tx, id, { status: 'refused', decidedBy: user.id, userId: null, now: deps.clock.now() });
    await recordEvent(tx, { actorUserId: user.id, entityType: 'enterprise', entityId: user.enterpriseId, action: 'company.join_refused', data: { joinRequestId: id } });
  });
}
