import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { bookingItems, bookings, events, instruments, reports } from '../../src/db/schema.js';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, login, type Agent, type TestApp } from '../support/app.js';
import { MONDAY_BEFORE_NATIONAL_DAY } from '../support/bookings.js';
import { createCompanyUser, createSigningTeam, TEST_PASSWORD } from '../support/factories.js';
import { bookCalibration, CONDITION_FIELDS, labAction, standardFor } from '../support/lab.js';
import { addInstrument } from '../support/ledger.js';

describe('instrument ledger: certificates update the ledger when they are issued and revised', () => {
  let t: TestApp;
  let company: Awaited<ReturnType<typeof createCompanyUser>>;
  let enterprise: Agent;
  let tester: Agent;
  let verifier: Agent;
  let signatory: Agent;
  let number: string;
  let standard: string;
  let itemIds: number[];

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY), verifyLimit: { limit: 1000, windowMs: 60_000 } });
    company = await createCompanyUser(t.db, { name: '舟山长宏国际船舶修造有限公司' });
    const team = await createSigningTeam(t.db, 'ZS-METROLOGY');
    [enterprise, tester, verifier, signatory] = [agentFor(t.app), agentFor(t.app), agentFor(t.app), agentFor(t.app)];
    await login(enterprise, company.user.mobile, TEST_PASSWORD);
    await login(tester, team.tester.mobile, TEST_PASSWORD);
    await login(verifier, team.verifier.mobile, TEST_PASSWORD);
    await login(signatory, team.approver.mobile, TEST_PASSWORD);
    number = await bookCalibration(t, company.user.id, { serials: ['PG-A-01', 'PG-A-02'] });
    standard = String(await standardFor(t.db, 'ZS-METROLOGY'));
    const [b] = await t.db.select().from(bookings).where(eq(bookings.number, number));
    itemIds = (await t.db.select({ id: bookingItems.id }).from(bookingItems).where(eq(bookingItems.bookingId, b!.id)).orderBy(bookingItems.position)).map((r) => r.id);
  });
  after(() => t?.close());

  const entry = async (serialNo: string) => (await t.db.select().from(instruments).where(and(eq(instruments.enterpriseId, company.enterprise.id), eq(instruments.serialNo, serialNo))))[0];

  const results = (lines: { conclusion: string; certificateNo: string; nextDueDate: string }[]) =>
    Object.fromEntries(
      lines.flatMap((l, i) => [
        ...(i === 0 ? Object.entries(CONDITION_FIELDS) : []),
        [`cal[i${itemIds[i]}][standards]`, standard],
        [`cal[i${itemIds[i]}][conclusion]`, l.conclusion],
        [`cal[i${itemIds[i]}][certificateNo]`, l.certificateNo],
        [`cal[i${itemIds[i]}][nextDueDate]`, l.nextDueDate],
        // the data the conclusion rests on: within the MPE, beyond it for 不合格, with U for a calibration
        [`cal[i${itemIds[i]}][mpe]`, '±0.026'],
        [`cal[i${itemIds[i]}][unit]`, 'MPa'],
        [`cal[i${itemIds[i]}][points][0][nominal]`, '1.6'],
        [`cal[i${itemIds[i]}][points][0][measured]`, l.conclusion === 'fail' ? '1.65' : '1.61'],
        [`cal[i${itemIds[i]}][points][0][uncertainty]`, l.conclusion === 'calibrated' ? '0.008 MPa' : ''],
      ]),
    );

  it('updates the entry of the same serial (any case) and creates the missing one, in the issuing transaction, linked to the report', async () => {
    const existing = await addInstrument(t, company.enterprise.id, { serialNo: 'pg-a-01', department: '机修车间', lastCalibrationDate: '2025-09-01', nextDueDate: '2026-03-01', compulsory: true, compulsoryUse: 'safety' });
    expect((await labAction(tester, number, 'accept')).status).to.equal(303);
    expect((await labAction(tester, number, 'receive', { [`labels[i${itemIds[0]}]`]: 'L-1', [`labels[i${itemIds[1]}]`]: 'L-2' })).status).to.equal(303);
    expect((await labAction(tester, number, 'start')).status).to.equal(303);
    const submitted = await labAction(tester, number, 'submit_results', results([{ conclusion: 'pass', certificateNo: 'JD-2026-0001', nextDueDate: '2027-03-27' }, { conclusion: 'fail', certificateNo: 'TZ-2026-0002', nextDueDate: '' }]));
    expect(submitted.status).to.equal(303);
    expect((await labAction(verifier, number, 'verify')).status).to.equal(303);
    // nothing reaches the ledger before the certificate is issued
    expect((await entry('pg-a-01'))!.certificateNo).to.equal(null);
    expect((await labAction(signatory, number, 'issue_report')).status).to.equal(303);

    const [booking] = await t.db.select().from(bookings).where(eq(bookings.number, number));
    const updated = (await entry('pg-a-01'))!;
    expect(updated).to.include({ id: existing.id, lastCalibrationDate: '2026-09-28', certificateNo: 'JD-2026-0001', conclusion: 'pass', nextDueDate: '2027-03-27', dueSource: 'certificate', reportBookingId: booking!.id, reportVersion: 1, department: '机修车间' });
    const created = (await entry('PG-A-02'))!;
    expect(created).to.include({ name: '一般压力表', categoryCode: 'CAL-PG', conclusion: 'fail', nextDueDate: null, certificateNo: 'TZ-2026-0002', reportVersion: 1, status: 'in_use', measuringRange: '0-1.6 MPa' });
    // in use after a 不合格 certificate: the ledger says it must not be used, not merely that it has no due date
    expect((await enterprise.get(`/instruments/${created.id}`)).text).to.contain('检定不合格，不得使用');
    const logged = await t.db.select().from(events).where(and(eq(events.entityType, 'instrument'), eq(events.entityId, String(existing.id)), eq(events.action, 'instrument.certificate')));
    expect(logged).to.have.length(1);
    expect((logged[0]!.data as { before: { nextDueDate: string } }).before.nextDueDate).to.equal('2026-03-01');
  });

  it('links the entry to the certificate and to its public verification', async () => {
    const e = (await entry('pg-a-01'))!;
    const page = await enterprise.get(`/instruments/${e.id}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain(`href="/bookings/${number}/reports/1"`).and.to.contain('证书有效期');
    const token = /href="\/verify\?t=([^"]+)"/.exec(page.text)![1]!;
    const [report] = await t.db.select().from(reports).where(eq(reports.verifyToken, token));
    expect(report!.version).to.equal(1);
    expect((await agentFor(t.app).get(`/verify?t=${token}`)).status).to.equal(200);
    expect((await enterprise.get(`/bookings/${number}/reports/1`)).status).to.equal(200);
  });

  it('a revision that changes a conclusion or a due date updates the entries again, linked to the new version', async () => {
    expect((await labAction(tester, number, 'open_revision', { reason: '第 2 台复检合格，更正结论' })).status).to.equal(303);
    expect((await labAction(tester, number, 'submit_revision', results([{ conclusion: 'pass', certificateNo: 'JD-2026-0001', nextDueDate: '2027-03-20' }, { conclusion: 'pass', certificateNo: 'JD-2026-0002', nextDueDate: '2027-03-26' }]))).status).to.equal(303);
    // until version 2 is issued, the ledger keeps version 1
    expect((await entry('PG-A-02'))!.conclusion).to.equal('fail');
    expect((await labAction(verifier, number, 'verify_revision')).status).to.equal(303);
    expect((await labAction(signatory, number, 'issue_revision')).status).to.equal(303);
    expect(await entry('pg-a-01')).to.include({ nextDueDate: '2027-03-20', reportVersion: 2 });
    expect(await entry('PG-A-02')).to.include({ conclusion: 'pass', certificateNo: 'JD-2026-0002', nextDueDate: '2027-03-26', dueSource: 'certificate', reportVersion: 2 });
    const page = await enterprise.get(`/instruments/${(await entry('PG-A-02'))!.id}`);
    expect(page.text).to.contain(`href="/bookings/${number}/reports/2"`);
  });
});
