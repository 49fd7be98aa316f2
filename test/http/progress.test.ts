import { expect } from 'chai';
import { and, eq, sql } from 'drizzle-orm';
import { bookings, calendarDays, events, notifications } from '../../src/db/schema.js';
import { parse } from 'node-html-parser';
import { rowsOf } from '../../src/db/client.js';
import { formatDateTime } from '../../src/shared/time.js';
import { agentFor, createTestApp, csrfFrom, login, type Agent, type TestApp } from '../support/app.js';
import { MONDAY_BEFORE_NATIONAL_DAY } from '../support/bookings.js';
import { settableClock } from '../support/clock.js';
import { createCompanyUser, createUser, TEST_PASSWORD } from '../support/factories.js';
import { bookCalibration, enterpriseAction, labAction } from '../support/lab.js';

/**
 * 办件进度: the step bar on the booking page and the workbench, the company's 站内信 on submit, and the public
 * /track lookup behind the receipt's QR code. The calibration of CAL-PG takes 3 working days (seed data); booked for
 * Tuesday 2026-09-29, counted from that day across National Day: 09-30, 10-08, 10-09 → due 2026-10-09.
 */
describe('progress people can follow', () => {
  let t: TestApp;
  const clock = settableClock(MONDAY_BEFORE_NATIONAL_DAY);
  let company: Agent;
  let staff: Agent;
  let companyUser: Awaited<ReturnType<typeof createCompanyUser>>;
  let number: string;

  const stepsOf = (html: string) =>
    parse(html)
      .querySelectorAll('.progress-steps li')
      .map((li) => ({ label: li.querySelector('.step-label')!.childNodes[0]!.text.trim(), state: li.classNames.match(/step-(done|next|upcoming|ended)/)![1], text: li.text.replace(/\s+/g, ' ').trim() }));

  /** When the timeline says an event happened, as pages print it. */
  async function eventTime(no: string, action: string) {
    const [row] = await t.db.select({ at: events.at }).from(events).innerJoin(bookings, eq(events.entityId, sql`${bookings.id}::text`)).where(and(eq(bookings.number, no), eq(events.action, action)));
    return formatDateTime(row!.at);
  }

  /** Receives a booking with the sample labels the workbench proposes. */
  async function receive(no: string) {
    const inputs = parse((await staff.get(`/lab/bookings/${no}`)).text).querySelectorAll('input[name^="labels["]');
    return labAction(staff, no, 'receive', Object.fromEntries(inputs.map((i) => [i.getAttribute('name')!, i.getAttribute('value')!])));
  }

  before(async () => {
    t = await createTestApp({ clock, trackLimit: { limit: 6, windowMs: 60_000 } });
    companyUser = await createCompanyUser(t.db, { name: '进度查询测试船舶有限公司' });
    const tech = await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' }, { name: '进度测试技术员' });
    [company, staff] = [agentFor(t.app), agentFor(t.app)];
    await login(company, companyUser.user.mobile, TEST_PASSWORD);
    await login(staff, tech.mobile, TEST_PASSWORD);
    number = await bookCalibration(t, companyUser.user.id, { serials: ['PROG-SECRET-001'] });
  });
  after(() => t?.close());

  it('tells the company by 站内信 that its booking was submitted, with a link to it', async () => {
    const [booking] = await t.db.select().from(bookings).where(eq(bookings.number, number));
    const messages = await t.db.select().from(notifications).where(and(eq(notifications.bookingId, booking!.id), eq(notifications.userId, companyUser.user.id)));
    expect(messages).to.have.length(1);
    expect(messages[0]).to.include({ title: `预约已提交 ${number}`, link: `/bookings/${number}` });
    expect(messages[0]!.body).to.contain('等待受理').and.contain('3 个工作日');
    const inbox = await company.get('/notifications');
    expect(inbox.text).to.contain(`预约已提交 ${number}`);
  });

  it('shows every stage before acceptance: submitted with its date, acceptance next, the report expected by the estimated due date', async () => {
    const page = await company.get(`/bookings/${number}`);
    expect(page.status).to.equal(200);
    const steps = stepsOf(page.text);
    expect(steps.map((s) => s.label)).to.deep.equal(['提交申请', '受理', '收样 / 到场', '开始检测', '提交结果', '审核通过', '出具报告', '办结']);
    expect(steps.map((s) => s.state)).to.deep.equal(['done', 'next', 'upcoming', 'upcoming', 'upcoming', 'upcoming', 'upcoming', 'upcoming']);
    expect(steps[0]!.text).to.contain(await eventTime(number, 'booking.submitted'));
    expect(steps[2]!.text).to.contain('预约 9月29日');
    expect(steps[6]!.text).to.contain('预计 10月9日');
    expect(page.text).to.contain('预计 2026-10-09（受理后按 3 个工作日确定）');
    expect(parse(page.text).querySelector('.progress-steps li[aria-current="step"]')!.text).to.contain('受理');
  });

  it('after acceptance and reception: those stages done with their dates, the report due on the fixed due date', async () => {
    clock.set('2026-09-28T10:15:00+08:00');
    expect((await labAction(staff, number, 'accept')).status).to.equal(303);
    clock.set('2026-09-29T08:40:00+08:00');
    expect((await receive(number)).status).to.equal(303);
    const steps = stepsOf((await company.get(`/bookings/${number}`)).text);
    expect(steps.slice(0, 4).map((s) => s.state)).to.deep.equal(['done', 'done', 'done', 'next']);
    expect(steps[1]!.text).to.contain(await eventTime(number, 'booking.accept'));
    expect(steps[2]!.text).to.contain(await eventTime(number, 'booking.receive'));
    expect(steps[6]!.text).to.contain('办结期限 10月9日');
    const workbench = await staff.get(`/lab/bookings/${number}`);
    expect(stepsOf(workbench.text).map((s) => s.state)).to.deep.equal(steps.map((s) => s.state));
  });

  it('ends a refused booking where it stopped, and a cancelled one at 已取消', async () => {
    const refused = await bookCalibration(t, companyUser.user.id, { slot: '2026-09-30|am', serials: ['PROG-REJ-1'] });
    expect((await labAction(staff, refused, 'reject', { reason: '器具不在本站检定范围' })).status).to.equal(303);
    const steps = stepsOf((await company.get(`/bookings/${refused}`)).text);
    expect(steps.map((s) => `${s.label}:${s.state}`)).to.deep.equal(['提交申请:done', '不予受理:ended']);
    const cancelled = await bookCalibration(t, companyUser.user.id, { slot: '2026-09-30|am', serials: ['PROG-CAN-1'] });
    await labAction(staff, cancelled, 'accept');
    expect((await enterpriseAction(company, cancelled, 'cancel', { reason: '改期另约' })).status).to.equal(303);
    expect(stepsOf((await company.get(`/bookings/${cancelled}`)).text).map((s) => `${s.label}:${s.state}`)).to.deep.equal(['提交申请:done', '受理:done', '已取消:ended']);
  });

  describe('the public lookup /track', () => {
    const anon = () => agentFor(t.app);

    it('opens with the number filled in (the QR code) and counts nothing until the digits are given', async () => {
      const res = await anon().get(`/track?no=${number}`);
      expect(res.status).to.equal(200);
      expect(parse(res.text).querySelector('#t-no')!.getAttribute('value')).to.equal(number);
      expect(res.text).not.to.contain('办件进度</h2>');
    });

    it('shows the stage and its dates for the right pair — and nothing of the company, items or people', async () => {
      const res = await anon().get(`/track?no=${number.toLowerCase()}&tail=0101`);
      expect(res.status).to.equal(200);
      const steps = stepsOf(res.text);
      expect(steps.map((s) => s.state).slice(0, 4)).to.deep.equal(['done', 'done', 'done', 'next']);
      expect(res.text).to.contain(number).and.contain('已收样').and.contain('2026-10-09');
      for (const secret of ['进度查询测试船舶有限公司', 'PROG-SECRET-001', '张伟', '13900000101', '进度测试技术员', '一般压力表']) expect(res.text, secret).not.to.contain(secret);
    });

    it('answers a wrong pair exactly as an unknown number', async () => {
      const wrong = await anon().get(`/track?no=${number}&tail=9999`);
      const unknown = await anon().get(`/track?no=JL-20260928-0999&tail=0101`);
      expect([wrong.status, unknown.status]).to.deep.equal([404, 404]);
      const message = (html: string) => parse(html).querySelector('.alert')!.text;
      expect(message(wrong.text)).to.equal(message(unknown.text)).and.contain('未找到匹配的预约');
      expect(wrong.text.replace(number, 'X')).to.equal(unknown.text.replace('JL-20260928-0999', 'X'));
    });

    it('limits lookups per address (in the database), then answers 429', async () => {
      const visitor = anon();
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await visitor.get(`/track?no=${number}&tail=${String(1000 + i)}`)).status);
      expect(statuses.slice(-2)).to.deep.equal([429, 429]);
      const limited = await visitor.get(`/track?no=${number}&tail=0101`);
      expect(limited.status).to.equal(429);
      expect(limited.text).to.contain('查询过于频繁').and.not.contain('检测中');
    });
  });

  describe('a sample brought before its booked window', () => {
    it('starts the clock the day it arrives (自受理（收到样品）之日起): the due date moves earlier, the timeline says so', async () => {
      clock.set('2026-11-16T09:00:00+08:00'); // a Monday
      const early = await bookCalibration(t, companyUser.user.id, { slot: '2026-11-19|am', serials: ['PROG-EARLY-1'] });
      expect((await labAction(staff, early, 'accept')).status).to.equal(303);
      const due = async () => (await t.db.select({ d: bookings.dueDate }).from(bookings).where(eq(bookings.number, early)))[0]!.d;
      expect(await due(), 'from the booked Thursday: Fri, Mon, Tue').to.equal('2026-11-24');
      const [item] = rowsOf<{ id: number }>(await t.db.execute(sql`SELECT i.id FROM booking_items i JOIN bookings b ON b.id = i.booking_id WHERE b.number = ${early}`));
      expect((await labAction(staff, early, 'receive', { [`labels[i${item!.id}]`]: 'JL-EARLY-1' })).status).to.equal(303);
      expect(await due(), 'from Monday, the day it arrived: Tue, Wed, Thu').to.equal('2026-11-19');
      const [received] = await t.db.select().from(events).where(and(eq(events.entityId, String((await t.db.select({ id: bookings.id }).from(bookings).where(eq(bookings.number, early)))[0]!.id)), eq(events.action, 'booking.receive')));
      expect(received!.note).to.contain('早于预约时段收到，办结期限提前至 2026-11-19');
    });
  });

  describe('due dates resting on a year whose holidays are not published yet', () => {
    let admin: Agent;
    let late: string;

    before(async () => {
      clock.set('2026-12-28T09:00:00+08:00');
      const a = await createUser(t.db, 'platform_admin');
      admin = agentFor(t.app);
      await login(admin, a.mobile, TEST_PASSWORD);
      late = await bookCalibration(t, companyUser.user.id, { slot: '2026-12-30|am', serials: ['PROG-2027-1'] });
      expect((await labAction(staff, late, 'accept')).status).to.equal(303);
    });

    it('marks the due date 预计 on the booking page, the workbench, the queue and the receipt', async () => {
      // 12-30 + 3 working days: 12-31, 2027-01-04 (01-01 元旦, then the weekend), 01-05
      const [row] = await t.db.select().from(bookings).where(eq(bookings.number, late));
      expect(row!.dueDate).to.equal('2027-01-05');
      for (const [agent, url] of [[company, `/bookings/${late}`], [staff, `/lab/bookings/${late}`], [staff, '/lab?tab=accepted'], [company, `/bookings/${late}/receipt`], [company, '/bookings']] as const) {
        const html = (await agent.get(url)).text;
        expect(html, url).to.contain('estimated-badge');
      }
    });

    it('stops marking them once the platform admin enters the year’s official arrangement', async () => {
      const csrf = await csrfFrom(admin, '/admin/calendar?year=2027');
      const saved = await admin.post('/admin/calendar').type('form').send({ _csrf: csrf, intent: 'save', year: '2027', source: '国办发明电〔2026〕9号', text: '元旦：1月1日（周五）至3日（周日）放假，共3天。' });
      expect(saved.status).to.equal(303);
      expect(await t.db.$count(calendarDays)).to.equal(3);
      for (const url of [`/bookings/${late}`, '/bookings']) expect((await company.get(url)).text, url).not.to.contain('estimated-badge');
      expect((await t.db.select().from(events).where(eq(events.action, 'calendar.entered'))).length).to.equal(1);
    });
  });
});
