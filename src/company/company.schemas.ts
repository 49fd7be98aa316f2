import { z } from 'zod';
import { newPasswordField } from '../auth/password.js';
import { mobileField, oneOf, optionalEmail, requiredText } from '../shared/validation.js';

export const inviteSchema = z.object({ mobile: mobileField('同事手机号'), email: optionalEmail('同事邮箱') });

const passwordPair = {
  password: newPasswordField,
  passwordConfirm: z.preprocess((v) => v ?? '', z.string({ error: '请再次输入密码' })),
};
const samePasswords = (v: { password: string; passwordConfirm: string }, ctx: z.RefinementCtx) => {
  if (v.password !== v.passwordConfirm) ctx.addIssue({ code: 'custom', path: ['passwordConfirm'], message: '两次输入的密码不一致' });
};

export const acceptInvitationSchema = z.object({ name: requiredText('姓名', { min: 2, max: 30 }), ...passwordPair }).superRefine(samePasswords);

export const resetPasswordSchema = z.object(passwordPair).superRefine(samePasswords);

export const adminSwitchSchema = z.object({ admin: oneOf('管理员设置', ['1', '0']) });

export const forgotSchema = z.object({
  email: optionalEmail('注册邮箱').refine((s) => s !== '', '请填写注册时使用的邮箱'),
});
