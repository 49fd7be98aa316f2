import { z } from 'zod';
import { oneOf, optionalText, requiredText } from '../shared/validation.js';

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
