import { setPassword } from '../auth/auth.repo.js';
import { hashPassword } from '../auth/password.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { enqueue } from '../outbox/outbox.repo.js';
import { NotFoundError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import * as repo from './company.repo.js';
import { forgotSchema, resetPasswordSchema } from './company.schemas.js';
import type { CompanyDeps } from './context.js';
import { hashToken, LINK_TOKEN_RE, newLinkToken, RESET_MINUTES } from './tokens.js';

export const INVALID_RESET = '重置链接无效或已过期（链接 1 小时内有效，只能使用一次）。请重新申请。';
export const RESET_SENT = '如该邮箱已注册，重置密码的链接已发送，1 小时内有效。请查收邮件（也请查看垃圾邮件）。';

/**
 * Asks for a reset link. The answer is the same whether the e-mail belongs to an account or not; a link is written
 * to the outbox only for an active account, in the transaction that stores its hash.
 */
export async function requestPasswordReset(deps: CompanyDeps, input: unknown): Promise<'sent' | 'no_email'> {
  // Without e-mail there is nothing to send: the page says whom to ask instead.
  if (!deps.emailEnabled) return 'no_email';
  const { email } = parseInput(forgotSchema, input);
  const user = await repo.findUserByEmail(deps.db, email);
  if (!user || !user.active || !user.email) return 'sent';
  const token = newLinkToken();
  const now = deps.clock.now();
  const link = `${deps.publicUrl.replace(/\/$/, '')}/password/reset/${token}`;
  await inTransaction(deps.db, async (tx) => {
    await repo.expireTokens(tx, 'reset', { userId: user.id }, now);
    await repo.insertAccountToken(tx, { purpose: 'reset', tokenHash: hashToken(token), userId: user.id, expiresAt: new Date(now.getTime() + RESET_MINUTES * 60_000) });
    await recordEvent(tx, { actorUserId: null, entityType: 'user', entityId: user.id, action: 'auth.reset_requested' });
    await enqueue(tx, {
      kind: 'email',
      payload: {
        to: user.email!,
        subject: '重置舟山市质量基础设施一站式服务平台的登录密码',
        text: `${user.name}，您好：\n请在 1 小时内打开以下链接设置新密码（只能使用一次）：\n${link}\n\n如非本人操作，请忽略本邮件，您的密码不会改变。`,
      },
    });
  });
  return 'sent';
}

export async function checkResetToken(deps: CompanyDeps, token: string): Promise<void> {
  const row = LINK_TOKEN_RE.test(token) ? await repo.findUsableToken(deps.db, 'reset', hashToken(token), deps.clock.now()) : undefined;
  if (!row) throw new NotFoundError(INVALID_RESET);
}

/** Sets the new password and spends the link; every session of the account ends. */
export async function resetPassword(deps: CompanyDeps, token: string, input: unknown): Promise<void> {
  await checkResetToken(deps, token);
  const v = parseInput(resetPasswordSchema, input);
  const passwordHash = await hashPassword(v.password);
  const now = deps.clock.now();
  const userId = await inTransaction(deps.db, async (tx) => {
    const row = await repo.findUsableToken(tx, 'reset', hashToken(token), now, true);
    if (!row || row.userId === null) throw new NotFoundError(INVALID_RESET);
    await setPassword(tx, row.userId, passwordHash);
    await repo.markTokenUsed(tx, row.id, now);
    await recordEvent(tx, { actorUserId: row.userId, entityType: 'user', entityId: row.userId, action: 'auth.password_reset_by_link' });
    return row.userId;
  });
  await deps.destroySessions(userId);
}
