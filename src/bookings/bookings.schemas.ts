import { z } from 'zod';
import { checkbox, mobileField, oneOf, optionalText, requiredText } from '../shared/validation.js';
import { isIsoDate } from '../shared/time.js';

export const MAX_ITEM_ROWS = 50;
export const MAX_UNITS_PER_BOOKING = 200;

export const SOURCE_TYPES = { ship: '船舶', barge: '供油驳船', tank: '储罐', other: '其他' } as const;

const quantity = (label: string, max: number) =>
  z.preprocess(
    (v) => (v === undefined || v === null ? '' : v),
    z
      .string({ error: `${label}格式不正确` })
      .trim()
      .min(1, `请填写${label}`)
      .regex(/^\d+$/, `${label}应为正整数`)
      // A long row of digits is a number too large, not a malformed one: it gets the "不能超过" message.
      .transform((s) => (s.length > 9 ? Number.POSITIVE_INFINITY : Number(s)))
      .pipe(z.number().min(1, `${label}至少为 1`).max(max, `${label}不能超过 ${max}`)),
  );

/** "2026-12-01|am", "2026-12-01|09:00" (a consultation slot) or "2026-12-01|20:00-08:00" (a node's own window). */
export const slotField = z.preprocess(
  (v) => (v === undefined || v === null ? '' : v),
  z
    .string({ error: '请选择预约时段' })
    .min(1, '请选择预约时段')
    .regex(/^\d{4}-\d{2}-\d{2}\|(am|pm|\d{2}:\d{2}(-\d{2}:\d{2})?)$/, '请选择有效的预约时段')
    .refine((s) => isIsoDate(s.slice(0, 10)), '请选择有效的预约时段')
    .transform((s) => ({ date: s.slice(0, 10), window: s.slice(11) })),
);

export const idempotencyKeyField = z.preprocess(
  (v) => (v === undefined || v === null ? '' : v),
  z
    .string({ error: '页面已失效，请刷新后重新填写' })
    .regex(/^[A-Za-z0-9_-]{16,64}$/, '页面已失效，请刷新后重新填写'),
);

const common = {
  idempotencyKey: idempotencyKeyField,
  slot: slotField,
  contactName: requiredText('联系人', { min: 2, max: 30 }),
  contactMobile: mobileField('联系电话'),
  remarks: optionalText('备注', 1000),
};

export const instrumentRow = z.object({
  name: requiredText('器具名称', { max: 60 }),
  model: optionalText('型号规格', 60),
  serialNo: requiredText('出厂编号', { max: 60 }),
  range: optionalText('测量范围', 60),
  accuracyClass: optionalText('准确度等级', 30),
  quantity: quantity('数量', 100),
  compulsory: checkbox(),
  intendedUse: optionalText('用途', 60),
});

/** Rows the page removed can leave holes in the array; they are dropped before validation. */
const rows = <T extends z.ZodType>(row: T) =>
  z.preprocess(
    (v) => (Array.isArray(v) ? v.filter((r) => r !== undefined && r !== null) : v === undefined ? [] : v),
    z
      .array(row, { error: '器具明细格式不正确' })
      .min(1, '请至少填写一台（件）计量器具')
      .max(MAX_ITEM_ROWS, `一次最多填写 ${MAX_ITEM_ROWS} 行，更多器具请上传清单或分次预约`),
  );

export const calibrationSchema = z
  .object({
    ...common,
    deliveryMode: oneOf('服务方式', ['send_in', 'on_site']),
    onsiteAddress: optionalText('上门地址', 200),
    items: rows(instrumentRow),
  })
  .superRefine((v, ctx) => {
    if (v.deliveryMode === 'on_site' && v.onsiteAddress.length < 5) {
      ctx.addIssue({ code: 'custom', path: ['onsiteAddress'], message: '上门服务请填写详细地址（至少 5 个字）' });
    }
    const units = v.items.reduce((sum, i) => sum + i.quantity, 0);
    if (units > MAX_UNITS_PER_BOOKING) {
      ctx.addIssue({ code: 'custom', path: ['items'], message: `一次预约最多 ${MAX_UNITS_PER_BOOKING} 台（件），请分次预约` });
    }
  });

const pastOrTodayDate = (label: string) =>
  z.preprocess(
    (v) => (v === undefined || v === null ? '' : v),
    z
      .string({ error: `${label}格式不正确` })
      .min(1, `请填写${label}`)
      .refine(isIsoDate, `${label}格式应为 年-月-日`),
  );

export const oilTestSchema = z.object({
  ...common,
  sampleName: requiredText('样品名称', { max: 60 }),
  gradeCode: requiredText('产品牌号', { max: 40, choose: true }),
  specEdition: requiredText('规格版本', { max: 40, choose: true }),
  gradeVariant: optionalText('品质', 20),
  sulphurRequirement: optionalText('硫含量判定要求', 20),
  bdnNo: optionalText('燃油交付单（BDN）编号', 40),
  sourceType: oneOf('样品来源', ['ship', 'barge', 'tank', 'other']),
  sourceName: requiredText('来源名称（船名/罐号/驳船名）', { max: 60 }),
  samplingDate: pastOrTodayDate('取样日期'),
  quantity: quantity('样品数量', 20),
  sealNo: requiredText('铅封号', { max: 40 }),
  testMode: oneOf('检测项目方式', ['package', 'items']),
  packageCode: optionalText('检测套餐', 40),
  testItems: z.preprocess(
    (v) => (v === undefined ? [] : typeof v === 'string' ? [v] : v),
    z.array(z.string({ error: '检测项目格式不正确' }).max(30), { error: '检测项目格式不正确' }).max(80),
  ),
});

export const consultationSchema = z.object({
  ...common,
  deliveryMode: oneOf('服务方式', ['on_site', 'online']),
  topic: requiredText('咨询主题', { min: 4, max: 80 }),
  description: requiredText('需求描述', { min: 10, max: 2000 }),
  participants: quantity('参加人数', 20),
});

export type CalibrationInput = z.output<typeof calibrationSchema>;
export type OilTestInput = z.output<typeof oilTestSchema>;
export type ConsultationInput = z.output<typeof consultationSchema>;

export const reasonSchema = z.object({ reason: requiredText('原因', { min: 2, max: 500 }) });

export const rescheduleSchema = z.object({ slot: slotField });

export const resubmitSchema = z.object({ note: requiredText('补正说明', { min: 2, max: 1000 }) });

export const listFilterSchema = z.object({
  status: z.string().max(20).optional(),
  node: z.string().regex(/^\d{1,9}$/).optional(),
  service: z.string().max(40).optional(),
  from: z.string().refine(isIsoDate).optional(),
  to: z.string().refine(isIsoDate).optional(),
  q: z.string().max(40).optional(),
});

export const EVALUATION_LEVELS = { 5: '非常满意', 4: '满意', 3: '基本满意', 2: '不满意', 1: '非常不满意' } as const;

export const evaluationSchema = z.object({
  level: z.preprocess(
    (v) => (v === undefined || v === null ? '' : v),
    z
      .string({ error: '请选择满意程度' })
      .regex(/^[1-5]$/, '请选择满意程度')
      .transform(Number),
  ),
  comment: optionalText('评价内容', 500),
});
