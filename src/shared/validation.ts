import { z } from 'zod';
import { ValidationError } from './errors.js';

// Every field has its own Chinese message; zod's defaults (a body of the wrong shape sent to the API) are Chinese too.
z.config(z.locales.zhCN());

/**
 * Form-field building blocks with Chinese messages. Every field first turns a missing value into '' and refuses
 * arrays/objects where a single value belongs, so a tampered form gets a field message, never a 500.
 */
const scalar = (label: string) =>
  z.preprocess(
    (v) => (v === undefined || v === null ? '' : v),
    // NUL bytes are dropped: PostgreSQL text cannot hold them and would answer with an error.
    z.string({ error: `${label}格式不正确` }).transform((s) => s.replaceAll('\u0000', '').trim()),
  );

/** A required text field; `choose` for one picked from a list, so the message says 请选择 rather than 请填写. */
export function requiredText(label: string, opts: { min?: number; max?: number; choose?: boolean } = {}) {
  const { min = 1, max = 200 } = opts;
  return scalar(label).pipe(
    z
      .string()
      .min(1, `${opts.choose ? '请选择' : '请填写'}${label}`)
      .min(min, `${label}至少 ${min} 个字`)
      .max(max, `${label}不能超过 ${max} 个字`),
  );
}

export function optionalText(label: string, max = 500) {
  return scalar(label).pipe(z.string().max(max, `${label}不能超过 ${max} 个字`));
}

export const MOBILE_RE = /^1[3-9]\d{9}$/;

export function mobileField(label = '手机号') {
  return scalar(label).pipe(
    z
      .string()
      .min(1, `请填写${label}`)
      .transform((s) => s.replace(/[\s-]/g, '').replace(/^\+?86/, ''))
      .pipe(z.string().regex(MOBILE_RE, `${label}应为 11 位中国大陆手机号，如 13812345678`)),
  );
}

export function optionalEmail(label = '电子邮箱') {
  return scalar(label).pipe(
    z
      .string()
      .max(120, `${label}不能超过 120 个字符`)
      .transform((s) => s.toLowerCase())
      .refine((s) => s === '' || z.email().safeParse(s).success, `${label}格式不正确，如 name@example.com`),
  );
}

export function checkbox() {
  return z.preprocess((v) => v === 'on' || v === '1' || v === 'true' || v === true, z.boolean());
}

/** A positive integer id from a select or hidden field; '' means "none" when optional. */
export function optionalId(label: string) {
  return scalar(label).pipe(
    z
      .string()
      .regex(/^\d{0,9}$/, `请选择有效的${label}`)
      .transform((s) => (s === '' ? null : Number(s))),
  );
}

export function requiredId(label: string) {
  return scalar(label).pipe(
    z
      .string()
      .min(1, `请选择${label}`)
      .regex(/^[1-9]\d{0,8}$/, `请选择有效的${label}`)
      .transform(Number),
  );
}

export function oneOf<const T extends readonly [string, ...string[]]>(label: string, values: T) {
  return scalar(label).pipe(z.string().min(1, `请选择${label}`).pipe(z.enum(values, { error: `请选择有效的${label}` })));
}

/** Turns zod issues into one message per field ("items.0.name" style paths). */
export function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.') || '_form';
    out[key] ??= issue.message;
  }
  return out;
}

/** Parses user input or throws a ValidationError carrying one Chinese message per field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw new ValidationError(fieldErrorsOf(result.error));
  return result.data;
}
