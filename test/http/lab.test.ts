import { expect } from 'chai';
import { verifyReport } from '../../src/reports/verify.js';
import QRCode from 'qrcode';
import { and, desc, eq } from 'drizzle-orm';
import { bookingItems, bookings, capacityWindows, evaluations, events, measurementStandards, nodes, notifications, oilLimits, reportRevisions, reports, results } from '../../src/db/schema.js';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, login, type Agent, type TestApp } from '../support/app.js';
import { createCompanyUser, createUser, grantSignatory, TEST_PASSWORD, type TestUser } from '../support/factories.js';
import { bookCalibration, bookOilTest, CONDITION_FIELDS, enterpriseAction, labAction, standardFor } from '../support/lab.js';
import { MONDAY_BEFORE_NATIONAL_DAY } from '../support/bookings.js';

describe('lab workbench: queue, lifecycle, results, reports, verification', () => {
  let t: TestApp;
  let company: Awaited<ReturnType<typeof createCompanyUser>>;
  let enterprise: Agent;
  let li: TestUser;
  let zhou: TestUser;
  let liAgent: Agent;
  let zhouAgent: Agent;
  let oilTech: TestUser;
  let oilTech2: TestUser;
  let oilAgent: Agent;
  let oilAgent2: Agent;
  let otherNodeAgent: Agent;
  let chen: TestUser;
  let chenAgent: Agent;
  let lin: TestUser;
  let linAgent: Agent;

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY), verifyLimit: { limit: 1000, windowMs: 60_000 } });
    company = await createCompanyUser(t.db, { name: '舟山海星船舶修造有限公司' });
    enterprise = agentFor(t.app);
    await login(enterprise, company.user.mobile, TEST_PASSWORD);
    li = await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' }, { name: '李明' });
    zhou = await createUser(t.db, 'node_manager', { nodeCode: 'ZS-METROLOGY' }, { name: '周华' });
    oilTech = await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-OILLAB' }, { name: '何兰' });
    oilTech2 = await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-OILLAB' }, { name: '徐波' });
    // The authorised signatories (授权签字人) who approve: a third person besides tester and verifier.
    chen = await createUser(t.db, 'node_manager', { nodeCode: 'ZS-METROLOGY' }, { name: '陈建国' });
    lin = await createUser(t.db, 'node_manager', { nodeCode: 'ZS-OILLAB' }, { name: '林海' });
    await grantSignatory(t.db, chen);
    await grantSignatory(t.db, lin);
    const other = await createUser(t.db, 'lab_staff', { nodeCode: 'ST-DINGHAI' });
    [liAgent, zhouAgent, oilAgent, oilAgent2, otherNodeAgent, chenAgent, linAgent] = [agentFor(t.app), agentFor(t.app), agentFor(t.app), agentFor(t.app), agentFor(t.app), agentFor(t.app), agentFor(t.app)];
    await login(chenAgent, chen.mobile, TEST_PASSWORD);
    await login(linAgent, lin.mobile, TEST_PASSWORD);
    await login(liAgent, li.mobile, TEST_PASSWORD);
    await login(zhouAgent, zhou.mobile, TEST_PASSWORD);
    await login(oilAgent, oilTech.mobile, TEST_PASSWORD);
    await login(oilAgent2, oilTech2.mobile, TEST_PASSWORD);
    await login(otherNodeAgent, other.mobile, TEST_PASSWORD);
  });
  after(() => t?.close());

  async function status(number: string) {
    const [b] = await t.db.select().from(bookings).where(eq(bookings.number, number));
    return b!;
  }

  describe('the queue', () => {
    it("shows the node's submitted bookings with counts; other nodes and other roles see nothing", async () => {
      const number = await bookCalibration(t, company.user.id);
      const queue = await liAgent.get('/lab');
      expect(queue.status).to.equal(200);
      expect(queue.text).to.contain(number).and.contain('舟山海星船舶修造有限公司');
      expect(queue.text).to.match(/待受理 <span class="badge rounded-pill text-bg-primary">\d+<\/span>/);
      const otherQueue = await otherNodeAgent.get('/lab');
      expect(otherQueue.text).not.to.contain(number);
      expect((await otherNodeAgent.get(`/lab/bookings/${number}`)).status).to.equal(404);
      expect((await labAction(otherNodeAgent, number, 'accept')).status).to.equal(404);
      expect((await status(number)).status).to.equal('submitted');
      expect((await enterprise.get('/lab')).status).to.equal(403);
      expect((await enterprise.get(`/lab/bookings/${number}`)).status).to.equal(403);
    });

    it('filters by search and shows overdue and due-soon badges', async () => {
      const late = await bookCalibration(t, company.user.id, { serials: ['LATE-1'] });
      await t.db.update(bookings).set({ status: 'in_progress', dueDate: '2026-09-25' }).where(eq(bookings.number, late));
      const soon = await bookCalibration(t, company.user.id, { serials: ['SOON-1'] });
      await t.db.update(bookings).set({ status: 'in_progress', dueDate: '2026-09-29' }).where(eq(bookings.number, soon));
      const testing = await liAgent.get('/lab?tab=testing');
      expect(testing.text).to.contain(late).and.contain(soon).and.contain('已超期').and.contain('1 个工作日内到期');
      expect(testing.text.indexOf(late)).to.be.lessThan(testing.text.indexOf(soon)); // by due date
      const searched = await liAgent.get(`/lab?tab=testing&q=${late}`);
      expect(searched.text).to.contain(late).and.not.contain(soon);
    });

    it('bulk-accepts several submitted bookings and reports the ones it could not', async () => {
      const a = await bookCalibration(t, company.user.id, { serials: ['BULK-A'] });
      const b = await bookCalibration(t, company.user.id, { serials: ['BULK-B'] });
      const c = await bookCalibration(t, company.user.id, { serials: ['BULK-C'] });
      await t.db.update(bookings).set({ status: 'cancelled' }).where(eq(bookings.number, c));
      const page = await liAgent.get('/lab?tab=submitted');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const res = await liAgent.post('/lab/bulk-accept').type('form').send(`_csrf=${csrf}&numbers[]=${a}&numbers[]=${b}&numbers[]=${c}`);
      expect(res.status).to.equal(303);
      expect((await status(a)).status).to.equal('accepted');
      expect((await status(b)).status).to.equal('accepted');
      expect((await status(c)).status).to.equal('cancelled');
      const after = await liAgent.get(res.headers.location!);
      expect(after.text).to.contain('已受理 2 条').and.contain('1 条未能受理');
    });
  });

  describe('a calibration from submitted to completed', () => {
    let number: string;
    let standard: string;
    /** The place and environment of the work and, per line, the node's measurement standard it was traced to. */
    const traced = (ids: number[]): Record<string, string> => ({ ...CONDITION_FIELDS, ...Object.fromEntries(ids.map((id) => [`cal[i${id}][standards]`, standard])) });

    it('accept sets the due date in working days across National Day and tells the company', async () => {
      number = await bookCalibration(t, company.user.id, { serials: ['FLOW-001', 'FLOW-002'] });
      const res = await labAction(liAgent, number, 'accept');
      expect(res.status).to.equal(303);
      const b = await status(number);
      // accepted Mon 09-28 for the window of Tue 09-29; CAL-PG turnaround 3 working days counted from the window:
      // 09-30, (10-01…10-07 holiday), 10-08, 10-09
      expect(b).to.include({ status: 'accepted', dueDate: '2026-10-09' });
      const messages = await t.db.select().from(notifications).where(and(eq(notifications.userId, company.user.id), eq(notifications.bookingId, b.id)));
      expect(messages.map((m) => m.title)).to.include(`${number} 受理`);
      expect(messages.find((m) => m.title === `${number} 受理`)!.body).to.contain('2026-10-09');
    });

    it('receive records the labels; start assigns a technician', async () => {
      const [first, second] = await t.db.select().from(bookingItems).innerJoin(bookings, eq(bookings.id, bookingItems.bookingId)).where(eq(bookings.number, number));
      const missing = await labAction(liAgent, number, 'receive', { [`labels[i${first!.booking_items.id}]`]: '' });
      expect(missing.status).to.equal(422);
      expect(missing.text).to.contain('请填写器具标签号');
      expect((await status(number)).status).to.equal('accepted');
      const res = await labAction(liAgent, number, 'receive', { [`labels[i${first!.booking_items.id}]`]: 'JL-0001-1', [`labels[i${second!.booking_items.id}]`]: 'JL-0001-2' });
      expect(res.status).to.equal(303);
      expect((await status(number)).status).to.equal('received');
      const started = await labAction(liAgent, number, 'start', { assignee: String(li.id) });
      expect(started.status).to.equal(303);
      expect(await status(number)).to.include({ status: 'in_progress', assignedTo: li.id });
    });

    it('validates the calibration results line by line', async () => {
      const items = await t.db.select().from(bookingItems).innerJoin(bookings, eq(bookings.id, bookingItems.bookingId)).where(eq(bookings.number, number));
      const [a, b] = items.map((i) => i.booking_items.id);
      // without any measurement standard of the node for the category, no certificate can be made
      const none = await labAction(liAgent, number, 'submit_results', { [`cal[i${a}][conclusion]`]: 'pass' });
      expect(none.text).to.contain('本网点尚未登记可用于该类器具的计量标准');
      standard = String(await standardFor(t.db, 'ZS-METROLOGY'));
      const res = await labAction(liAgent, number, 'submit_results', {
        [`cal[i${a}][conclusion]`]: 'pass',
        [`cal[i${a}][certificateNo]`]: '',
        [`cal[i${a}][nextDueDate]`]: '2026-09-01',
        [`cal[i${b}][conclusion]`]: 'maybe',
        [`cal[i${b}][certificateNo]`]: 'JD-2026-0002',
        [`cal[i${b}][nextDueDate]`]: '2027-03-27',
        [`cal[i${b}][points][0][nominal]`]: '1.0',
        [`cal[i${b}][points][0][measured]`]: 'abc',
      });
      expect(res.status).to.equal(422);
      expect(res.text).to.contain('证书编号').and.contain('下次检定/校准日期应晚于今天').and.contain('的结论').and.contain('都应为数值');
      // where, at what temperature and humidity, and with which standard: each asked for (JJF 1071)
      expect(res.text).to.contain('请填写环境温度（℃）').and.contain('请填写相对湿度（%RH）').and.contain('检定/校准所用的计量标准');
      expect((await status(number)).status).to.equal('in_progress');
      expect(await t.db.$count(results)).to.equal(0);
      // a standard whose 考核证书 ran out cannot be named; a temperature out of any lab's range is refused
      const [node] = await t.db.select({ id: nodes.id }).from(nodes).where(eq(nodes.code, 'ZS-METROLOGY'));
      const [expired] = await t.db.insert(measurementStandards).values({ nodeId: node!.id, name: '过期的活塞式压力计', certificateNo: '［2018］浙量标舟证字第 001 号', measuringRange: '(0.04～25) MPa', accuracy: '0.05 级', validUntil: '2026-09-01', categoryCodes: ['CAL-PG'] }).returning({ id: measurementStandards.id });
      const stale = await labAction(liAgent, number, 'submit_results', { ...traced([a!]), 'conditions[temperature]': '200', [`cal[i${a}][standards]`]: String(expired!.id), [`cal[i${a}][conclusion]`]: 'pass' });
      expect(stale.status).to.equal(422);
      expect(stale.text).to.contain('计量标准“过期的活塞式压力计”的考核证书已于 2026-09-01 到期，不能用于检定/校准').and.contain('环境温度应为 −30～60 之间的数值');
      expect(await t.db.$count(results)).to.equal(0);
      // 合格 is refused when the data says otherwise, next to the conclusion, with what was typed kept
      const beyond = await labAction(liAgent, number, 'submit_results', {
        ...traced([a!, b!]),
        [`cal[i${a}][conclusion]`]: 'pass',
        [`cal[i${a}][certificateNo]`]: 'JD-2026-0001',
        [`cal[i${a}][nextDueDate]`]: '2027-03-27',
        [`cal[i${a}][unit]`]: 'MPa',
        [`cal[i${a}][mpe]`]: '±0.016',
        [`cal[i${a}][points][0][nominal]`]: '1.000',
        [`cal[i${a}][points][0][measured]`]: '1.050',
        [`cal[i${b}][conclusion]`]: 'pass',
        [`cal[i${b}][certificateNo]`]: 'JD-2026-0002',
        [`cal[i${b}][nextDueDate]`]: '2027-03-27',
      });
      expect(beyond.status).to.equal(422);
      expect(beyond.text).to.contain('第 1 点（标称值 1）示值误差 +0.05 超出最大允许误差 ±0.016：不能判为合格');
      expect(beyond.text).to.contain('请填写检定的测量点').and.contain('value="±0.016"').and.contain('value="1.050"');
      expect(await t.db.$count(results)).to.equal(0);
    });

    it('submits results; the same person cannot verify them (four-eyes); a colleague can', async () => {
      const items = await t.db.select().from(bookingItems).innerJoin(bookings, eq(bookings.id, bookingItems.bookingId)).where(eq(bookings.number, number));
      const [a, b] = items.map((i) => i.booking_items.id);
      const res = await labAction(liAgent, number, 'submit_results', {
        ...traced([a!, b!]),
        [`cal[i${a}][conclusion]`]: 'pass',
        [`cal[i${a}][certificateNo]`]: 'JD-2026-0001',
        [`cal[i${a}][nextDueDate]`]: '2027-03-27',
        [`cal[i${a}][points][0][nominal]`]: '1.000',
        [`cal[i${a}][points][0][measured]`]: '1.012',
        [`cal[i${a}][points][0][uncertainty]`]: '0.005 MPa',
        [`cal[i${a}][unit]`]: 'MPa',
        [`cal[i${a}][mpe]`]: '±0.016',
        [`cal[i${b}][conclusion]`]: 'pass',
        [`cal[i${b}][certificateNo]`]: 'JD-2026-0002',
        [`cal[i${b}][nextDueDate]`]: '2027-03-27',
        [`cal[i${b}][mpe]`]: '±1.6%',
        [`cal[i${b}][unit]`]: 'MPa',
        [`cal[i${b}][points][0][nominal]`]: '1.6',
        [`cal[i${b}][points][0][measured]`]: '1.62',
      });
      expect(res.status).to.equal(303);
      const b1 = await status(number);
      expect(b1).to.include({ status: 'to_verify', resultsBy: li.id, conclusion: 'pass' });
      const rows = await t.db.select().from(results).where(eq(results.bookingId, b1.id));
      expect(rows).to.have.length(2);
      expect(rows[0]!.points).to.deep.equal([{ nominal: 1, measured: 1.012, error: 0.012, mpe: 0.016, uncertainty: '0.005 MPa' }]);
      expect(rows[0]).to.include({ unit: 'MPa', limitText: '±0.016' });
      expect(rows[1]!.points).to.deep.equal([{ nominal: 1.6, measured: 1.62, error: 0.02, mpe: 0.0256, uncertainty: null }]);
      // each line keeps where and how it was made, and the standard as it stood that day
      expect(rows[0]!.conditions).to.deep.equal({ place: '市计量院实验室', temperature: '20.3', humidity: '55', standards: [{ name: '测试用计量标准（CAL-PG）', certificateNo: rows[0]!.conditions!.standards[0]!.certificateNo, measuringRange: '(0～60) MPa', accuracy: '0.05 级', validUntil: '2030-12-31' }] });

      const self = await labAction(liAgent, number, 'verify');
      expect(self.status).to.equal(409);
      expect(self.text).to.contain('审核人不能与结果录入人相同');
      expect((await status(number)).status).to.equal('to_verify');
      const page = await liAgent.get(`/lab/bookings/${number}`);
      expect(page.text).to.contain('结果由您录入，需由其他检测人员审核');
      // the checker sees what the conclusion rests on: the unit and the MPE of each line
      expect(page.text).to.contain('MPa<div>最大允许误差 ±0.016</div>');

      // the node's signatory is told before reviewing that whoever reviews may not also sign
      expect((await chenAgent.get(`/lab/bookings/${number}`)).text).to.contain('您是授权签字人：审核通过后，本报告须由另一位授权签字人签发');
      expect((await zhouAgent.get(`/lab/bookings/${number}`)).text).to.contain('审核通过').and.not.contain('您是授权签字人');
      const colleague = await labAction(zhouAgent, number, 'verify');
      expect(colleague.status).to.equal(303);
      expect(await status(number)).to.include({ status: 'verified', verifiedBy: zhou.id });
    });

    it('retract needs a reason and sends the work back', async () => {
      const noReason = await labAction(zhouAgent, number, 'retract', { reason: '' });
      expect(noReason.status).to.equal(422);
      expect((await status(number)).status).to.equal('verified');
      await labAction(zhouAgent, number, 'retract', { reason: '第 2 台复核数据' });
      expect(await status(number)).to.include({ status: 'in_progress', verifiedBy: null });
      // redo: results again, verify again
      const items = await t.db.select().from(bookingItems).innerJoin(bookings, eq(bookings.id, bookingItems.bookingId)).where(eq(bookings.number, number));
      const fields: Record<string, string> = traced(items.map((it) => it.booking_items.id));
      for (const [i, it] of items.entries()) {
        fields[`cal[i${it.booking_items.id}][conclusion]`] = i === 0 ? 'pass' : 'fail';
        fields[`cal[i${it.booking_items.id}][certificateNo]`] = `JD-2026-000${i + 1}`;
        fields[`cal[i${it.booking_items.id}][nextDueDate]`] = i === 0 ? '2027-03-27' : '';
        fields[`cal[i${it.booking_items.id}][mpe]`] = '±0.016';
        fields[`cal[i${it.booking_items.id}][unit]`] = 'MPa';
        fields[`cal[i${it.booking_items.id}][points][0][nominal]`] = '1.000';
        fields[`cal[i${it.booking_items.id}][points][0][measured]`] = i === 0 ? '1.012' : '1.031';
      }
      expect((await labAction(liAgent, number, 'submit_results', fields)).status).to.equal(303);
      expect((await status(number)).conclusion).to.equal('fail');
      expect((await labAction(zhouAgent, number, 'verify')).status).to.equal(303);
    });

    it('refuses to issue by the tester, by the verifier, or by anyone who is not an authorised signatory', async () => {
      // zhou is a node manager but no signatory, and verified the results anyway; li entered them.
      for (const [agent, message] of [
        [zhouAgent, '您审核了这些结果'],
        [liAgent, '您录入了这些结果'],
      ] as const) {
        const page = await agent.get(`/lab/bookings/${number}`);
        expect(page.text).to.contain(message).and.not.contain('签发即以授权签字人身份批准');
      }
      const byVerifier = await labAction(zhouAgent, number, 'issue_report');
      expect(byVerifier.status).to.equal(409);
      expect(byVerifier.text).to.contain('签发人不能是审核人');
      const byTester = await labAction(liAgent, number, 'issue_report');
      expect(byTester.status).to.equal(409);
      expect(byTester.text).to.contain('签发人不能是录入结果的检测人员');
      // a signatory whose grant is for another category only, or has lapsed, may not sign either
      const outsider = await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' }, { name: '钱六' });
      await grantSignatory(t.db, outsider, { categoryCode: 'testing' });
      await grantSignatory(t.db, outsider, { validFrom: '2025-01-01', validUntil: '2025-12-31' });
      const outsiderAgent = agentFor(t.app);
      await login(outsiderAgent, outsider.mobile, TEST_PASSWORD);
      const notSignatory = await labAction(outsiderAgent, number, 'issue_report');
      expect(notSignatory.status).to.equal(409);
      expect(notSignatory.text).to.contain('不是本网点该类服务的授权签字人');
      expect((await status(number)).status).to.equal('verified');
      expect(await t.db.$count(reports, eq(reports.bookingId, (await status(number)).id))).to.equal(0);
    });

    it('issues a report (tester, verifier, approver: three people) the company can open, print and verify at /verify', async () => {
      const res = await labAction(chenAgent, number, 'issue_report');
      expect(res.status).to.equal(303);
      const b = await status(number);
      expect(b.status).to.equal('reported');
      const [report] = await t.db.select().from(reports).where(eq(reports.bookingId, b.id));
      expect(report).to.include({ version: 1, status: 'valid', conclusion: 'fail', testerId: li.id, verifierId: zhou.id, approverId: chen.id });
      expect((report!.content as { signers: unknown }).signers).to.deep.equal({ tester: '李明', verifier: '周华', approver: '陈建国' });
      expect(report!.number).to.match(/^NQI-2026-JL-\d{6}$/);
      expect(report!.verificationCode).to.match(/^[A-HJ-NP-Z2-9]{8}$/);

      const detail = await enterprise.get(`/bookings/${number}`);
      expect(detail.text).to.contain(report!.number).and.contain('确认收到报告');
      const printed = await enterprise.get(`/bookings/${number}/reports/1`);
      expect(printed.status).to.equal(200);
      expect(printed.text).to.match(/<h1>(检定证书|校准证书|检定结果通知书)<\/h1>/);
      expect(printed.text).to.contain('JD-2026-0001').and.contain('不合格').and.contain(report!.verificationCode);
      // the QR code on the report encodes the unguessable verification link
      const qr = await QRCode.toString(`http://nqi.test/verify?t=${report!.verifyToken}`, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
      expect(printed.text).to.contain(qr);
      expect(printed.text).to.contain('李明').and.contain('周华').and.contain('陈建国');
      expect(printed.text.match(/签发单位[^<]*/)?.[0]).to.equal('签发单位（检定专用章）：舟山市计量检定测试院（计量实验室）');
      // each certificate names the measurement standard it is traced to, and where and in what environment it was made
      expect(printed.text).to.contain('本次检定所使用的计量标准').and.contain('测试用计量标准（CAL-PG）').and.contain('2030-12-31');
      expect(printed.text).to.contain('检定地点及环境条件：市计量院实验室；温度 20.3 ℃；相对湿度 55 %RH。');

      const verified = await agentFor(t.app).get(`/verify?no=${report!.number}&code=${report!.verificationCode}`);
      expect(verified.status).to.equal(200);
      expect(verified.text).to.contain('有效').and.contain('舟山海星****有限公司').and.contain('舟山市计量检定测试院').and.not.contain('舟山海星船舶修造有限公司');
      // and each certificate of the report with its instrument, serial and result, to compare with the paper; the
      // report's conclusion counts its certificates (one 不合格 gauge does not make the other 不合格)
      expect(verified.text).to.contain('报告数据').and.contain('合格 1 台、不合格 1 台');
      const [own] = await t.db.select({ number: bookings.number }).from(bookings).where(eq(bookings.id, report!.bookingId));
      expect((await enterprise.get(`/bookings/${own!.number}`)).text).to.contain('结论 合格 1 台、不合格 1 台');
      for (const r of await t.db.select({ no: results.certificateNo }).from(results).where(eq(results.bookingId, report!.bookingId))) expect(verified.text).to.contain(r.no!);
      const byToken = await agentFor(t.app).get(`/verify?t=${report!.verifyToken}`);
      expect(byToken.text).to.contain(report!.number).and.contain('有效');
    });

    it('verifies by the number of a certificate in the report too, with the report\'s code, and lists its certificates', async () => {
      const [report] = await t.db.select().from(reports);
      const certificates = (await t.db.select({ no: results.certificateNo }).from(results).where(eq(results.bookingId, report!.bookingId))).map((r) => r.no).filter((n): n is string => !!n);
      expect(certificates).to.not.be.empty;
      const byCertificate = await agentFor(t.app).get(`/verify?no=${encodeURIComponent(certificates[0]!.toLowerCase())}&code=${report!.verificationCode}`);
      expect(byCertificate.status).to.equal(200);
      expect(byCertificate.text).to.contain(report!.number).and.contain('有效').and.contain('所含证书').and.contain(certificates[0]!);
      expect(byCertificate.text).to.contain('本证书结论').and.contain('报告总结论');
      // a verification certificate says until when it holds; past that day it is still genuine, and says it has expired
      expect(byCertificate.text).to.contain('有效期至').and.contain('2027-03-27').and.not.contain('已过有效期');
      const expired = await verifyReport(t.db, { number: certificates[0]!, code: report!.verificationCode }, '2027-03-28');
      expect(expired!.certificate!.until).to.deep.equal({ label: '有效期至', date: '2027-03-27', passed: true });
      expect(expired!.status).to.equal('valid');
      const wrongCode = await agentFor(t.app).get(`/verify?no=${certificates[0]}&code=ABCDEFGH`);
      expect(wrongCode.status).to.equal(404);
      // as typed from paper: spaces for dashes, a space inside the code, full-width characters
      const code = report!.verificationCode;
      const typed = await agentFor(t.app).get(`/verify?no=${encodeURIComponent(report!.number.replaceAll('-', ' '))}&code=${encodeURIComponent(`${code.slice(0, 4)} ${code.slice(4)}`)}`);
      expect(typed.status).to.equal(200);
      const fullWidth = [...report!.number].map((c) => (c === '-' ? '－' : String.fromCharCode(c.charCodeAt(0) + 0xfee0))).join('');
      expect((await agentFor(t.app).get(`/verify?no=${encodeURIComponent(fullWidth)}&code=${code.toLowerCase()}`)).status).to.equal(200);
    });

    it('gives the same answer for a wrong code and a made-up number', async () => {
      const [report] = await t.db.select().from(reports);
      const wrongCode = await agentFor(t.app).get(`/verify?no=${report!.number}&code=ABCDEFGH`);
      const madeUp = await agentFor(t.app).get('/verify?no=NQI-2026-JL-999999&code=ABCDEFGH');
      expect(wrongCode.status).to.equal(404);
      expect(madeUp.status).to.equal(404);
      const strip = (html: string) => html.replace(/value="[^"]*"/g, '');
      expect(strip(wrongCode.text)).to.equal(strip(madeUp.text));
      expect(wrongCode.text).to.contain('未找到匹配的报告');
    });

    it('asks for the missing half of a lookup next to its field (422, input kept) instead of answering "not found"', async () => {
      const [report] = await t.db.select().from(reports);
      const codeOnly = await agentFor(t.app).get(`/verify?code=${report!.verificationCode}`);
      expect(codeOnly.status).to.equal(422);
      expect(codeOnly.text).to.contain('请填写报告编号或证书编号').and.contain(`value="${report!.verificationCode}"`).and.not.contain('未找到匹配的报告');
      const numberOnly = await agentFor(t.app).get(`/verify?no=${report!.number}`);
      expect(numberOnly.status).to.equal(422);
      expect(numberOnly.text).to.contain('请填写报告上的 8 位验证码').and.contain(`value="${report!.number}"`).and.not.contain('有效');
    });

    it('the company completes and evaluates once', async () => {
      expect((await enterpriseAction(enterprise, number, 'complete')).status).to.equal(303);
      expect((await status(number)).status).to.equal('completed');
      const bad = await enterpriseAction(enterprise, number, 'evaluate', { level: '7' });
      expect(bad.status).to.equal(422);
      expect((await enterpriseAction(enterprise, number, 'evaluate', { level: '4', comment: '送检方便，出证及时' })).status).to.equal(303);
      const again = await enterpriseAction(enterprise, number, 'evaluate', { level: '1' });
      expect(again.status).to.be.oneOf([409, 422]);
      const rows = await t.db.select().from(evaluations);
      expect(rows).to.have.length(1);
      expect(rows[0]).to.include({ level: 4, comment: '送检方便，出证及时' });
      const timeline = await enterprise.get(`/bookings/${number}`);
      for (const step of ['提交预约', '受理', '收样 / 到场', '开始检测', '提交检测结果', '审核通过', '退回重做', '签发报告', '办结', '服务评价']) {
        expect(timeline.text, step).to.contain(step);
      }
    });
  });

  describe('oil test with one value outside its limit', () => {
    let number: string;
    const values: Record<string, string> = {
      'OIL-DEN15': '995.2',
      'OIL-KV50': '380',
      'OIL-CCAI': '857', // calculated from the density and viscosity above (ISO 8217 Annex F)
      'OIL-S-PCT': '0.48',
      'OIL-FP-PM': '60',
      'OIL-H2S': '0.5',
      'OIL-AN': '1.2',
      'OIL-TSA': '0.05',
      'OIL-MCR': '12',
      'OIL-POUR': '15',
      'OIL-WATER': '0.2',
      'OIL-ASH': '0.05',
      'OIL-V': '120',
      'OIL-NA': '30',
      'OIL-ALSI': '25',
    };

    async function sampleId() {
      const [row] = await t.db.select().from(bookingItems).innerJoin(bookings, eq(bookings.id, bookingItems.bookingId)).where(eq(bookings.number, number));
      return row!.booking_items.id;
    }
    /** ULO is entered as its three elements (mg/kg) and judged from them; `null` leaves them empty. */
    function fields(id: number, overrides: Record<string, string> = {}, ulo: { ca: string; zn: string; p: string } | null = { ca: '12', zn: '5', p: '4' }) {
      const out: Record<string, string> = {};
      for (const [code, v] of Object.entries({ ...values, ...overrides })) out[`results[i${id}][${code}]`] = v;
      if (ulo) for (const [element, v] of Object.entries(ulo)) out[`results[i${id}][OIL-ULO][${element}]`] = v;
      return out;
    }

    before(async () => {
      number = await bookOilTest(t, company.user.id);
      await labAction(oilAgent, number, 'accept');
      const id = await sampleId();
      await labAction(oilAgent, number, 'receive', { [`labels[i${id}]`]: 'YP-S-0001' });
      await labAction(oilAgent, number, 'start');
      expect((await status(number)).status).to.equal('in_progress');
    });

    it('refuses implausible values (negative density, water over 100 %), a missing value and a missing manual judgement', async () => {
      const id = await sampleId();
      const res = await labAction(oilAgent, number, 'submit_results', fields(id, { 'OIL-DEN15': '-5', 'OIL-WATER': '150', 'OIL-V': '' }, null));
      expect(res.status).to.equal(422);
      expect(res.text).to.contain('“密度（15 ℃）”的数值 -5 超出合理范围');
      expect(res.text).to.contain('“水分”的数值 150 超出合理范围');
      expect(res.text).to.contain('请填写“钒”的结果');
      expect(res.text).to.contain('请填写废润滑油（ULO）的钙（Ca）含量，mg/kg');
      expect(res.text).to.contain('value="-5"').and.contain('value="0.48"'); // the input is kept
      const text = await labAction(oilAgent, number, 'submit_results', fields(id, { 'OIL-S-PCT': '0,48' }));
      expect(text.status).to.equal(422);
      expect(text.text).to.contain('应填写数值');
      // CCAI is calculated: a typed value that disagrees with the density and viscosity is refused, naming the calculation
      const ccai = await labAction(oilAgent, number, 'submit_results', fields(id, { 'OIL-CCAI': '850' }));
      expect(ccai.status).to.equal(422);
      expect(ccai.text).to.contain('按所填数据应为 857');
      // a bound that does not decide against the limit (H₂S below 3 against ≤ 2.00) is refused, the input kept
      const undecided = await labAction(oilAgent, number, 'submit_results', fields(id, { 'OIL-H2S': '<3' }));
      expect(undecided.status).to.equal(422);
      expect(undecided.text).to.contain('不能判定是否符合限值').and.contain('value="&lt;3"');
      expect((await status(number)).status).to.equal('in_progress');
      expect(await t.db.$count(results, eq(results.bookingId, (await status(number)).id))).to.equal(0);
    });

    it('judges each value against the RMG 380 limits: density 995.2 > 991 fails, the rest pass, boundaries pass', async () => {
      const id = await sampleId();
      const res = await labAction(oilAgent, number, 'submit_results', fields(id, { 'OIL-H2S': '＜ 0.60', 'OIL-CCAI': '' }));
      expect(res.status).to.equal(303);
      const b = await status(number);
      expect(b.conclusion).to.equal('fail');
      const rows = await t.db.select().from(results).where(eq(results.bookingId, b.id));
      const byCode = Object.fromEntries(rows.map((r) => [r.testItemCode, r]));
      expect(byCode['OIL-DEN15']).to.include({ judgement: 'fail', limitText: '≤ 991.0 kg/m³', valueNumber: 995.2 });
      expect(byCode['OIL-KV50']).to.include({ judgement: 'pass', limitText: '≤ 380.0 mm²/s' }); // equal to the limit
      // left empty, CCAI is calculated from the sample's density and viscosity
      expect(byCode['OIL-CCAI']).to.include({ valueText: '857', valueNumber: 857, judgement: 'pass' });
      // below the method's limit of quantitation, as the lab reports it: decided by the bound, no number stored
      expect(byCode['OIL-H2S']).to.include({ valueText: '<0.60', valueNumber: null, judgement: 'pass', judgementBasis: 'auto' });
      expect(byCode['OIL-FP-PM']).to.include({ judgement: 'pass', limitText: '≥ 60.0 ℃', judgementBasis: 'auto' }); // equal to the minimum
      // ISO 8217 leaves residual sulphur to statutory limits: the booking said "global 0.50 %", which judges it
      expect(byCode['OIL-S-PCT']).to.include({ judgement: 'pass', limitText: '≤ 0.50 % m/m', judgementBasis: 'auto' });
      expect(byCode['OIL-S-PCT']!.limitSource).to.contain('MARPOL 附则Ⅵ 第 14 条');
      // used lubricating oil from its three elements, by ISO 8217's rule (Ca 12 is not above 30)
      expect(byCode['OIL-ULO']).to.include({ valueText: 'Ca 12 / Zn 5 / P 4', judgement: 'pass', valueNumber: null, judgementBasis: 'auto' });
    });

    it('verifies by a second technician, issues, and the report shows 不合格 for density', async () => {
      expect((await labAction(oilAgent2, number, 'verify')).status).to.equal(303);
      expect((await labAction(oilAgent2, number, 'issue_report')).status).to.equal(409); // the verifier cannot also approve
      expect((await labAction(linAgent, number, 'issue_report')).status).to.equal(303);
      const page = await enterprise.get(`/bookings/${number}/reports/1`);
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('检测报告');
      // 项目, 方法, 单位, 限值, 结果, 单项判定 — one row of the report
      expect(page.text.replace(/\s+/g, ' ')).to.match(/密度（15 ℃）<\/td> <td class="small">ISO 3675（GB\/T 1884）<\/td> <td class="col-unit">kg\/m³<\/td> <td>≤ 991.0 kg\/m³<\/td> <td class="col-value font-monospace">995.2<\/td> <td class="col-judge"><strong>不合格<\/strong>/);
      expect(page.text).to.match(/检测结论：<\/strong><span class="fs-6 fw-bold">不合格/);
      // where the printed copy takes the seal: the issuing lab and the seal a test report bears
      expect(page.text).to.match(/签发单位（检验检测专用章）：[^<]+实验室/).and.not.contain('（盖章）');
    });

    it('a revision goes through entry, four-eyes verification and a signatory; v1 stays valid until v2 is issued', async () => {
      const b = await status(number);
      const [v1] = await t.db.select().from(reports).where(eq(reports.bookingId, b.id));
      const id = await sampleId();
      const noReason = await labAction(oilAgent, number, 'open_revision', { reason: '' });
      expect(noReason.status).to.equal(422);
      expect(await t.db.$count(reportRevisions, eq(reportRevisions.bookingId, b.id))).to.equal(0);

      expect((await labAction(oilAgent, number, 'open_revision', { reason: '密度录入错误，原始记录为 990.5' })).status).to.equal(303);
      expect((await labAction(oilAgent2, number, 'open_revision', { reason: '重复发起' })).status).to.equal(409); // one at a time
      // The lone technician enters the corrected value (CCAI, calculated from the density, must follow it)…
      const stale = await labAction(oilAgent, number, 'submit_revision', fields(id, { 'OIL-DEN15': '990.5' }));
      expect(stale.status).to.equal(422);
      expect(stale.text).to.contain('按所填数据应为 852');
      expect((await labAction(oilAgent, number, 'submit_revision', fields(id, { 'OIL-DEN15': '990.5', 'OIL-CCAI': '' }))).status).to.equal(303);
      // …but can neither verify nor issue it alone: v1 (不合格) is still the valid report.
      expect((await labAction(oilAgent, number, 'verify_revision')).status).to.equal(409);
      expect((await labAction(oilAgent, number, 'issue_revision')).status).to.equal(409);
      expect((await t.db.select().from(reports).where(eq(reports.bookingId, b.id))).map((r) => [r.version, r.status])).to.deep.equal([[1, 'valid']]);
      const stillValid = await agentFor(t.app).get(`/verify?no=${v1!.number}&code=${v1!.verificationCode}`);
      expect(stillValid.text).to.contain('有效').and.contain('不合格');

      expect((await labAction(oilAgent2, number, 'verify_revision')).status).to.equal(303);
      expect((await labAction(oilAgent2, number, 'issue_revision')).status).to.equal(409); // the verifier is not the approver
      expect((await labAction(oilAgent, number, 'issue_revision')).status).to.equal(409); // nor the tester
      expect((await labAction(linAgent, number, 'issue_revision')).status).to.equal(303);

      const all = await t.db.select().from(reports).where(eq(reports.bookingId, b.id)).orderBy(reports.version);
      expect(all.map((r) => [r.version, r.status, r.conclusion])).to.deep.equal([
        [1, 'replaced', 'fail'],
        [2, 'valid', 'pass'],
      ]);
      expect(all[0]!.replacedById).to.equal(all[1]!.id);
      expect(all[1]!.number).to.equal(v1!.number);
      // Each version is signed by its own people; nothing is copied from v1.
      expect(all[1]).to.include({ testerId: oilTech.id, verifierId: oilTech2.id, approverId: lin.id });
      expect((all[1]!.content as { signers: unknown }).signers).to.deep.equal({ tester: '何兰', verifier: '徐波', approver: '林海' });
      // v1's results are kept as they were issued; v2 has its own lines.
      const lines = await t.db.select().from(results).where(and(eq(results.bookingId, b.id), eq(results.testItemCode, 'OIL-DEN15')));
      expect(lines.map((l) => [l.version, l.valueText]).sort()).to.deep.equal([
        [1, '995.2'],
        [2, '990.5'],
      ]);
      expect((await status(number)).conclusion).to.equal('pass');

      const old = await agentFor(t.app).get(`/verify?no=${v1!.number}&code=${v1!.verificationCode}`);
      expect(old.status).to.equal(200);
      expect(old.text).to.contain('已替换').and.contain('第 2 版替换');
      const current = await agentFor(t.app).get(`/verify?no=${all[1]!.number}&code=${all[1]!.verificationCode}`);
      expect(current.text).to.contain('有效').and.contain('合格');

      const revoke = await labAction(oilAgent, number, 'revoke_report', { reason: '样品铅封破损，报告作废' });
      expect(revoke.status).to.equal(303);
      const revoked = await agentFor(t.app).get(`/verify?t=${all[1]!.verifyToken}`);
      expect(revoked.text).to.contain('已撤销').and.contain('样品铅封破损，报告作废');
      const events_ = await t.db.select().from(events).where(and(eq(events.entityType, 'booking'), eq(events.entityId, String(b.id))));
      expect(events_.map((e) => e.action)).to.include.members(['revision.open', 'revision.submit_revision', 'revision.verify_revision', 'revision.issue_revision', 'report.revised', 'report.revoked']);
    });
  });

  describe('grade variants and limits still 待核实', () => {
    it('judges a winter DMA against the winter pour point; a limit not yet verified is judged by the tester and marked', async () => {
      const number = await bookOilTest(t, company.user.id, { gradeCode: 'ISO8217-DMA', gradeVariant: 'winter', sulphurRequirement: 'global', items: ['OIL-POUR', 'OIL-LUB', 'OIL-S-PCT'] });
      const [row] = await t.db.select().from(bookingItems).innerJoin(bookings, eq(bookings.id, bookingItems.bookingId)).where(eq(bookings.number, number));
      const id = row!.booking_items.id;
      for (const step of ['accept', 'start'] as const) {
        if (step === 'start') expect((await labAction(oilAgent, number, 'receive', { [`labels[i${id}]`]: 'YP-S-0099' })).status).to.equal(303);
        expect((await labAction(oilAgent, number, step)).status).to.equal(303);
      }
      const values = { [`results[i${id}][OIL-POUR]`]: '-3', [`results[i${id}][OIL-LUB]`]: '400', [`results[i${id}][OIL-S-PCT]`]: '0.04' };
      // Lubricity's 520 µm is not verified in two sources: no automatic verdict, the tester must say (for a fuel below
      // 500 mg/kg of sulphur, the only one it applies to)
      const silent = await labAction(oilAgent, number, 'submit_results', values);
      expect(silent.status).to.equal(422);
      expect(silent.text).to.contain('待核实，不自动判定');
      // with 0.6 % sulphur the lubricity limit does not apply: reported, not judged, nothing asked of the tester
      expect((await labAction(oilAgent, number, 'submit_results', { ...values, [`results[i${id}][OIL-S-PCT]`]: '0.6' })).status).to.equal(303);
      const b = await status(number);
      const lines = Object.fromEntries((await t.db.select().from(results).where(eq(results.bookingId, b.id))).map((r) => [r.testItemCode, r]));
      expect(lines['OIL-POUR']).to.include({ judgement: 'fail', limitText: '≤ -6 ℃', judgementBasis: 'auto' }); // −3 passes summer, not winter
      expect(lines['OIL-LUB']).to.include({ judgement: 'not_applicable', judgementBasis: 'auto', valueText: '400' });
      expect(lines['OIL-S-PCT']).to.include({ judgement: 'fail', limitText: '≤ 0.50 % m/m' }); // ISO allows 1.00, the global cap does not
      expect(b.conclusion).to.equal('fail');
    });

    it('the platform admin marks a limit verified (with what was checked, audited); from then on it judges automatically', async () => {
      const [lub] = await t.db.select().from(oilLimits).where(and(eq(oilLimits.itemCode, 'OIL-LUB'), eq(oilLimits.gradeCode, 'ISO8217-DMA')));
      const admin = await createUser(t.db, 'platform_admin');
      const adminAgent = agentFor(t.app);
      await login(adminAgent, admin.mobile, TEST_PASSWORD);
      const page = await adminAgent.get('/admin/oil-limits?grade=ISO8217-DMA');
      expect(page.text).to.contain('润滑性').and.contain('待核实');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const noNote = await adminAgent.post(`/admin/oil-limits/${lub!.id}/verify`).type('form').send({ _csrf: csrf, note: '' });
      expect(noNote.status).to.equal(422);
      expect((await t.db.select().from(oilLimits).where(eq(oilLimits.id, lub!.id)))[0]!.verified).to.equal(false);
      expect((await oilAgent.post(`/admin/oil-limits/${lub!.id}/verify`).type('form').send({ _csrf: csrf, note: 'x' })).status).to.equal(403);
      const ok = await adminAgent.post(`/admin/oil-limits/${lub!.id}/verify`).type('form').send({ _csrf: csrf, note: '对照 ISO 8217:2017 表 1 原文核实' });
      expect(ok.status).to.equal(303);
      const [after] = await t.db.select().from(oilLimits).where(eq(oilLimits.id, lub!.id));
      expect(after).to.include({ verified: true, verifiedBy: admin.id });
      const [event] = await t.db.select().from(events).where(and(eq(events.entityType, 'oil_limit'), eq(events.entityId, String(lub!.id))));
      expect(event).to.include({ action: 'limit.verified', actorUserId: admin.id, note: '对照 ISO 8217:2017 表 1 原文核实' });
    });
  });

  describe('reject, needs_info, and the auto-complete', () => {
    it('reject needs a reason and gives the capacity back', async () => {
      const number = await bookCalibration(t, company.user.id, { slot: '2026-09-30|pm', serials: ['REJ-1'] });
      const b = await status(number);
      const [w] = await t.db.select().from(capacityWindows).where(eq(capacityWindows.id, b.windowId!));
      const noReason = await labAction(liAgent, number, 'reject', { reason: ' ' });
      expect(noReason.status).to.equal(422);
      expect((await labAction(liAgent, number, 'reject', { reason: '该型号压力表需送省院' })).status).to.equal(303);
      const [after] = await t.db.select().from(capacityWindows).where(eq(capacityWindows.id, b.windowId!));
      expect(after!.used).to.equal(w!.used - 1);
      expect((await status(number)).status).to.equal('rejected');
    });

    it('needs_info asks the company, who sees the request on its page', async () => {
      const number = await bookCalibration(t, company.user.id, { serials: ['NI-1'] });
      expect((await labAction(liAgent, number, 'needs_info', { reason: '请补充上次检定证书' })).status).to.equal(303);
      const page = await enterprise.get(`/bookings/${number}`);
      expect(page.text).to.contain('网点要求补正').and.contain('请补充上次检定证书');
    });

    it('completes reported bookings automatically after 7 days', async () => {
      const number = await bookCalibration(t, company.user.id, { serials: ['AUTO-1'] });
      await t.db.update(bookings).set({ status: 'reported', reportedAt: new Date('2026-09-20T10:00:00+08:00') }).where(eq(bookings.number, number));
      const fresh = await bookCalibration(t, company.user.id, { serials: ['AUTO-2'] });
      await t.db.update(bookings).set({ status: 'reported', reportedAt: new Date('2026-09-25T10:00:00+08:00') }).where(eq(bookings.number, fresh));
      expect(await t.services.lab.autoComplete()).to.equal(1);
      expect((await status(number)).status).to.equal('completed');
      expect((await status(fresh)).status).to.equal('reported');
      const [ev] = await t.db.select().from(events).where(and(eq(events.entityId, String((await status(number)).id)), eq(events.action, 'booking.complete')));
      expect(ev).to.include({ actorUserId: null });
      expect(ev!.note).to.contain('自动办结');
    });
  });

  describe('notifications', () => {
    it('shows the unread count in the header; following a message changes nothing, opening it from the list (POST) marks it read; others cannot open it', async () => {
      const page = await enterprise.get('/bookings');
      const badge = /站内信 <span class="badge rounded-pill text-bg-warning" aria-label="(\d+) 条未读">/.exec(page.text);
      expect(badge).to.not.equal(null);
      const unread = Number(badge![1]);
      expect(unread).to.be.greaterThan(0);
      // the newest: the list shows the latest page first
      const [n] = await t.db.select().from(notifications).where(eq(notifications.userId, company.user.id)).orderBy(desc(notifications.id)).limit(1);
      const readAt = async () => (await t.db.select().from(notifications).where(eq(notifications.id, n!.id)))[0]!.readAt;
      // a GET (a prefetch, a replayed link) leads to the booking and leaves the message unread
      const follow = await enterprise.get(`/notifications/${n!.id}`);
      expect(follow.status).to.equal(302);
      expect(follow.headers.location).to.match(/^\/bookings\//);
      expect(await readAt()).to.equal(null);
      // the list's entry is a form: POST marks it read and leads on
      const list = await enterprise.get('/notifications');
      expect(list.text).to.contain(`action="/notifications/${n!.id}/read"`);
      const token = /name="_csrf" value="([^"]+)"/.exec(list.text)![1]!;
      const open = await enterprise.post(`/notifications/${n!.id}/read`).type('form').send({ _csrf: token });
      expect(open.status).to.equal(303);
      expect(open.headers.location).to.match(/^\/bookings\//);
      expect(await readAt()).to.be.instanceOf(Date);
      expect((await liAgent.get(`/notifications/${n!.id}`)).status).to.equal(404);
      const liToken = /name="_csrf" value="([^"]+)"/.exec((await liAgent.get('/account/password')).text)![1]!;
      expect((await liAgent.post(`/notifications/${n!.id}/read`).type('form').send({ _csrf: liToken })).status).to.equal(404);
      expect(list.text).to.contain('站内信');
    });
  });
});

describe('report verification is rate-limited', () => {
  it('answers 429 after the limit', async () => {
    const t = await createTestApp({ verifyLimit: { limit: 3, windowMs: 60_000 } });
    try {
      const agent = agentFor(t.app);
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await agent.get(`/verify?no=NQI-2026-JL-00000${i}&code=AAAAAAAA`)).status);
      expect(statuses).to.deep.equal([404, 404, 404, 429]);
      expect((await agent.get('/verify')).status).to.equal(200); // the empty form is not a lookup
    } finally {
      await t.close();
    }
  });
});
