import { assertCan, type Principal } from '../auth/access.js';
import { findPrincipalById, insertUser, mobileTaken, emailTaken } from '../auth/auth.repo.js';
import { hashPassword } from '../auth/password.js';
import { pgConstraint, pgErrorCode, UNIQUE_VIOLATION } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { findEnterpriseById } from '../enterprises/enterprises.repo.js';
import { recordEvent } from '../events/record.js';
import { enqueue } from '../outbox/outbox.repo.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import * as repo from './company.repo.js';
import { acceptInvitationSchema, inviteSchema } from './company.schemas.js';
import type { CompanyDeps } from './context.js';
import { hashToken, INVITATION_DAYS, LINK_TOKEN_RE, newLinkToken } from './tokens.js';

/** Wrong, used, revoked or expired: one message, which says nothing about any account. */
export const INVALID_INVITATION = '邀请链接无效或已过期（链接 7 天内有效，只能使用一次）。请联系贵单位企业管理员重新邀请。';

export const invitationPath = (token: string) => `/invite/${token}`;

/** Invites a colleague: the link is shown once to the admin (and e-mailed when e-mail is configured). */
export async function inviteColleague(deps: CompanyDeps, user: Principal, input: unknown) {
  assertCan(user, 'company.manage');
  const v = parseInput(inviteSchema, input);
  if (await mobileTaken(deps.db, v.mobile)) throw new ValidationError({ mobile: '该手机号已注册平台账号，无需邀请；如为贵单位同事，请其联系平台客服。' });
  const company = await findEnterpriseById(deps.db, user.enterpriseId);
  const token = newLinkToken();
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + INVITATION_DAYS * 86_400_000);
  const link = `${deps.publicUrl.replace(/\/$/, '')}${invitationPath(token)}`;
  await inTransaction(deps.db, async (tx) => {
    const id = await repo.insertInvitation(tx, { enterpriseId: user.enterpriseId, tokenHash: hashToken(token), mobile: v.mobile, email: v.email || null, invitedBy: user.id, expiresAt });
    await recordEvent(tx, { actorUserId: user.id, entityType: 'enterprise', entityId: user.enterpriseId, action: 'company.invitation_created', data: { invitationId: id, mobile: v.mobile } });
    if (deps.emailEnabled && v.email) {
      await enqueue(tx, {
        kind: 'email',
        payload: {
          to: v.email,
          subject: `${company?.name ?? ''}邀请您加入舟山市质量基础设施一站式服务平台`,
          text: `${user.name}邀请您以${company?.name ?? ''}同事的身份使用平台。请在 7 天内打开以下链接设置姓名和密码（只能使用一次）：\n${link}\n\n如非本人操作，请忽略本邮件。`,
        },
      });
    }
  });
  return { link, expiresAt, mobile: v.mobile, emailed: deps.emailEnabled && !!v.email };
}

export async function revokeInvitation(deps: CompanyDeps, user: Principal, id: number): Promise<void> {
  assertCan(user, 'company.manage');
  await inTransaction(deps.db, async (tx) => {
    if (!(await repo.revokeInvitation(tx, user.enterpriseId, id, deps.clock.now()))) throw new NotFoundError('该邀请不存在或已失效。');
    await recordEvent(tx, { actorUserId: user.id, entityType: 'enterprise', entityId: user.enterpriseId, action: 'company.invitation_revoked', data: { invitationId: id } });
  });
}

/** The invitation page: the company and the mobile it was sent to, or the one "invalid or expired" answer. */
export async function openInvitation(deps: CompanyDeps, token: string) {
  const invitation = LINK_TOKEN_RE.test(token) ? await repo.findUsableInvitation(deps.db, hashToken(token), deps.clock.now()) : undefined;
  if (!invitation) throw new NotFoundError(INVALID_INVITATION);
  const company = await findEnterpriseById(deps.db, invitation.enterpriseId);
  return { companyName: company?.name ?? '', mobile: invitation.mobile, expiresAt: invitation.expiresAt };
}

/** The colleague sets name and password: their account is created and the link spent, in one transaction. */
export async function acceptInvitation(deps: CompanyDeps, token: string, input: unknown): Promise<Principal> {
  const shown = await openInvitation(deps, token);
  const v = parseInput(acceptInvitationSchema, input);
  const passwordHash = await hashPassword(v.password);
  const now = deps.clock.now();
  const userId = await inTransaction(deps.db, async (tx) => {
    const invitation = await repo.findUsableInvitation(tx, hashToken(token), now, true);
    if (!invitation) throw new NotFoundError(INVALID_INVITATION);
    const email = invitation.email && !(await emailTaken(tx, invitation.email)) ? invitation.email : null;
    const id = await insertUser(tx, { role: 'enterprise', name: v.name, mobile: invitation.mobile, email, passwordHash, enterpriseId: invitation.enterpriseId });
    await repo.markInvitationUsed(tx, invitation.id, id, now);
    await recordEvent(tx, { actorUserId: id, entityType: 'enterprise', entityId: invitation.enterpriseId, action: 'company.invitation_accepted', data: { invitationId: invitation.id, userId: id, invitedBy: invitation.invitedBy } });
    return id;
  }).catch((err: unknown) => {
    if (pgErrorCode(err) === UNIQUE_VIOLATION && (pgConstraint(err) ?? '').includes('mobile')) {
      throw new ValidationError({ name: `手机号 ${shown.mobile} 已注册平台账号，请直接登录。` });
    }
    throw err;
  });
  const principal = await findPrincipalById(deps.db, userId);
  if (!principal) throw new Error(`the invited account ${userId} cannot be read back`);
  return principal;
}
