import { z } from 'zod';
import {
  checkbox,
  mobileField,
  optionalEmail,
  optionalId,
  optionalText,
  requiredText,
} from '../shared/validation.js';
import { newPasswordField } from './password.js';

export const registerSchema = z.object({
  companyName: requiredText('企业名称', { min: 2, max: 100 }),
  creditCode: requiredText('统一社会信用代码', { max: 40 }),
  confirmCreditCode: checkbox(),
  parkId: optionalId('所在园区'),
  address: requiredText('企业地址', { min: 5, max: 200 }),
  contactName: requiredText('联系人姓名', { min: 2, max: 30 }),
  mobile: mobileField(),
  email: optionalEmail(),
  password: newPasswordField,
  passwordConfirm: z.preprocess((v) => v ?? '', z.string({ error: '请再次输入密码' })),
  agree: checkbox(),
  /** 认领码 from a window receipt: claims a company the window registered (optional). */
  claimCode: optionalText('认领码', 60),
});

/**
 * Every field of a sign-up checked on its own, so the page names every problem at once (not the next one after each
 * correction): the values that hold and a message per field that does not — the two passwords compared and the
 * agreement checked even when other fields are wrong.
 */
export function readRegistration(input: unknown): { values: Partial<RegisterInput>; errors: Record<string, string> } {
  const raw = input && typeof input === 'object' ? (input as Record<string, unknown>) : {};
  const values: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const [key, field] of Object.entries(registerSchema.shape)) {
    const result = (field as z.ZodType).safeParse(raw[key]);
    if (result.success) values[key] = result.data;
    else errors[key] = result.error.issues[0]?.message ?? '格式不正确';
  }
  if (!errors.password && values.password !== values.passwordConfirm) errors.passwordConfirm ??= '两次输入的密码不一致';
  if (values.agree !== true) errors.agree = '请阅读并同意平台服务协议与隐私政策';
  return { values: values as Partial<RegisterInput>, errors };
}

export type RegisterInput = z.output<typeof registerSchema>;

export const loginSchema = z.object({
  identifier: requiredText('手机号或邮箱', { max: 120 }),
  password: z.preprocess((v) => v ?? '', z.string({ error: '请输入密码' }).min(1, '请输入密码').max(128, '密码不能超过 128 个字符')),
});

export const changePasswordSchema = z
  .object({
    currentPassword: z.preprocess((v) => v ?? '', z.string({ error: '请输入当前密码' }).min(1, '请输入当前密码').max(128)),
    newPassword: newPasswordField,
    newPasswordConfirm: z.preprocess((v) => v ?? '', z.string({ error: '请再次输入新密码' })),
  })
  .superRefine((v, ctx) => {
    if (v.newPassword !== v.newPasswordConfirm) {
      ctx.addIssue({ code: 'custom', path: ['newPasswordConfirm'], message: '两次输入的新密码不一致' });
    }
    if (v.newPassword && v.newPassword === v.currentPassword) {
      ctx.addIssue({ code: 'custom', path: ['newPassword'], message: '新密码不能与当前密码相同' });
    }
  });
