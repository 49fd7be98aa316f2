import { z } from 'zod';
import { isIsoDate } from '../shared/time.js';
import { optionalText, requiredId } from '../shared/validation.js';

const dateField = (label: string, required: boolean) =>
  optionalText(label, 10).refine((s) => (s === '' ? !required : isIsoDate(s)), required ? `请填写${label}（年-月-日）` : `${label}格式应为 年-月-日`);

/** Designating an authorised signatory: who, for which category (or all), from when, until when (optional). */
export const grantSchema = z
  .object({
    userId: requiredId('人员'),
    categoryCode: optionalText('授权范围', 40),
    validFrom: dateField('生效日期', true),
    validUntil: dateField('截止日期', false),
  })
  .refine((v) => v.validUntil === '' || v.validUntil >= v.validFrom, { path: ['validUntil'], message: '截止日期不能早于生效日期' });

export type GrantInput = z.infer<typeof grantSchema>;
