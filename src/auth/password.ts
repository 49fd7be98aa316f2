import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';

// argon2id with the library defaults (19 MiB, t=2): the OWASP baseline for interactive logins.

export function hashPassword(plain: string): Promise<string> {
  return hash(plain);
}

export async function verifyPassword(passwordHash: string, plain: string): Promise<boolean> {
  try {
    return await verify(passwordHash, plain);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;
/** Spends the same time as a real check when the account does not exist, so timing does not reveal it. */
export async function burnPasswordCheck(plain: string): Promise<void> {
  dummyHash ??= hash('dummy-password-for-timing-0');
  await verifyPassword(await dummyHash, plain);
}

export function passwordClasses(plain: string): number {
  return [/[a-z]/, /[A-Z]/, /\d/, /[^a-zA-Z\d]/].filter((re) => re.test(plain)).length;
}

export const PASSWORD_RULE = '至少 10 位，且包含小写字母、大写字母、数字、符号中的至少两类';

/** ≥ 10 characters and not all one class (lower-case, upper-case, digits, symbols). */
export const newPasswordField = z.preprocess(
  (v) => (v === undefined || v === null ? '' : v),
  z
    .string({ error: '密码格式不正确' })
    .min(1, '请设置密码')
    .min(10, `密码太短：${PASSWORD_RULE}`)
    .max(128, '密码不能超过 128 个字符')
    .refine((p) => passwordClasses(p) >= 2, `密码太简单：${PASSWORD_RULE}`),
);
