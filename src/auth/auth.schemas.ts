import { z } from 'zod';
import {
  checkbox,
  mobileField,
  optionalEmail,
  optionalId,
  requiredText,
} from '../shared/validation.js';
import { newPasswordField } from './password.js';

export const registerSchema = z
  .object({
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
  })
  .superRefine((v, ctx) => {
    if (v.password !== v.passwordConfirm) {
      ctx.addIssue({ code: 'custom', path: ['passwordConfirm'], message: '两次输入的密码不一致' });
    }
    if (!v.agree) {
      ctx.addIssue({ code: 'custom', path: ['agree'], message: '请阅读并同意平台服务协议与隐私政策' });
    }
  });

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
