import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { pgConstraint, pgErrorCode, UNIQUE_VIOLATION } from '../db/client.js';
import { parks } from '../db/schema.js';
import { recordEvent } from '../events/record.js';
import { checkCreditCode } from '../enterprises/credit-code.js';
import { creditCodeTaken, insertEnterprise } from '../enterprises/enterprises.repo.js';
import { ValidationError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import { asPrincipal, type Principal } from './access.js';
import * as repo from './auth.repo.js';
import { changePasswordSchema, registerSchema } from './auth.schemas.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from './password.js';

export const DUPLICATE_MESSAGES = {
  creditCode: '该统一社会信用代码已注册。如需加入该企业账号，请联系贵单位已注册的同事或平台客服。',
  mobile: '该手机号已注册，请直接登录或使用其他手机号。',
  email: '该邮箱已注册，请使用其他邮箱。',
} as const;

export interface RegisterResult {
  userId: number;
  enterpriseId: number;
  creditCodeNeedsReview: boolean;
}

export function makeAuthService(db: Db) {
  return {
    loadPrincipal: (id: number) => repo.findPrincipalById(db, id),

    /** Company sign-up: the enterprise, its first user and the audit event commit together or not at all. */
    async register(input: unknown): Promise<RegisterResult> {
      const v = parseInput(registerSchema, input);
      const errors: Record<string, string> = {};

      const code = checkCreditCode(v.creditCode);
      if (code.status === 'bad_format') errors.creditCode = code.reason;
      if (code.status === 'bad_check' && !v.confirmCreditCode) {
        errors.creditCode =
          `校验位与 GB 32100 计算结果不符（按规则第 18 位应为“${code.expected}”）。请核对营业执照；` +
          '若确认无误，请勾选“我确认此代码与营业执照一致”后提交，平台管理员将人工复核。';
      }
      if (v.parkId !== null && (await db.$count(parks, eq(parks.id, v.parkId))) === 0) {
        errors.parkId = '请选择有效的园区';
      }
      if (code.status !== 'bad_format' && (await creditCodeTaken(db, code.code))) errors.creditCode = DUPLICATE_MESSAGES.creditCode;
      if (await repo.mobileTaken(db, v.mobile)) errors.mobile = DUPLICATE_MESSAGES.mobile;
      if (v.email && (await repo.emailTaken(db, v.email))) errors.email = DUPLICATE_MESSAGES.email;
      if (Object.keys(errors).length > 0) throw new ValidationError(errors);

      const passwordHash = await hashPassword(v.password);
      const needsReview = code.status === 'bad_check';
      try {
        return await db.transaction(async (tx) => {
          const enterpriseId = await insertEnterprise(tx, {
            name: v.companyName,
            creditCode: code.code,
            parkId: v.parkId,
            address: v.address,
            needsReview,
          });
          const userId = await repo.insertUser(tx, {
            role: 'enterprise',
            name: v.contactName,
            mobile: v.mobile,
            email: v.email || null,
            passwordHash,
            enterpriseId,
          });
          await recordEvent(tx, {
            actorUserId: userId,
            entityType: 'enterprise',
            entityId: enterpriseId,
            action: 'enterprise.registered',
            note: needsReview ? '统一社会信用代码校验位不符，用户确认无误，待平台复核' : null,
            data: { name: v.companyName, creditCode: code.code, parkId: v.parkId, creditCodeReview: needsReview ? 'pending' : 'none' },
          });
          return { userId, enterpriseId, creditCodeNeedsReview: needsReview };
        });
      } catch (err) {
        // Two sign-ups racing for the same code or mobile: the unique constraint decides, the loser gets the field message.
        if (pgErrorCode(err) === UNIQUE_VIOLATION) {
          const constraint = pgConstraint(err) ?? '';
          if (constraint.includes('credit_code')) throw new ValidationError({ creditCode: DUPLICATE_MESSAGES.creditCode });
          if (constraint.includes('mobile')) throw new ValidationError({ mobile: DUPLICATE_MESSAGES.mobile });
          if (constraint.includes('email')) throw new ValidationError({ email: DUPLICATE_MESSAGES.email });
        }
        throw err;
      }
    },

    /** Returns the principal for valid credentials, or null — the same null whether or not the account exists. */
    async authenticate(identifier: string, password: string): Promise<Principal | null> {
      const candidate = await repo.findLoginCandidate(db, identifier.trim());
      if (!candidate) {
        await burnPasswordCheck(password);
        return null;
      }
      if (!(await verifyPassword(candidate.passwordHash, password))) return null;
      const { passwordHash: _hash, ...principal } = candidate;
      await repo.touchLastLogin(db, principal.id);
      return asPrincipal(principal);
    },

    async changePassword(user: Principal, input: unknown): Promise<void> {
      const v = parseInput(changePasswordSchema, input);
      const currentHash = await repo.findPasswordHash(db, user.id);
      if (!currentHash || !(await verifyPassword(currentHash, v.currentPassword))) {
        throw new ValidationError({ currentPassword: '当前密码不正确' });
      }
      const newHash = await hashPassword(v.newPassword);
      await db.transaction(async (tx) => {
        await repo.setPassword(tx, user.id, newHash);
        await recordEvent(tx, { actorUserId: user.id, entityType: 'user', entityId: user.id, action: 'user.password_changed' });
      });
    },
  };
}

export type AuthService = ReturnType<typeof makeAuthService>;
