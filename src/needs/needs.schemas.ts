import { z } from 'zod';
import { oneOf, optionalText, requiredText } from '../shared/validation.js';
import { isIsoDate } from '../shared/time.js';

export const NEED_TYPES = ['技术难题', '标准制修订', '计量溯源方案', '认证咨询', '质量管理诊断', '检测方法开发', '园区质量诊断', '标准体系建设'] as const;
export const PREFERRED_WAYS = { online: '线上答复', visit: '上门', meeting: '会议' } as const;

export const needSchema = z.object({
  type: oneOf('需求类型', NEED_TYPES),
  title: requiredText('需求标题', { min: 4, max: 60 }),
  description: requiredText('需求描述', { min: 10, max: 3000 }),
  preferredWay: oneOf('希望的服务方式', ['online', 'visit', 'meeting']),
});

export const messageSchema = z.object({ body: requiredText('留言内容', { min: 2, max: 3000 }) });

export const assignSchema = z.object({
  expert: z.preprocess(
    (v) => (v === undefined || v === null ? '' : v),
    z
      .string({ error: '请选择专家' })
      .regex(/^\d{1,9}$/, '请选择专家')
      .transform(Number),
  ),
});

export const resolveSchema = z.object({
  resolution: requiredText('答复结论', { min: 10, max: 3000 }),
  proposedBundle: optionalText('建议办理的一件事', 40),
});

export const closeSchema = z.object({ reason: requiredText('关闭原因', { min: 2, max: 300 }) });

export const needRatingSchema = z.object({
  level: z.preprocess(
    (v) => (v === undefined || v === null ? '' : v),
    z
      .string({ error: '请选择满意程度' })
      .regex(/^[1-5]$/, '请选择满意程度')
      .transform(Number),
  ),
  comment: optionalText('评价内容', 500),
});

/** Checkboxes arrive as one string, an array, or nothing. */
const list = (label: string) =>
  z.preprocess((v) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(z.string({ error: `${label}格式不正确` }).max(40, `${label}格式不正确`), { error: `${label}格式不正确` }).max(20, `${label}最多选择 20 项`));

/** Tags and qualifications typed as one line separated by 、 ， , or ；. */
const words = (label: string, maxEach: number, maxCount: number) =>
  optionalText(label, 400)
    .transform((s) => [...new Set(s.split(/[、，,；;\n]+/).map((w) => w.trim()).filter(Boolean))])
    .refine((a) => a.length <= maxCount, `${label}最多 ${maxCount} 项`)
    .refine((a) => a.every((w) => w.length <= maxEach), `${label}每项不超过 ${maxEach} 个字`);

export const EXPERT_STATES = { open: '可接单', paused: '暂停接单' } as const;

export const expertProfileSchema = z
  .object({
    fields: list('擅长的需求类型').refine((a) => a.length > 0, '请至少选择一个擅长的需求类型').refine((a) => a.every((f) => (NEED_TYPES as readonly string[]).includes(f)), '请选择有效的需求类型'),
    tags: words('专业关键词', 20, 15),
    qualifications: words('资质', 30, 10),
    state: oneOf('接单状态', ['open', 'paused']),
    pausedUntil: optionalText('暂停至', 10).refine((s) => s === '' || isIsoDate(s), '日期格式应为 2026-10-08'),
    maxLoad: z.preprocess(
      (v) => (v === undefined || v === null ? '' : v),
      z
        .string({ error: '请填写同时在办上限' })
        .trim()
        .regex(/^\d{1,2}$/, '同时在办上限应为 1–20 的整数')
        .transform(Number)
        .refine((n) => n >= 1 && n <= 20, '同时在办上限应为 1–20 的整数'),
    ),
  })
  .superRefine((v, ctx) => {
    if (v.state === 'open' && v.pausedUntil !== '') ctx.addIssue({ code: 'custom', path: ['pausedUntil'], message: '可接单时无需填写暂停截止日期' });
  });

export const proposalSchema = z.object({
  services: list('建议预约的服务').refine((a) => a.length > 0, '请至少选择一项建议预约的服务').refine((a) => a.length <= 5, '最多建议 5 项服务'),
});
