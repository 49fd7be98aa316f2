import { z } from 'zod';
import { idempotencyKeyField } from '../bookings/bookings.schemas.js';
import { mobileField, optionalText, requiredText } from '../shared/validation.js';

export const chainFormSchema = z.object({
  idempotencyKey: idempotencyKeyField,
  contactName: requiredText('联系人', { min: 2, max: 30 }),
  contactMobile: mobileField('联系电话'),
  description: requiredText('需求说明', { min: 10, max: 2000 }),
});

export const ratingSchema = z.object({
  level: z.preprocess(
    (v) => (v === undefined || v === null ? '' : v),
    z
      .string({ error: '请选择满意程度' })
      .regex(/^[1-5]$/, '请选择满意程度')
      .transform(Number),
  ),
  comment: optionalText('评价内容', 500),
});

const bundleCode = z.preprocess(
  (v) => (v === undefined || v === null ? '' : v),
  z
    .string({ error: '套餐编码格式不正确' })
    .trim()
    .regex(/^[A-Z][A-Z0-9-]{2,29}$/, '套餐编码为 3–30 位大写字母、数字或连字符，以字母开头'),
);

export const MAX_BUNDLE_STEPS = 6;

export const bundleStepSchema = z.object({
  title: optionalText('环节名称', 40),
  service: optionalText('服务', 40),
  after: z.preprocess(
    (v) => (v === undefined || v === null ? '' : v),
    z
      .string({ error: '前序环节格式不正确' })
      .trim()
      .regex(/^(\d(\s*[,，、]\s*\d)*)?$/, '前序环节请填写环节序号，多个用逗号分隔，如 1,2'),
  ),
});

export const bundleFormSchema = z.object({
  code: bundleCode,
  name: requiredText('套餐名称', { min: 4, max: 40 }),
  summary: optionalText('套餐说明', 300),
});

export const rerouteSchema = z.object({
  node: z.preprocess(
    (v) => (v === undefined || v === null ? '' : v),
    z
      .string({ error: '请选择网点' })
      .regex(/^\d{1,9}$/, '请选择网点')
      .transform(Number),
  ),
  slot: optionalText('预约时段', 40),
  reason: requiredText('改派原因', { min: 2, max: 200 }),
});
