import { z } from 'zod';
import { isIsoDate } from '../shared/time.js';
import { mobileField, oneOf, optionalEmail, optionalId, optionalText, requiredId, requiredText } from '../shared/validation.js';

const intField = (label: string, min: number, max: number) =>
  z.preprocess(
    (v) => (v === undefined || v === null ? '' : v),
    z
      .string({ error: `${label}格式不正确` })
      .trim()
      .min(1, `请填写${label}`)
      .regex(/^-?\d{1,6}$/, `${label}应为整数`)
      .transform(Number)
      .pipe(z.number().min(min, `${label}不能小于 ${min}`).max(max, `${label}不能大于 ${max}`)),
  );

const dateField = (label: string) =>
  z.preprocess(
    (v) => (v === undefined || v === null ? '' : v),
    z.string({ error: `${label}格式不正确` }).min(1, `请选择${label}`).refine(isIsoDate, `${label}格式应为 年-月-日`),
  );

/** Lines of a textarea as a list (standards, required documents). */
const lines = (label: string, maxItems: number) =>
  optionalText(label, 2000).transform((s, ctx) => {
    const list = s.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    if (list.length > maxItems) ctx.addIssue({ code: 'custom', message: `${label}最多 ${maxItems} 行` });
    if (list.some((l) => l.length > 120)) ctx.addIssue({ code: 'custom', message: `${label}每行不能超过 120 个字` });
    return list;
  });

const codeField = (label: string) =>
  requiredText(label, { min: 2, max: 24 }).transform((s) => s.toUpperCase()).pipe(z.string().regex(/^[A-Z][A-Z0-9-]{1,23}$/, `${label}只能包含大写字母、数字和连字符，以字母开头`));

export const nodeSchema = z.object({
  code: codeField('网点编号'),
  name: requiredText('网点名称', { min: 4, max: 60 }),
  shortName: requiredText('简称', { min: 2, max: 20 }),
  kind: oneOf('网点类型', ['centre', 'station', 'lab']),
  parkId: optionalId('所在园区'),
  district: requiredText('所在区县', { min: 2, max: 20 }),
  address: requiredText('地址', { min: 5, max: 200 }),
  hours: requiredText('服务时间', { min: 2, max: 100 }),
  phone: requiredText('联系电话', { max: 20 }).pipe(z.string().regex(/^[0-9+\-() ]{7,20}$/, '联系电话格式不正确，如 0580-2281001')),
  contactName: optionalText('联系人', 30),
  description: optionalText('简介', 500),
});

/** "09:00, 10:00 14:00" → ["09:00","10:00","14:00"]; times on the quarter hour within opening hours. */
const slotTimesField = optionalText('咨询时段', 200).transform((s, ctx) => {
  const times = [...new Set(s.split(/[\s,，、]+/).filter(Boolean))].sort();
  for (const t of times) {
    const m = /^(\d{2}):(\d{2})$/.exec(t);
    if (!m || Number(m[1]) < 7 || Number(m[1]) > 20 || Number(m[2]) % 15 !== 0) {
      ctx.addIssue({ code: 'custom', message: `咨询时段“${t}”格式不正确，应为 07:00–20:45 之间的整刻钟，如 09:00` });
      return [];
    }
  }
  if (times.length > 12) ctx.addIssue({ code: 'custom', message: '咨询时段最多 12 个' });
  return times;
});

export const capacitySchema = z.object({
  capacityAm: intField('上午名额', 0, 1000),
  capacityPm: intField('下午名额', 0, 1000),
  slotTimes: slotTimesField,
  slotCapacity: intField('每时段专家数', 0, 50),
});

export const offeringSchema = capacitySchema.extend({ serviceId: requiredId('服务') });

export const closureSchema = z
  .object({
    startDate: dateField('开始日期'),
    endDate: dateField('结束日期'),
    reason: requiredText('暂停原因', { min: 2, max: 200 }),
  })
  .superRefine((v, ctx) => {
    if (v.endDate < v.startDate) ctx.addIssue({ code: 'custom', path: ['endDate'], message: '结束日期不能早于开始日期' });
  });

export const serviceSchema = z.object({
  code: codeField('服务编号'),
  name: requiredText('服务名称', { min: 4, max: 80 }),
  categoryCode: requiredText('服务类别', { max: 30 }),
  bookingKind: oneOf('预约类型', ['calibration', 'oil_test', 'consultation']),
  summary: requiredText('简介', { min: 10, max: 300 }),
  description: optionalText('详细说明', 2000),
  standards: lines('依据标准', 20),
  turnaroundDays: intField('办结时限', 1, 120),
  feeBasis: requiredText('收费依据', { min: 2, max: 200 }),
  requiredDocuments: lines('所需材料', 10),
  deliveryModes: z.preprocess(
    (v) => (v === undefined ? [] : typeof v === 'string' ? [v] : v),
    z.array(z.enum(['send_in', 'on_site', 'online'], { error: '请选择有效的服务方式' }), { error: '请选择服务方式' }).min(1, '请至少选择一种服务方式'),
  ),
  instrumentCategoryCode: optionalText('器具类别', 30),
  keywords: optionalText('搜索关键词', 200),
});

export const USER_ROLES = ['lab_staff', 'node_manager', 'park_admin', 'platform_admin'] as const;

export const staffUserSchema = z
  .object({
    role: oneOf('角色', USER_ROLES),
    name: requiredText('姓名', { min: 2, max: 30 }),
    mobile: mobileField(),
    email: optionalEmail(),
    nodeId: optionalId('所属网点'),
    parkId: optionalId('所属园区'),
  })
  .superRefine((v, ctx) => {
    if ((v.role === 'lab_staff' || v.role === 'node_manager') && v.nodeId === null) {
      ctx.addIssue({ code: 'custom', path: ['nodeId'], message: '检测人员和节点负责人须选择所属网点' });
    }
    if (v.role === 'park_admin' && v.parkId === null) ctx.addIssue({ code: 'custom', path: ['parkId'], message: '园区管理员须选择所属园区' });
  });

export const reviewSchema = z.object({
  decision: oneOf('复核结论', ['approved', 'rejected']),
  note: optionalText('复核说明', 300),
});
