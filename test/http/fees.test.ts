import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { bookingFees, bookings, events, invoiceRequests, prices } from '../../src/db/schema.js';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, csrfFrom, login, type Agent, type TestApp } from '../support/app.js';
import { calibrationFields, MONDAY_BEFORE_NATIONAL_DAY, nodeServiceOf, openBookingForm, postMultipart } from '../support/bookings.js';
import { createCompanyUser, createUser, TEST_PASSWORD } from '../support/factories.js';
import { enterpriseAction, labAction } from '../support/lab.js';

/**
 * 收费标准: estimates from the prices in force (强检 free, reference prices labelled as such), frozen with the
 * booking; the lab confirms or adjusts with a reason the company reads; payment and invoice are recorded.
 * Expected amounts from src/seed/data/fees.json: CAL-PG 35 元/只 (参考价), compulsory use free (财税〔2017〕20号).
 */
describe('fees: estimate, confirmation, payment and invoice', () => {
  let t: TestApp;
  let company: Agent;
  let staff: Agent;
  let admin: Agent;
  let companyId: number;
  let metrologyId: number;

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    const c = await createCompanyUser(t.db, { name: '收费测试船舶有限公司' });
    companyId = c.enterprise.id;
    const tech = await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' });
    const a = await createUser(t.db, 'platform_admin');
    [company, staff, admin] = [agentFor(t.app), agentFor(t.app), agentFor(t.app)];
    await login(company, c.user.mobile, TEST_PASSWORD);
    await login(staff, tech.mobile, TEST_PASSWORD);
    await login(admin, a.mobile, TEST_PASSWORD);
    metrologyId = (await nodeServiceOf(t.db, 'ZS-METROLOGY', 'CAL-PG')).nodeId;
  });
  after(() => t?.close());

  async function book(overrides: Record<string, string> = {}) {
    const page = await openBookingForm(company, 'CAL-PG', metrologyId);
    const res = await postMultipart(company, '/bookings', calibrationFields(page, metrologyId, overrides));
    expect(res.status).to.equal(303);
    return res.headers.location!.split('/').pop()!;
  }
  const feeOf = async (number: string) => (await t.db.select({ f: bookingFees }).from(bookingFees).innerJoin(bookings, eq(bookings.id, bookingFees.bookingId)).where(eq(bookings.number, number)))[0]!.f;

  it('estimates on the review page: the compulsory-use gauge free, the other at the reference price, marked 参考价', async () => {
    const page = await openBookingForm(company, 'CAL-PG', metrologyId);
    const review = await postMultipart(company, '/bookings', calibrationFields(page, metrologyId, { intent: 'review' }));
    expect(review.status).to.equal(200);
    expect(review.text).to.contain('强制检定免费（财税〔2017〕20号）').and.contain('参考价，以受理时报价为准').and.contain('35.00 元');
    expect(review.text).to.match(/预估合计<\/th><td class="text-end fw-semibold text-nowrap">35\.00 元/);
  });

  it('freezes the estimate with the booking; a later price change applies to new bookings only', async () => {
    const first = await book();
    expect(await feeOf(first)).to.include({ estimateCents: 3500, estimateComplete: true, paymentStatus: 'unpaid', confirmedCents: null });
    const priceForm = await admin.get('/admin/fees');
    expect(priceForm.status).to.equal(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(priceForm.text)![1]!;
    const past = await admin.post('/admin/fees').type('form').send({ _csrf: csrf, targetKind: 'service', targetCode: 'CAL-PG', unit: '每只', priceType: 'published', amount: '40', basis: '市计量院公示收费标准', publisher: '舟山市计量检定测试院', effectiveFrom: '2026-09-01' });
    expect(past.status).to.equal(422); // never backdated
    const set = await admin.post('/admin/fees').type('form').send({ _csrf: csrf, targetKind: 'service', targetCode: 'CAL-PG', unit: '每只', priceType: 'published', amount: '40', basis: '市计量院公示收费标准', publisher: '舟山市计量检定测试院', effectiveFrom: '2026-09-28' });
    expect(set.status).to.equal(303);
    const rows = await t.db.select().from(prices).where(and(eq(prices.targetKind, 'service'), eq(prices.targetCode, 'CAL-PG')));
    expect(rows.map((r) => [r.effectiveFrom, r.effectiveTo, r.amountCents]).sort()).to.deep.equal([
      ['2026-01-01', '2026-09-28', 3500],
      ['2026-09-28', null, 4000],
    ]);
    const second = await book({ 'items[0][serialNo]': 'PG-2024-101', 'items[1][serialNo]': 'PG-2024-102' });
    expect((await feeOf(second)).estimateCents).to.equal(4000);
    expect((await feeOf(first)).estimateCents).to.equal(3500); // unchanged
    const list = await agentFor(t.app).get('/fees');
    expect(list.text).to.contain('公示价').and.contain('40.00 元').and.contain('参考价');
  });

  it('a booking confirmed at 0 元 (强检) is 免收 at once, not 未缴费 waiting for a payment', async () => {
    const number = await book({ 'items[0][serialNo]': 'PG-2024-301', 'items[1][serialNo]': 'PG-2024-302' });
    expect((await labAction(staff, number, 'accept', { confirmedFee: '0', feeReason: '强制检定，免收' })).status).to.equal(303);
    expect(await feeOf(number)).to.include({ confirmedCents: 0, paymentStatus: 'waived' });
    expect((await company.get(`/bookings/${number}`)).text).to.contain('免收').and.not.contain('未缴费');
  });

  it('the public price list tells apart the items that share a name by their unit (硫含量 of marine and of automotive fuels)', async () => {
    const list = await agentFor(t.app).get('/fees');
    expect(list.status).to.equal(200);
    const names = [...list.text.matchAll(/<td>(硫含量[^<]*)<\/td>/g)].map((m) => m[1]);
    expect(names).to.have.members(['硫含量（% m/m）', '硫含量（mg/kg）']);
  });

  it('refuses to set the fee or record a payment before acceptance and on a cancelled booking, changing nothing', async () => {
    const number = await book({ 'items[0][serialNo]': 'PG-2024-301', 'items[1][serialNo]': 'PG-2024-302' });
    const before = await feeOf(number);
    const early = await labAction(staff, number, 'adjust_fee', { confirmedFee: '12.34', feeReason: '未受理先核定' });
    expect(early.status).to.equal(409);
    expect(early.text).to.contain('不能核定费用或登记缴费');
    expect((await enterpriseAction(company, number, 'cancel', { reason: '计划调整' })).status).to.equal(303);
    const workbench = await staff.get(`/lab/bookings/${number}`);
    expect(workbench.text).not.to.contain('核定 / 调整费用');
    expect((await labAction(staff, number, 'adjust_fee', { confirmedFee: '12.34', feeReason: '已取消仍核定' })).status).to.equal(409);
    expect((await labAction(staff, number, 'record_payment', { paymentStatus: 'paid', paidAmount: '12.34', paidOn: '2026-09-28', paymentMethod: 'cash' })).status).to.equal(409);
    expect((await labAction(staff, number, 'record_payment', { paymentStatus: 'waived' })).status).to.equal(409);
    expect(await feeOf(number)).to.deep.equal(before);
  });

  it('the lab confirms at acceptance; a different amount needs a reason, which the company reads', async () => {
    const number = await book({ 'items[0][serialNo]': 'PG-2024-201', 'items[1][serialNo]': 'PG-2024-202' });
    const noReason = await labAction(staff, number, 'accept', { confirmedFee: '120', feeReason: '' });
    expect(noReason.status).to.equal(422);
    expect(noReason.text).to.contain('核定费用与预估不同，请填写调整原因');
    expect((await t.db.select().from(bookings).where(eq(bookings.number, number)))[0]!.status).to.equal('submitted');
    expect((await labAction(staff, number, 'accept', { confirmedFee: '120', feeReason: '另需出具校准数据' })).status).to.equal(303);
    expect(await feeOf(number)).to.include({ confirmedCents: 12000, adjustReason: '另需出具校准数据' });
    const page = await company.get(`/bookings/${number}`);
    expect(page.text).to.contain('120.00 元').and.contain('另需出具校准数据');
    // what the company pays leads; the estimate is kept below it, folded
    const payable = page.text.indexOf('应缴费用（受理时核定）');
    expect(payable).to.be.greaterThan(0);
    expect(page.text.indexOf('受理前的费用估算'), 'the estimate after the amount to pay').to.be.greaterThan(payable);
    const receipt = await company.get(`/bookings/${number}/receipt`);
    expect(receipt.text).to.contain('应缴费用（受理时核定）：120.00 元').and.contain('受理前的费用估算');

    // payment is recorded by staff with its date and method; then the company asks for an invoice
    const badPay = await labAction(staff, number, 'record_payment', { paymentStatus: 'paid', paidAmount: '', paidOn: '', paymentMethod: '' });
    expect(badPay.status).to.equal(422);
    expect((await labAction(staff, number, 'record_payment', { paymentStatus: 'paid', paidAmount: '120', paidOn: '2026-09-28', paymentMethod: 'transfer' })).status).to.equal(303);
    expect(await feeOf(number)).to.include({ paymentStatus: 'paid', paidCents: 12000, paidOn: '2026-09-28', paymentMethod: 'transfer' });
    expect((await labAction(staff, number, 'adjust_fee', { confirmedFee: '90', feeReason: '改价' })).status).to.equal(409); // paid: no more changes

    const noInfo = await enterpriseAction(company, number, 'invoice');
    expect(noInfo.status).to.equal(409);
    expect(noInfo.text).to.contain('请先在企业信息中填写开票信息');
    const csrf = await csrfFrom(company, `/enterprises/${companyId}/invoice-info`);
    expect((await company.post(`/enterprises/${companyId}/invoice-info`).type('form').send({ _csrf: csrf, invoiceTitle: '收费测试船舶有限公司', invoiceTaxNo: 'bad' })).status).to.equal(422);
    // a credit code with a wrong check character is refused, naming the right one, with the input kept
    const badCheck = await company.post(`/enterprises/${companyId}/invoice-info`).type('form').send({ _csrf: csrf, invoiceTitle: '收费测试船舶有限公司', invoiceTaxNo: '91330902MA2A0B1C4X' });
    expect(badCheck.status).to.equal(422);
    expect(badCheck.text).to.contain('纳税人识别号校验位不符（按 GB 32100 第 18 位应为“N”）').and.contain('value="91330902MA2A0B1C4X"');
    expect((await company.post(`/enterprises/${companyId}/invoice-info`).type('form').send({ _csrf: csrf, invoiceTitle: '收费测试船舶有限公司', invoiceTaxNo: '91330902ma2a0b1c4n', invoiceAddressPhone: '舟山市定海区临城街道 0580-2281001', invoiceBankAccount: '舟山银行定海支行 1234567890' })).status).to.equal(303);
    expect((await enterpriseAction(company, number, 'invoice')).status).to.equal(303);
    expect((await enterpriseAction(company, number, 'invoice')).status).to.equal(409); // once
    // the lab issues it with the 开票信息 the request froze: all of it is on the workbench
    const desk = (await staff.get(`/lab/bookings/${number}`)).text;
    for (const shown of ['抬头 收费测试船舶有限公司', '纳税人识别号 91330902MA2A0B1C4N', '地址、电话 舟山市定海区临城街道 0580-2281001', '开户行及账号 舟山银行定海支行 1234567890']) expect(desk).to.contain(shown);
    expect((await labAction(staff, number, 'issue_invoice', { invoiceNo: '26332000000123456789' })).status).to.equal(303);
    const [invoice] = await t.db.select().from(invoiceRequests);
    expect(invoice).to.include({ status: 'issued', invoiceNo: '26332000000123456789', amountCents: 12000, taxNo: '91330902MA2A0B1C4N' });
    const b = (await t.db.select().from(bookings).where(eq(bookings.number, number)))[0]!;
    const actions = (await t.db.select().from(events).where(and(eq(events.entityType, 'booking'), eq(events.entityId, String(b.id))))).map((e) => e.action);
    expect(actions).to.include.members(['fee.confirmed', 'fee.payment', 'fee.invoice_requested', 'fee.invoice_issued']);
  });
});
