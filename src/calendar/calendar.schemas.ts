import { z } from 'zod';
import { optionalText, requiredText } from '../shared/validation.js';

/** The years an arrangement can be entered for: the platform's history and the next few years. */
export const FIRST_YEAR = 2020;
export const yearsAhead = 3;

export const yearField = z.preprocess(
  (v) => (v === undefined || v === null ? '' : v),
  z
    .string({ error: '请选择年份' })
    .regex(/^\d{4}$/, '请选择年份')
    .transform(Number),
);

/** The arrangement form: the year, the notice it comes from, and its lines. */
export const arrangementSchema = z.object({
  year: yearField,
  source: requiredText('文件依据', { min: 2, max: 120 }),
  text: requiredText('放假安排', { max: 8000 }),
  intent: optionalText('操作', 20),
});

export type ArrangementInput = z.output<typeof arrangementSchema>;
