import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { parse } from 'node-html-parser';
import { ownWindowsOn } from '../../src/capacity/windows.js';
import { bookings, capacityWindows, events, nodeServiceWindows } from '../../src/db/schema.js';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, csrfFrom, login, type Agent, type TestApp } from '../support/app.js';
import { MONDAY_BEFORE_NATIONAL_DAY, nodeServiceOf, oilFields, openBookingForm, postMultipart } from '../support/bookings.js';
import { createCompanyUser, createUser, TEST_PASSWORD } from '../support/factories.js';

/**
 * A node's own booking windows: the oil lab takes samples day and night, every day, holidays included. The week of
 * the tests: Monday 2026-09-28 09:00; National Day 10-01…10-07 (10-03/04 a weekend inside it); Saturday 10-10 a
 * make-up workday.
 */
describe('service windows: nights, weekends and holidays where the node says so', () => {
  let t: TestApp;
  let manager: Agent;
  let company: Agent;
  let oil: Awaited<ReturnType<typeof nodeServiceOf>>;
  let url: string;

  const form = (rows: Record<string, string | string[]>[], intent = 'save') =>
    Object.assign({ intent }, ...rows.map((r, i) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k === 'days' ? `rows[${i}][days][]` : `rows[${i}][${k}]`, v]))));
  const EVERY_DAY = ['1', '2', '3', '4', '5', '6', '7'];
  const DAY_AND_NIGHT = [
    { label: '白天收样', start: '08:00', end: '20:00', capacity: '3', days: EVERY_DAY, holidays: '1' },
    { label: '夜间收样', start: '20:00', end: '08:00', capacity: '2', days: EVERY_DAY, holidays: '1' },
  ];
  const save = async (body: Record<string, unknown>) => manager.post(url).type('form').send({ _csrf: await csrfFrom(manager, url), ...body });

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    oil = await nodeServiceOf(t.db, 'ZS-OILLAB', 'YP-ISO8217');
    url = `/admin/nodes/${oil.nodeId}/offerings/${oil.ns.id}/windows`;
    const mgr = await createUser(t.db, 'node_manager', { nodeCode: 'ZS-OILLAB' });
    const c = await createCompanyUser(t.db, { parkCode: 'P-FTZ' });
    [manager, company] = [agentFor(t.app), agentFor(t.app)];
    await login(manager, mgr.mobile, TEST_PASSWORD);
    await login(company, c.user.mobile, TEST_PASSWORD);
  });
  after(() => t?.close());

  it('is the node manager’s page, linked from the node page; other nodes’ managers and technicians are refused', async () => {
    const node = await manager.get(`/admin/nodes/${oil.nodeId}`);
    expect(node.text).to.contain(url);
    const page = await manager.get(url);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('当前：<strong>工作日上午 / 下午</strong>');
    const other = await createUser(t.db, 'node_manager', { nodeCode: 'ZS-METROLOGY' });
    const tech = await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-OILLAB' });
    for (const [user, status] of [[other, 404], [tech, 403]] as const) {
      const agent = agentFor(t.app);
      await login(agent, user.mobile, TEST_PASSWORD);
      expect((await agent.get(url)).status).to.equal(status);
    }
  });

  it('refuses windows it cannot keep — each message at its field — and saves nothing', async () => {
    const res = await save(form([{ label: '', start: '25:00', end: '08:00', capacity: '-1', days: [] }, { label: '白天', start: '08:00', end: '08:00', capacity: '5', days: ['1'] }]));
    expect(res.status).to.equal(422);
    const html = parse(res.text);
    expect(html.querySelector('#w-0-label-error')!.text).to.equal('请填写时段名称，如“白天收样”');
    expect(html.querySelector('#w-0-start-error')!.text).to.equal('开始时间应为 时:分，如 08:00');
    expect(html.querySelector('#w-0-capacity-error')!.text).to.contain('名额应为 0 至 1000 的整数');
    expect(html.querySelector('#w-0-days-error')!.text).to.equal('请勾选该时段开放的星期');
    expect(html.querySelector('#w-1-end-error')!.text).to.equal('结束时间不能与开始时间相同');
    expect(html.querySelector('#w-1-label')!.getAttribute('value')).to.equal('白天'); // input kept
    const overlap = await save(form([{ label: '白天', start: '08:00', end: '20:00', capacity: '5', days: ['6'] }, { label: '夜间', start: '19:00', end: '07:00', capacity: '2', days: ['6'] }]));
    expect(overlap.status).to.equal(422);
    expect(overlap.text).to.contain('周六的“白天”与“夜间”时间重叠，请调整');
    expect(await t.db.$count(nodeServiceWindows)).to.equal(0);
  });

  it('saves day and night windows for every day, audited', async () => {
    const res = await save(form(DAY_AND_NIGHT));
    expect(res.status).to.equal(303);
    const rows = await t.db.select().from(nodeServiceWindows).where(eq(nodeServiceWindows.nodeServiceId, oil.ns.id));
    expect(rows).to.have.length(14);
    expect(rows.find((r) => r.weekday === 7 && r.code === '20:00-08:00')).to.include({ label: '夜间收样', capacity: 2, onHolidays: true });
    const [event] = await t.db.select().from(events).where(eq(events.action, 'node_service.windows_changed'));
    expect(event!.note).to.contain('设置 2 个收样时段');
    const page = await manager.get(url);
    expect(page.text).to.contain('当前：<strong>本网点自定时段</strong>');
    expect(parse(page.text).querySelector('#w-1-label')!.getAttribute('value')).to.equal('夜间收样');
  });

  it('offers those windows on the booking form, National Day and the weekend included', async () => {
    const page = await openBookingForm(company, 'YP-ISO8217', oil.nodeId);
    expect(page.slots).to.include.members(['2026-10-01|08:00-20:00', '2026-10-03|20:00-08:00', '2026-10-04|08:00-20:00']);
    expect(page.slots.some((s) => s.endsWith('|am') || s.endsWith('|pm'))).to.equal(false);
    expect(page.slots).not.to.include('2026-09-28|08:00-20:00'); // started at 08:00 today
    expect(page.text).to.contain('国庆节 · 照常收样').and.contain('20:00–次日 08:00');
  });

  it('books a night window on a holiday weekend, takes its capacity, and refuses it when full', async () => {
    const slot = '2026-10-03|20:00-08:00';
    const first = await openBookingForm(company, 'YP-ISO8217', oil.nodeId);
    const res = await postMultipart(company, '/bookings', oilFields(first, oil.nodeId, { slot, quantity: '2' }));
    expect(res.status).to.equal(303);
    const number = res.headers.location!.split('/').pop()!;
    const [booking] = await t.db.select().from(bookings).where(eq(bookings.number, number));
    expect(booking).to.include({ date: '2026-10-03', window: '20:00-08:00', units: 2 });
    const [window] = await t.db.select().from(capacityWindows).where(and(eq(capacityWindows.nodeServiceId, oil.ns.id), eq(capacityWindows.date, '2026-10-03'), eq(capacityWindows.window, '20:00-08:00')));
    expect(window).to.include({ capacity: 2, used: 2 });
    expect((await company.get(`/bookings/${number}`)).text).to.contain('10月3日 周六 20:00–次日 08:00');
    const again = await openBookingForm(company, 'YP-ISO8217', oil.nodeId);
    expect(again.slots).not.to.include(slot);
    const full = await postMultipart(company, '/bookings', oilFields(again, oil.nodeId, { slot, quantity: '1' }));
    expect(full.status).to.equal(409);
  });

  it('moves a booking from one night window to another (reschedule takes the new window’s capacity)', async () => {
    const page = await openBookingForm(company, 'YP-ISO8217', oil.nodeId);
    const res = await postMultipart(company, '/bookings', oilFields(page, oil.nodeId, { slot: '2026-10-05|08:00-20:00', quantity: '1' }));
    expect(res.status).to.equal(303);
    const number = res.headers.location!.split('/').pop()!;
    const form = await company.get(`/bookings/${number}/reschedule`);
    expect(form.text).to.contain('value="2026-10-06|20:00-08:00"');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
    const moved = await company.post(`/bookings/${number}/reschedule`).type('form').send({ _csrf: csrf, slot: '2026-10-06|20:00-08:00' });
    expect(moved.status).to.equal(303);
    const [booking] = await t.db.select().from(bookings).where(eq(bookings.number, number));
    expect(booking).to.include({ date: '2026-10-06', window: '20:00-08:00' });
    const windows = await t.db.select().from(capacityWindows).where(eq(capacityWindows.nodeServiceId, oil.ns.id));
    expect(windows.find((w) => w.date === '2026-10-06' && w.window === '20:00-08:00')).to.include({ capacity: 2, used: 1 });
    expect(windows.find((w) => w.date === '2026-10-05' && w.window === '08:00-20:00')).to.include({ used: 0 });
  });

  it('will not lower a window below what is booked, and moves booked windows to a raised capacity', async () => {
    const lower = await save(form([{ ...DAY_AND_NIGHT[0]! }, { ...DAY_AND_NIGHT[1]!, capacity: '1' }]));
    expect(lower.status).to.equal(422);
    expect(lower.text).to.contain('名额不能低于已预约数：10月3日 周六 20:00–次日 08:00 已约 2');
    expect(await save(form([{ ...DAY_AND_NIGHT[0]! }, { ...DAY_AND_NIGHT[1]!, capacity: '4' }]))).to.have.property('status', 303);
    const [window] = await t.db.select().from(capacityWindows).where(and(eq(capacityWindows.date, '2026-10-03'), eq(capacityWindows.window, '20:00-08:00')));
    expect(window).to.include({ capacity: 4, used: 2 });
  });

  it('goes back to the half-day windows on working days when reset', async () => {
    expect((await save({ intent: 'reset' })).status).to.equal(303);
    expect(await t.db.$count(nodeServiceWindows)).to.equal(0);
    const page = await openBookingForm(company, 'YP-ISO8217', oil.nodeId);
    expect(page.slots).to.include('2026-09-29|am');
    expect(page.slots.some((s) => s.startsWith('2026-10-03') || s.startsWith('2026-10-01'))).to.equal(false);
  });

  it('opens a holiday only for windows marked so, and a make-up Saturday with Monday’s windows', () => {
    const rows = [
      { nodeServiceId: 1, weekday: 1, code: '08:30-17:00', label: '工作日', capacity: 5, onHolidays: false },
      { nodeServiceId: 1, weekday: 6, code: '09:00-12:00', label: '周六上午', capacity: 2, onHolidays: false },
      { nodeServiceId: 1, weekday: 4, code: '20:00-08:00', label: '夜间', capacity: 1, onHolidays: true },
    ];
    expect(ownWindowsOn(rows, '2026-10-10', { working: true, holiday: false }).map((w) => w.key)).to.deep.equal(['08:30-17:00']); // 调休 Saturday
    expect(ownWindowsOn(rows, '2026-10-17', { working: false, holiday: false }).map((w) => w.key)).to.deep.equal(['09:00-12:00']);
    expect(ownWindowsOn(rows, '2026-10-05', { working: false, holiday: true })).to.deep.equal([]); // a Monday in the holiday
    expect(ownWindowsOn(rows, '2026-10-01', { working: false, holiday: true }).map((w) => w.label)).to.deep.equal(['夜间 20:00–次日 08:00']);
  });
});
