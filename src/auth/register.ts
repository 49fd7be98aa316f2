import { eq } from 'drizzle-orm';
import { pgConstraint, pgErrorCode, UNIQUE_VIOLATION, type Db } from '../db/client.js';
import { parks } from '../db/schema.js';
import { checkCreditCode, type CreditCodeCheck } from '../enterprises/credit-code.js';
import { insertEnterprise } from '../enterprises/enterprises.repo.js';
import { findCompanyByCreditCode, registerForExistingCompany } from '../company/join.js';
import type { Clock } from '../shared/time.js';
import { recordEvent } from '../events/record.js';
import { ValidationError } from '../shared/errors.js';
import type { Principal } from './access.js';
import * as repo from './auth.repo.js';
import { readRegistration, type RegisterInput } from './auth.schemas.js';
import { hashPassword } from './password.js';

export const DUPLICATE_MESSAGES = {
  creditCode: '该统一社会信用代码已注册。',
  mobile: '该手机号已注册，请直接登录或使用其他手机号。',
  email: '该邮箱已注册，请使用其他邮箱。',
} as const;

export type RegisterResult =
  | {
      kind: 'registered' | 'claimed';
      /** The company's first user (or its claimant), signed in next. */
      user: Principal;
      enterpriseId: number;
      creditCodeNeedsReview: boolean;
    }
  /** The credit code was registered already: the company's admins decide (join.ts). */
  | { kind: 'join_requested'; companyName: string };

/**
 * Field messages for what only the database and the check character can tell — credit code, park, mobile, e-mail —
 * for each of those fields that is well-formed, added to the form's own messages so the page shows them together.
 */
async function registrationErrors(db: Db, v: Partial<RegisterInput>, code: CreditCodeCheck | undefined, errors: Record<string, string>): Promise<void> {
  if (code?.status === 'bad_format') errors.creditCode ??= code.reason;
  if (code?.status === 'bad_check' && !v.confirmCreditCode) {
    errors.creditCode ??=
      `校验位与 GB 32100 计算结果不符：按前 17 位计算，第 18 位应为“${code.expected}”——也可能是前 17 位中有一位录错。请逐位核对营业执照；` +
      '若确认无误，请勾选下方“我确认此代码与营业执照一致”后提交，平台管理员将人工复核。';
  }
  if (v.parkId !== undefined && v.parkId !== null && (await db.$count(parks, eq(parks.id, v.parkId))) === 0) errors.parkId ??= '请选择有效的园区';
  if (v.mobile && (await repo.mobileTaken(db, v.mobile))) errors.mobile ??= DUPLICATE_MESSAGES.mobile;
  if (v.email && (await repo.emailTaken(db, v.email))) errors.email ??= DUPLICATE_MESSAGES.email;
}

/** The enterprise, its first user and the audit event, in one transaction. */
function createCompany(db: Db, v: RegisterInput, creditCode: string, needsReview: boolean, passwordHash: string) {
  return db.transaction(async (tx) => {
    const enterpriseId = await insertEnterprise(tx, { name: v.companyName, creditCode, parkId: v.parkId, address: v.address, needsReview });
    const userId = await repo.insertUser(tx, { role: 'enterprise', name: v.contactName, mobile: v.mobile, email: v.email || null, passwordHash, enterpriseId, companyAdmin: true });
    await recordEvent(tx, {
      actorUserId: userId,
      entityType: 'enterprise',
      entityId: enterpriseId,
      action: 'enterprise.registered',
      note: needsReview ? '统一社会信用代码校验位不符，用户确认无误，待平台复核' : null,
      data: { name: v.companyName, creditCode, parkId: v.parkId, creditCodeReview: needsReview ? 'pending' : 'none' },
    });
    return { userId, enterpriseId };
  });
}

/** Two sign-ups racing for the same code or mobile: the unique constraint decides, the loser gets the field message. */
function duplicateOf(err: unknown): ValidationError | undefined {
  if (pgErrorCode(err) !== UNIQUE_VIOLATION) return undefined;
  const constraint = pgConstraint(err) ?? '';
  if (constraint.includes('credit_code')) return new ValidationError({ creditCode: DUPLICATE_MESSAGES.creditCode });
  if (constraint.includes('mobile')) return new ValidationError({ mobile: DUPLICATE_MESSAGES.mobile });
  if (constraint.includes('email')) return new ValidationError({ email: DUPLICATE_MESSAGES.email });
  return undefined;
}

/** Company sign-up: the enterprise, its first user and the audit event commit together or not at all. */
export async function registerCompany(db: Db, clock: Clock, input: unknown): Promise<RegisterResult> {
  const { values, errors } = readRegistration(input);
  const code = values.creditCode ? checkCreditCode(values.creditCode) : undefined;
  await registrationErrors(db, values, code, errors);
  // A credit code already on the platform: a join request to its admins, or a claim of a company the window registered.
  const existing = code && code.status !== 'bad_format' ? await findCompanyByCreditCode(db, code.code) : undefined;
  if (existing) delete errors.creditCode;
  if (Object.keys(errors).length > 0 || !code) throw new ValidationError(errors);
  const v = values as RegisterInput;
  const passwordHash = await hashPassword(v.password);
  if (existing) {
    const applicant = { name: v.contactName, mobile: v.mobile, email: v.email || null, passwordHash };
    const outcome = await registerForExistingCompany({ db, clock }, existing, applicant, v.claimCode);
    return outcome.kind === 'claimed' ? { ...outcome, creditCodeNeedsReview: false } : outcome;
  }
  const needsReview = code.status === 'bad_check';
  const created = await createCompany(db, v, code.code, needsReview, passwordHash).catch((err: unknown) => {
    throw duplicateOf(err) ?? err;
  });
  const user = await repo.findPrincipalById(db, created.userId);
  if (!user) throw new Error(`the account ${created.userId} just registered cannot be read back`);
  return { kind: 'registered', user, enterpriseId: created.enterpriseId, creditCodeNeedsReview: needsReview };
}
