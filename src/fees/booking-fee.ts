import type { Principal } from '../auth/access.js';
import type { BookingView } from '../bookings/bookings.repo.js';
import { bookingHref } from '../bookings/bookings.view.js';
import type { Db, Executor, Tx } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { findEnterpriseById } from '../enterprises/enterprises.repo.js';
import { recordEvent } from '../events/record.js';
import { notifyEnterpriseUsers, notifyNodeStaff } from '../notifications/notifications.repo.js';
import { ConflictError, ValidationError } from '../shared/errors.js';
import { shanghaiDate, type Clock } from '../shared/time.js';
import { parseInput } from '../shared/validation.js';
import * as repo from './fees.repo.js';
import { confirmFeeSchema, issueInvoiceSchema, paymentSchema } from './fees.schemas.js';
import { yuan } from './fees.view.js';

/* A booking's money: the lab confirms (or adjusts, with a reason) the estimate, records the payment, issues the invoice. */

export async function feeOfBooking(ex: Executor, bookingId: number) {
  const [fee, invoices] = await Promise.all([repo.findBookingFee(ex, bookingId), repo.invoicesOfBooking(ex, bookingId)]);
  return { fee: fee ?? null, invoices };
}

/** Parses the lab's confirmed fee; null when the field was left empty (the estimate stands until confirmed). */
export function parseConfirmedFee(body: unknown, estimateCents: number | null): { cents: number; reason: string | null } | null {
  const v = parseInput(confirmFeeSchema, body);
  if (v.confirmedFee === null) return null;
  if (v.confirmedFee !== estimateCents && v.feeReason.length < 2) throw new ValidationError({ feeReason: '核定费用与预估不同，请填写调整原因（企业可见）' });
  return { cents: v.confirmedFee, reason: v.confirmedFee !== estimateCents ? v.feeReason : null };
}

/** Writes the confirmed fee in the caller's transaction and tells the company when it differs from the estimate. */
export async function confirmFee(tx: Tx, booking: BookingView, user: Principal, confirmed: { cents: number; reason: string | null }, now: Date): Promise<void> {
  const fee = await repo.lockBookingFee(tx, booking.id);
  if (!fee) return;
  if (fee.paymentStatus !== 'unpaid') throw new ConflictError('已登记缴费，不能再调整费用。');
  // nothing to pay (a 强检 instrument, 财税〔2017〕20号): 免收 at once, not 未缴费 with a payment to record
  await repo.updateBookingFee(tx, booking.id, { confirmedCents: confirmed.cents, confirmedBy: user.id, confirmedAt: now, adjustReason: confirmed.reason, ...(confirmed.cents === 0 ? { paymentStatus: 'waived' as const } : {}) });
  await recordEvent(tx, { actorUserId: user.id, entityType: 'booking', entityId: booking.id, action: 'fee.confirmed', note: `核定费用 ${yuan(confirmed.cents)}${confirmed.reason ? `（预估 ${yuan(fee.estimateCents)}，调整原因：${confirmed.reason}）` : ''}`, data: { estimate: fee.estimateCents, confirmed: confirmed.cents } });
  if (confirmed.reason) {
    await notifyEnterpriseUsers(tx, booking.enterpriseId, { bookingId: booking.id, title: `${booking.number} 费用已核定`, body: `核定费用 ${yuan(confirmed.cents)}（预估 ${yuan(fee.estimateCents)}）。调整原因：${confirmed.reason}`, link: bookingHref(booking.number) });
  }
}

/**
 * Whether the lab may confirm or adjust the fee and record payment in this state: from acceptance on, reports
 * included (payment often follows the report); not before acceptance, nor on a booking rejected or cancelled.
 */
export function feeOpenFor(status: BookingView['status']): boolean {
  return !['submitted', 'needs_info', 'rejected', 'cancelled'].includes(status);
}

function assertFeeOpen(booking: BookingView): void {
  if (!feeOpenFor(booking.status)) throw new ConflictError('该预约尚未受理或已撤销、已取消，不能核定费用或登记缴费。');
}

/** The lab adjusts the fee after acceptance (before payment). */
export async function adjustFee(deps: { db: Db; clock: Clock }, booking: BookingView, user: Principal, body: unknown): Promise<void> {
  assertFeeOpen(booking);
  const current = await repo.findBookingFee(deps.db, booking.id);
  const confirmed = parseConfirmedFee(body, current?.confirmedCents ?? current?.estimateCents ?? null);
  if (!confirmed) throw new ValidationError({ confirmedFee: '请填写核定费用（元）' });
  await inTransaction(deps.db, (tx) => confirmFee(tx, booking, user, confirmed, deps.clock.now()));
}

/** Staff record the payment (已缴 / 免收 / back to 未缴): no online payment, the record is what the lab received. */
export async function recordPayment(deps: { db: Db; clock: Clock }, booking: BookingView, user: Principal, body: unknown): Promise<void> {
  assertFeeOpen(booking);
  const v = parseInput(paymentSchema, body);
  const errors: Record<string, string> = {};
  if (v.paymentStatus === 'paid') {
    if (v.paidAmount === null) errors.paidAmount = '请填写实收金额（元）';
    if (!v.paidOn) errors.paidOn = '请填写缴费日期';
    else if (v.paidOn > shanghaiDate(deps.clock.now())) errors.paidOn = '缴费日期不能晚于今天';
    if (!v.paymentMethod) errors.paymentMethod = '请选择缴费方式';
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
  await inTransaction(deps.db, async (tx) => {
    const fee = await repo.lockBookingFee(tx, booking.id);
    if (!fee) throw new ConflictError('该预约没有费用记录。');
    const paid = v.paymentStatus === 'paid';
    await repo.updateBookingFee(tx, booking.id, { paymentStatus: v.paymentStatus, paidCents: paid ? v.paidAmount : null, paidOn: paid ? v.paidOn : null, paymentMethod: paid ? v.paymentMethod : null, paymentRecordedBy: user.id });
    const label = { paid: `已缴费 ${yuan(v.paidAmount)}（${v.paidOn}）`, waived: '免收', unpaid: '改为未缴费' }[v.paymentStatus];
    await recordEvent(tx, { actorUserId: user.id, entityType: 'booking', entityId: booking.id, action: 'fee.payment', fromState: fee.paymentStatus, toState: v.paymentStatus, note: label, data: { paidCents: v.paidAmount, method: v.paymentMethod || null } });
  });
}

/** The company asks for an invoice with its 开票信息 (once the fee is confirmed). */
export async function requestInvoice(deps: { db: Db }, booking: BookingView, user: Principal): Promise<void> {
  const company = await findEnterpriseById(deps.db, booking.enterpriseId);
  if (!company?.invoiceTitle || !company.invoiceTaxNo) throw new ConflictError('请先在企业信息中填写开票信息（发票抬头、纳税人识别号）。', 'invoice_info');
  await inTransaction(deps.db, async (tx) => {
    const fee = await repo.lockBookingFee(tx, booking.id);
    const amount = fee?.paidCents ?? fee?.confirmedCents;
    if (!fee || amount === null || amount === undefined || amount <= 0) throw new ConflictError('费用核定后才能申请开票；免费项目无需开票。');
    if ((await repo.invoicesOfBooking(tx, booking.id)).some((i) => i.status !== 'cancelled')) throw new ConflictError('该预约已申请过发票。');
    await repo.insertInvoiceRequest(tx, { bookingId: booking.id, enterpriseId: booking.enterpriseId, title: company.invoiceTitle!, taxNo: company.invoiceTaxNo!, addressPhone: company.invoiceAddressPhone ?? '', bankAccount: company.invoiceBankAccount ?? '', amountCents: amount, requestedBy: user.id });
    await recordEvent(tx, { actorUserId: user.id, entityType: 'booking', entityId: booking.id, action: 'fee.invoice_requested', note: `申请开票 ${yuan(amount)}，抬头：${company.invoiceTitle}` });
    await notifyNodeStaff(tx, booking.nodeId, { bookingId: booking.id, title: `${booking.number} 申请开票`, body: `企业申请开具发票 ${yuan(amount)}。`, link: bookingHref(booking.number, 'staff') });
  });
}

/** Staff record the 电子发票 number once issued; the company is told. */
export async function issueInvoice(deps: { db: Db }, booking: BookingView, user: Principal, body: unknown): Promise<void> {
  const { invoiceNo } = parseInput(issueInvoiceSchema, body);
  await inTransaction(deps.db, async (tx) => {
    if (!(await repo.issueInvoice(tx, booking.id, { invoiceNo, issuedBy: user.id }))) throw new ConflictError('没有待开具的发票申请。');
    await recordEvent(tx, { actorUserId: user.id, entityType: 'booking', entityId: booking.id, action: 'fee.invoice_issued', note: `电子发票号码 ${invoiceNo}` });
    await notifyEnterpriseUsers(tx, booking.enterpriseId, { bookingId: booking.id, title: `${booking.number} 发票已开具`, body: `电子发票号码 ${invoiceNo}，请在开票平台查验下载。`, link: bookingHref(booking.number) });
  });
}
