import { z } from 'zod';
import { isIsoDate } from '../shared/time.js';
import { checkbox, mobileField, oneOf, optionalId, optionalText, requiredText } from '../shared/validation.js';
import { BILLING_RULES, EQUIPMENT_CATEGORIES, EQUIPMENT_STATUSES, MODES, USER_CATEGORIES } from './domain.js';
import { HHMM_RE } from './time-rules.js';

/** A booking of an instrument. The time fields are judged by the time rules (time-rules.ts), field by field. */
export const bookingSchema = z.object({
  date: optionalText('预约日期', 10),
  startTime: optionalText('开始时间', 5),
  endTime: optionalText('结束时间', 5),
  mode: oneOf('使用方式', MODES),
  purpose: requiredText('用途 / 检测项目', { max: 200 }),
  sampleNote: optionalText('样品说明', 500),
  contactName: requiredText('联系人', { max: 40 }),
  contactMobile: mobileField('联系手机'),
  idempotencyKey: optionalText('提交标识', 64),
});
export type BookingInput = z.infer<typeof bookingSchema>;

const intField = (label: string, min: number, max: number) =>
  optionalText(label, 6).pipe(
    z
      .string()
      .min(1, `请填写${label}`)
      .regex(/^-?\d+$/, `${label}应为整数`)
      .transform(Number)
      .pipe(z.number().min(min, `${label}不能小于 ${min}`).max(max, `${label}不能大于 ${max}`)),
  );

const timeField = (label: string) => optionalText(label, 5).refine((s) => /^([01]\d|2[0-3]):(00|30)$/.test(s), `请选择${label}（整点或半点）`);

export const dateField = (label: string, required = true) =>
  optionalText(label, 10).refine((s) => (s === '' ? !required : isIsoDate(s)), required ? `请填写${label}（年-月-日）` : `${label}格式应为 年-月-日`);

/** A rate in yuan per hour (two decimals at most), stored as cents; '' = not offered. */
const yuanField = (label: string) =>
  optionalText(label, 12).refine((s) => s === '' || (/^\d{1,6}(\.\d{1,2})?$/.test(s) && Number(s) <= 100_000), `${label}应为 0–100000 的金额，最多两位小数`);

const rateFields = Object.fromEntries(USER_CATEGORIES.flatMap((c) => MODES.map((m) => [`rate_${c}_${m}`, yuanField('收费标准')]))) as Record<`rate_${(typeof USER_CATEGORIES)[number]}_${(typeof MODES)[number]}`, ReturnType<typeof yuanField>>;

/** An instrument as the node (or the platform) describes it. */
export const equipmentSchema = z
  .object({
    nodeId: optionalId('所属网点'),
    code: requiredText('资产编号', { max: 40 }).pipe(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/, '资产编号只能包含字母、数字和连字符')),
    name: requiredText('设备名称', { max: 80 }),
    category: oneOf('设备类别', EQUIPMENT_CATEGORIES),
    model: optionalText('型号规格', 80),
    maker: optionalText('生产厂家', 80),
    location: optionalText('存放地点', 120),
    specs: optionalText('主要技术指标', 2000),
    methods: optionalText('可开展的检测项目 / 方法', 2000),
    description: optionalText('设备简介', 2000),
    modeSelf: checkbox(),
    modeAssisted: checkbox(),
    ...rateFields,
    openFrom: timeField('开放开始时间'),
    openUntil: timeField('开放结束时间'),
    minNoticeHours: intField('最短提前预约时间', 0, 168),
    maxHours: intField('单次最长预约时长', 1, 12),
    horizonDays: intField('最远可预约天数', 1, 180),
    noShowMinutes: intField('爽约判定时间', 5, 240),
    billing: oneOf('计费方式', BILLING_RULES),
    autoApprove: checkbox(),
    status: oneOf('设备状态', EQUIPMENT_STATUSES),
    statusNote: optionalText('状态说明', 200),
  })
  .superRefine((v, ctx) => {
    if (!v.modeSelf && !v.modeAssisted) ctx.addIssue({ code: 'custom', path: ['modeSelf'], message: '请至少选择一种使用方式' });
    if (v.openFrom && v.openUntil && v.openFrom >= v.openUntil) ctx.addIssue({ code: 'custom', path: ['openUntil'], message: '开放结束时间须晚于开始时间' });
    for (const mode of MODES) {
      const offered = mode === 'self' ? v.modeSelf : v.modeAssisted;
      for (const c of USER_CATEGORIES) {
        const key = `rate_${c}_${mode}` as const;
        if (offered && v[key] === '') ctx.addIssue({ code: 'custom', path: [key], message: '请填写该使用方式各类用户的收费标准（免费填 0）' });
      }
    }
  });
export type EquipmentInput = z.infer<typeof equipmentSchema>;

/** One line per specification: "测量范围：0–500 mm" (a full-width or half-width colon). */
export function parseSpecs(text: string): { label: string; value: string }[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(0, 30)
    .map((line) => {
      const at = line.search(/[:：]/);
      return at > 0 ? { label: line.slice(0, at).trim(), value: line.slice(at + 1).trim() } : { label: '', value: line };
    });
}

export const lines = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 30);

export const trainingSchema = z
  .object({
    mobile: mobileField('学员手机号'),
    trainedOn: dateField('培训日期'),
    validUntil: dateField('有效期至', false),
    trainer: requiredText('培训人', { max: 40 }),
  })
  .refine((v) => v.validUntil === '' || v.validUntil >= v.trainedOn, { path: ['validUntil'], message: '有效期不能早于培训日期' });

export const blockSchema = z
  .object({
    startDate: dateField('开始日期'),
    startTime: timeField('开始时间'),
    endDate: dateField('结束日期'),
    endTime: timeField('结束时间'),
    reason: requiredText('维护原因', { max: 200 }),
  })
  .refine((v) => !v.startDate || !v.endDate || !v.startTime || !v.endTime || `${v.endDate} ${v.endTime}` > `${v.startDate} ${v.startTime}`, { path: ['endTime'], message: '结束时间须晚于开始时间' })
  .refine((v) => !v.startDate || !v.endDate || v.endDate <= addDaysText(v.startDate, 31), { path: ['endDate'], message: '一次最多占用 31 天' });

function addDaysText(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return Number.isNaN(t) ? date : new Date(t).toISOString().slice(0, 10);
}

export const checkOutSchema = z
  .object({
    actualStart: optionalText('实际开始时间', 5).refine((s) => HHMM_RE.test(s), '请填写实际开始时间（时:分）'),
    actualEnd: optionalText('实际结束时间', 5).refine((s) => HHMM_RE.test(s), '请填写实际结束时间（时:分）'),
  })
  .refine((v) => !HHMM_RE.test(v.actualStart) || !HHMM_RE.test(v.actualEnd) || v.actualEnd > v.actualStart, { path: ['actualEnd'], message: '实际结束时间须晚于开始时间' });

export const reasonSchema = z.object({ reason: optionalText('原因', 300) });

export const rulesSchema = z.object({
  noShowLimit: intField('爽约次数', 1, 20),
  windowDays: intField('统计天数', 7, 365),
  suspensionDays: intField('暂停天数', 1, 365),
});

export const instituteSchema = z.object({
  creditCode: requiredText('统一社会信用代码', { max: 18 }).pipe(z.string().transform((s) => s.toUpperCase()).pipe(z.string().regex(/^[0-9A-HJ-NP-RT-UW-Y]{18}$/, '统一社会信用代码应为 18 位'))),
});

export const liftSchema = z.object({ reason: requiredText('解除原因', { max: 300 }) });

export const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

export const reviewSchema = z
  .object({ decision: oneOf('审核结论', ['approve', 'reject'] as const), note: optionalText('审核意见', 300) })
  .refine((v) => v.decision === 'approve' || v.note !== '', { path: ['note'], message: '不予通过时请填写审核意见' });
