import { z } from 'zod';
import { isIsoDate } from '../shared/time.js';
import { oneOf, optionalText, requiredText } from '../shared/validation.js';
import { PAYMENT_METHODS } from './fees.view.js';
import { checkCreditCode, normalizeCreditCode } from '../enterprises/credit-code.js';

/** An amount in yuan as typed ("350", "350.5", "1,200" refused) → fen. */
export function yuanField(label: string, opts: { optional?: boolean } = {}) {
  return optionalText(label, 12)
    .refine((s) => (s === '' ? !!opts.optional : /^\d{1,7}(\.\d{1,2})?$/.test(s)), opts.optional ? `${label}应为金额，如 350 或 350.50` : `请填写${label}（元），如 350 或 350.50`)
    .transform((s) => (s === '' ? null : Math.round(Number(s) * 100)));
}

/** The lab's confirmed fee (at acceptance or later), with a reason when it differs from the estimate. */
export const confirmFeeSchema = z.object({
  confirmedFee: yuanField('核定费用', { optional: true }),
  feeReason: optionalText('调整原因', 300),
});

export const paymentSchema = z.object({
  paymentStatus: oneOf('缴费状态', ['paid', 'waived', 'unpaid']),
  paidAmount: yuanField('实收金额', { optional: true }),
  paidOn: optionalText('缴费日期', 10).refine((s) => s === '' || isIsoDate(s), '缴费日期格式应为 年-月-日'),
  paymentMethod: optionalText('缴费方式', 20).refine((s) => s === '' || Object.hasOwn(PAYMENT_METHODS, s), '请选择有效的缴费方式'),
});

export const issueInvoiceSchema = z.object({ invoiceNo: requiredText('电子发票号码', { min: 8, max: 40 }).refine((s) => /^[0-9A-Za-z-]+$/.test(s), '电子发票号码只含数字、字母和连字符') });

/**
 * 纳税人识别号: since 2015 a company's is its 统一社会信用代码 (18 characters, checked by GB 32100's check character —
 * an invoice with a wrong one is refused by the tax system); a 15- or 20-character number from the old tax registration
 * is still accepted. Spaces are dropped and letters upper-cased, as typed from a licence.
 */
function taxNumberField() {
  return z
    .string({ error: '请填写纳税人识别号' })
    .transform((s) => normalizeCreditCode(s))
    .superRefine((s, ctx) => {
      const say = (message: string) => ctx.addIssue({ code: 'custom', message });
      if (!s) return say('请填写纳税人识别号');
      if (![15, 18, 20].includes(s.length)) return say(`纳税人识别号应为 18 位统一社会信用代码（或 15、20 位旧税号），您输入了 ${s.length} 位`);
      if (s.length !== 18) return /^[0-9A-Z]+$/.test(s) ? undefined : say('纳税人识别号只含数字和大写字母');
      const check = checkCreditCode(s);
      if (check.status === 'bad_format') return say(check.reason.replaceAll('统一社会信用代码', '纳税人识别号'));
      if (check.status === 'bad_check') return say(`纳税人识别号校验位不符（按 GB 32100 第 18 位应为“${check.expected}”），请对照营业执照核对`);
    });
}

/** 开票信息 of a company (统一社会信用代码 is the usual taxpayer number). */
export const invoiceInfoSchema = z.object({
  invoiceTitle: requiredText('发票抬头', { min: 4, max: 100 }),
  invoiceTaxNo: taxNumberField(),
  invoiceAddressPhone: optionalText('地址、电话', 150),
  invoiceBankAccount: optionalText('开户行及账号', 150),
});

export const newPriceSchema = z.object({
  targetKind: oneOf('收费对象', ['service', 'oil_item', 'oil_package']),
  targetCode: requiredText('编码', { max: 40 }),
  nodeId: optionalText('网点', 9).refine((s) => s === '' || /^[1-9]\d{0,8}$/.test(s), '请选择有效的网点').transform((s) => (s === '' ? null : Number(s))),
  unit: requiredText('计价单位', { max: 20 }),
  priceType: oneOf('价格类型', ['published', 'estimate', 'tbd', 'free', 'free_then_agreement', 'per_item']),
  amount: yuanField('单价', { optional: true }),
  basis: requiredText('收费依据', { min: 4, max: 300 }),
  publisher: optionalText('发布单位', 100),
  urgentPercent: optionalText('加急加收比例', 3).refine((s) => s === '' || (/^\d{1,3}$/.test(s) && Number(s) <= 200), '加急加收比例为 0–200 的整数').transform((s) => (s === '' ? null : Number(s))),
  effectiveFrom: requiredText('生效日期', { max: 10 }).refine(isIsoDate, '生效日期格式应为 年-月-日'),
});
