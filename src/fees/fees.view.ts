/** Money as users read it: "35.00 元", "287,395.00 元" (amounts are kept in fen). */
export function yuan(cents: number | null | undefined): string {
  if (cents === null || cents === undefined) return '待定';
  return `${groupThousands((cents / 100).toFixed(2))} 元`;
}

/** "287395.00" → "287,395.00": the whole part in groups of three, as amounts are printed. */
export function groupThousands(amount: string): string {
  const [whole, fraction] = amount.split('.');
  return `${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction === undefined ? '' : `.${fraction}`}`;
}

export const PRICE_TYPE_LABELS = {
  published: '公示价',
  estimate: '参考价',
  tbd: '待公布',
  free: '免费',
  free_then_agreement: '首次免费',
  per_item: '按项目计费',
} as const;

export const PAYMENT_STATUS_LABELS = { unpaid: '未缴费', paid: '已缴费', waived: '免收' } as const;
export const PAYMENT_METHODS = { transfer: '对公转账', pos: '刷卡', cash: '现金', other: '其他' } as const;
export const INVOICE_STATUS_LABELS = { requested: '已申请', issued: '已开具', cancelled: '已撤销' } as const;

export const feeViewLabels = { priceTypes: PRICE_TYPE_LABELS, paymentStatus: PAYMENT_STATUS_LABELS, paymentMethods: PAYMENT_METHODS, invoiceStatus: INVOICE_STATUS_LABELS, yuan };
