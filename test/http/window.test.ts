import { expect } from 'chai';
import { and, eq, sql } from 'drizzle-orm';
import type { Principal } from '../../src/auth/access.js';
import { accountTokens, attachments, bookings, capacityWindows, enterprises, events, queueTickets, users, windowCases } from '../../src/db/schema.js';
import { ConflictError } from '../../src/shared/errors.js';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, csrfFrom, login, type Agent, type TestApp } from '../support/app.js';
import { calibrationFields, MONDAY_BEFORE_NATIONAL_DAY, nodeServiceOf, PDF, postMultipart, setCapacity, type FormPage } from '../support/bookings.js';
import { onPostgresServer } from '../support/db.js';
import { createCompanyUser, createUser, uniqueMobile, validCreditCode, type TestUser } from '../support/factories.js';

const PASSWORD = 'Harbour-2026x';

describe(`the walk-in window: book on a company's behalf, receipt and claim, queue (${onPostgresServer ? 'PostgreSQL server' : 'PGlite'})`, function () {
  this.timeout(120_000);
  let t: TestApp;
  let putuo: Awaited<ReturnType<typeof nodeServiceOf>>;
  let dinghai: Awaited<ReturnType<typeof nodeServiceOf>>;
  let staff: TestUser;
  let desk: Agent;

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    putuo = await nodeServiceOf(t.db, 'ST-PUTUO', 'CAL-PG');
    dinghai = await nodeServiceOf(t.db, 'ST-DINGHAI', 'CAL-PG');
    staff = await createUser(t.db, 'lab_staff', { nodeCode: 'ST-PUTUO' }, { name: '窗口陈敏' });
    await t.db.update(users).set({ windowDuty: true }).where(eq(users.id, staff.id));
    desk = agentFor(t.app);
    await login(desk, staff.mobile, staff.password);
  });
  after(() => t?.close());

  async function post(agent: Agent, url: string, body: Record<string, string>, page = '/window') {
    const csrf = await csrfFrom(agent, page);
    return agent.post(url).type('form').send({ _csrf: csrf, ...body });
  }

  async function registerAtWindow(name = `窗口登记测试${Math.floor(Math.random() * 1e6)}有限公司`) {
    const creditCode = validCreditCode();
    const res = await post(desk, '/window/companies', { companyName: name, creditCode, parkId: '', address: '舟山市普陀区东港街道测试路 6 号' }, '/window/companies/new');
    expect(res.status, res.text.slice(0, 200)).to.equal(303);
    const id = Number(/\/window\/companies\/(\d+)/.exec(res.headers.location!)![1]);
    return { id, creditCode, name };
  }

  async function openCase(enterpriseId: number) {
    const res = await post(desk, `/window/companies/${enterpriseId}/cases`, { visitorName: '周来办', visitorMobile: '13912345678', visitorIdLast4: '123x' }, `/window/companies/${enterpriseId}`);
    expect(res.status).to.equal(303);
    return Number(/\/window\/cases\/(\d+)/.exec(res.headers.location!)![1]);
  }

  async function windowForm(caseId: number, nodeId: number): Promise<FormPage> {
    const res = await desk.get(`/window/cases/${caseId}/book?service=CAL-PG&node=${nodeId}`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1] ?? '';
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(res.text)?.[1] ?? '';
    const slots = [...res.text.matchAll(/name="slot" id="[^"]+" value="([^"]+)"/g)].map((m) => m[1]!);
    return { status: res.status, text: res.text, csrf, key, slots };
  }

  it('registers an unowned company, books for it through the same form (files, idempotency), prints a receipt with a claim code; the claimant becomes admin and sees the booking', async () => {
    const company = await registerAtWindow();
    expect(await t.db.$count(users, eq(users.enterpriseId, company.id))).to.equal(0);
    const caseId = await openCase(company.id);
    const [c] = await t.db.select().from(windowCases).where(eq(windowCases.id, caseId));
    expect(c).to.include({ staffUserId: staff.id, enterpriseId: company.id, visitorName: '周来办', visitorIdLast4: '123X', nodeId: putuo.nodeId });

    const page = await windowForm(caseId, putuo.nodeId);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain(`action="/window/cases/${caseId}/bookings"`).and.contain(`代${company.name}预约`);
    const fields = calibrationFields(page, putuo.nodeId, { contactName: '周来办', contactMobile: '13912345678' });
    const res = await postMultipart(desk, `/window/cases/${caseId}/bookings`, fields, [{ field: 'file_instrument_list', buffer: PDF, name: '纸质器具清单扫描件.pdf' }]);
    expect(res.status, res.text.slice(0, 300)).to.equal(303);
    const again = await postMultipart(desk, `/window/cases/${caseId}/bookings`, fields);
    expect(again.status).to.equal(303);
    const made = await t.db.select().from(bookings).where(eq(bookings.enterpriseId, company.id));
    expect(made, 'the same form twice makes one booking').to.have.length(1);
    const booking = made[0]!;
    expect(booking).to.include({ channel: 'window', createdBy: staff.id, windowCaseId: caseId, nodeId: putuo.nodeId, units: 2 });
    expect(await t.db.$count(attachments, eq(attachments.bookingId, booking.id))).to.equal(1);
    const [audit] = await t.db.select().from(events).where(and(eq(events.action, 'window.booking_entered'), eq(events.entityId, String(company.id))));
    expect(audit!.actorUserId).to.equal(staff.id);
    expect(audit!.data).to.include({ staffName: '窗口陈敏', enterpriseName: company.name, number: booking.number });

    const receipt = await post(desk, `/window/cases/${caseId}/receipt`, {}, `/window/cases/${caseId}`);
    expect(receipt.status).to.equal(200);
    expect(receipt.text).to.contain(booking.number).and.contain('周来办').and.contain('窗口陈敏');
    const code = /id="claim-code">([^<]+)</.exec(receipt.text)![1]!;
    expect(code.replace(/-/g, '')).to.have.length(26);
    const tokens = await t.db.select().from(accountTokens).where(eq(accountTokens.enterpriseId, company.id));
    expect(tokens).to.have.length(1);
    expect(tokens[0]!.tokenHash).to.not.contain(code.replace(/-/g, ''));

    const register = async (claimCode: string, mobile = uniqueMobile()) => {
      const agent = agentFor(t.app);
      const csrf = await csrfFrom(agent, '/register');
      const r = await agent.post('/register').type('form').send({ _csrf: csrf, companyName: company.name, creditCode: company.creditCode, parkId: '', address: '舟山市普陀区东港街道测试路 6 号', contactName: '周认领', mobile, email: '', password: PASSWORD, passwordConfirm: PASSWORD, agree: 'on', claimCode });
      return { agent, res: r, mobile };
    };
    const none = await register('');
    expect(none.res.status).to.equal(422);
    expect(none.res.text).to.contain('请填写受理回执上的认领码');
    const wrong = await register('ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-23');
    expect(wrong.res.status).to.equal(422);
    expect(wrong.res.text).to.contain('认领码不正确或已过期');
    expect(await t.db.$count(users, eq(users.enterpriseId, company.id))).to.equal(0);

    const claimed = await register(code.toLowerCase().replace(/-/g, ' '));
    expect(claimed.res.status).to.equal(302);
    const [admin] = await t.db.select().from(users).where(eq(users.mobile, claimed.mobile));
    expect(admin).to.include({ enterpriseId: company.id, companyAdmin: true });
    const list = await claimed.agent.get('/bookings');
    expect(list.text).to.contain(booking.number);
    expect((await claimed.agent.get(`/bookings/${booking.number}`)).status).to.equal(200);
    const reused = await register(code);
    expect(reused.res.status, 'a claim code works once').to.equal(422);
    expect(await t.db.$count(users, eq(users.enterpriseId, company.id))).to.equal(1);
  });

  it('scope: no booking at a node the window does not serve, no access without the duty, no case of another node, no history once the case is closed', async () => {
    const { enterprise } = await createCompanyUser(t.db);
    const caseId = await openCase(enterprise.id);
    const page = await windowForm(caseId, putuo.nodeId);
    expect(page.text).to.not.contain(`value="${dinghai.nodeId}"`);
    const before = await t.db.$count(bookings);
    const elsewhere = await postMultipart(desk, `/window/cases/${caseId}/bookings`, calibrationFields(page, dinghai.nodeId));
    expect(elsewhere.status).to.equal(422);
    expect(elsewhere.text).to.contain('本窗口只能受理本网点提供的服务');
    expect(await t.db.$count(bookings)).to.equal(before);

    const noDuty = await createUser(t.db, 'lab_staff', { nodeCode: 'ST-PUTUO' });
    const plain = agentFor(t.app);
    await login(plain, noDuty.mobile, noDuty.password);
    expect((await plain.get('/window')).status).to.equal(403);
    expect((await plain.get(`/window/cases/${caseId}`)).status).to.equal(403);

    const other = await createUser(t.db, 'lab_staff', { nodeCode: 'ST-DINGHAI' });
    await t.db.update(users).set({ windowDuty: true }).where(eq(users.id, other.id));
    const otherDesk = agentFor(t.app);
    await login(otherDesk, other.mobile, other.password);
    expect((await otherDesk.get(`/window/cases/${caseId}`)).status).to.equal(404);

    // the company's history is shown while the case is open, and not after
    const { number } = await t.services.bookings.submit((await t.services.auth.loadPrincipal((await t.db.select().from(users).where(eq(users.enterpriseId, enterprise.id)))[0]!.id))!,
      { service: 'CAL-PG', node: String(dinghai.nodeId), idempotencyKey: `hist-${Date.now()}-abcdefgh`, slot: '2026-09-29|pm', deliveryMode: 'send_in', items: [{ name: '压力表', serialNo: 'H-1', quantity: '1' }], contactName: '历史', contactMobile: '13900000002' }, []);
    expect((await desk.get(`/window/cases/${caseId}`)).text).to.contain(number);
    expect((await post(desk, `/window/cases/${caseId}/close`, {}, `/window/cases/${caseId}`)).status).to.equal(303);
    expect((await desk.get(`/window/cases/${caseId}`)).text).to.not.contain(number);
    expect((await desk.get(`/window/companies/${enterprise.id}`)).text).to.not.contain(number);
    const closed = await postMultipart(desk, `/window/cases/${caseId}/bookings`, calibrationFields(page, putuo.nodeId));
    expect(closed.status).to.equal(409);
    expect(await t.db.$count(bookings)).to.equal(before + 1);
  });

  it('finds a company by credit code, name and pinyin initials', async () => {
    const company = await registerAtWindow('舟山海星船舶修造有限公司');
    for (const q of [company.creditCode.slice(0, 12), '海星船舶', 'zshxcb']) {
      const res = await desk.get(`/window?q=${encodeURIComponent(q)}`);
      expect(res.text, q).to.contain('舟山海星船舶修造有限公司');
    }
  });

  it('queue tickets: numbered per node and day, called, served or no-show, on the public screen; wrong moves are refused', async () => {
    const issue = async (categoryCode: string) => post(desk, '/window/queue/tickets', { categoryCode }, '/window/queue');
    expect((await issue('metrology')).status).to.equal(303);
    expect((await issue('testing')).status).to.equal(303);
    expect((await issue('nonsense')).status).to.equal(422);
    const tickets = await t.db.select().from(queueTickets).where(eq(queueTickets.nodeId, putuo.nodeId)).orderBy(queueTickets.number);
    expect(tickets.map((x) => [x.number, x.categoryCode, x.status])).to.deep.equal([[1, 'metrology', 'waiting'], [2, 'testing', 'waiting']]);
    const [first, second] = tickets as [typeof tickets[0], typeof tickets[0]];

    const screen0 = await agentFor(t.app).get(`/nodes/${putuo.nodeId}/queue`);
    expect(screen0.status).to.equal(200);
    expect(screen0.text).to.contain('暂无叫号').and.contain('/static/js/queue-screen.js').and.not.match(/<script>(?!<\/script>)/);

    expect((await post(desk, `/window/queue/tickets/${first.id}/serve`, {}, '/window/queue')).status).to.equal(303);
    expect((await t.db.select().from(queueTickets).where(eq(queueTickets.id, first.id)))[0]!.status, 'cannot serve before calling').to.equal('waiting');
    await post(desk, `/window/queue/tickets/${first.id}/call`, {}, '/window/queue');
    const screen1 = await agentFor(t.app).get(`/nodes/${putuo.nodeId}/queue`);
    expect(/id="queue-calling"[\s\S]*?J001/.test(screen1.text)).to.equal(true);
    expect(screen1.text).to.contain('Y002');
    await post(desk, `/window/queue/tickets/${first.id}/serve`, {}, '/window/queue');
    await post(desk, `/window/queue/tickets/${second.id}/call`, {}, '/window/queue');
    await post(desk, `/window/queue/tickets/${second.id}/no_show`, {}, '/window/queue');
    const after = await t.db.select().from(queueTickets).where(eq(queueTickets.nodeId, putuo.nodeId)).orderBy(queueTickets.number);
    expect(after.map((x) => x.status)).to.deep.equal(['served', 'no_show']);
    expect(after[0]!.calledBy).to.equal(staff.id);

    const other = await createUser(t.db, 'lab_staff', { nodeCode: 'ST-DINGHAI' });
    await t.db.update(users).set({ windowDuty: true }).where(eq(users.id, other.id));
    const otherDesk = agentFor(t.app);
    await login(otherDesk, other.mobile, other.password);
    expect((await post(otherDesk, `/window/queue/tickets/${first.id}/call`, {}, '/window/queue')).status, 'another node\'s ticket').to.equal(404);

    const stats = await desk.get('/window/stats');
    expect(stats.status).to.equal(200);
    const today = /<tr><td>2026-09-28<\/td>(.*?)<\/tr>/.exec(stats.text)![1]!;
    expect(today.match(/<td>([^<]*)<\/td>/g)!.slice(2, 5)).to.deep.equal(['<td>2</td>', '<td>1</td>', '<td>1</td>']);
  });

  it('the node manager grants and withdraws the window duty of the node\'s staff only', async () => {
    const manager = await createUser(t.db, 'node_manager', { nodeCode: 'ST-PUTUO' });
    const tech = await createUser(t.db, 'lab_staff', { nodeCode: 'ST-PUTUO' });
    const outsider = await createUser(t.db, 'lab_staff', { nodeCode: 'ST-DINGHAI' });
    const agent = agentFor(t.app);
    await login(agent, manager.mobile, manager.password);
    expect((await post(agent, `/window/staff/${tech.id}/duty`, { active: '1' }, '/window/staff')).status).to.equal(303);
    expect((await t.db.select().from(users).where(eq(users.id, tech.id)))[0]!.windowDuty).to.equal(true);
    expect((await post(agent, `/window/staff/${outsider.id}/duty`, { active: '1' }, '/window/staff')).status).to.equal(404);
    expect((await t.db.select().from(users).where(eq(users.id, outsider.id)))[0]!.windowDuty).to.equal(false);
    const techAgent = agentFor(t.app);
    await login(techAgent, tech.mobile, tech.password);
    expect((await techAgent.get('/window')).status).to.equal(200);
    expect((await techAgent.get('/window/staff')).status).to.equal(403);
  });

  it('capacity is shared exactly between the window and online bookings racing for the last units: never oversold', async () => {
    const slot = '2026-10-09|am';
    await setCapacity(t.db, putuo.ns.id, 3);
    const companies = await Promise.all(Array.from({ length: 6 }, () => createCompanyUser(t.db)));
    const principals = await Promise.all(companies.map(async (c) => (await t.services.auth.loadPrincipal(c.user.id))!));
    const walkIn = await createCompanyUser(t.db);
    const caseId = await openCase(walkIn.enterprise.id);
    const staffPrincipal = (await t.services.auth.loadPrincipal(staff.id))! as Principal;
    const ref = await t.services.window.caseRef(staffPrincipal, caseId);
    const form = (i: number) => ({ service: 'CAL-PG', node: String(putuo.nodeId), idempotencyKey: `race-w-${process.pid}-${i}-${Date.now()}`, slot, deliveryMode: 'send_in', items: [{ name: '压力表', serialNo: `R-${i}`, quantity: '1' }], contactName: '并发', contactMobile: '13900000999' });
    // two units already taken online; the window and six companies race for the last one
    await t.services.bookings.submit(principals[0]!, { ...form(100), items: [{ name: '压力表', serialNo: 'R-100', quantity: '2' }] }, []);
    const results = await Promise.allSettled([
      t.services.bookings.onBehalf.submit(staffPrincipal, ref, form(0), []),
      ...principals.map((p, i) => t.services.bookings.submit(p, form(i + 1), [])),
    ]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok, 'exactly one takes the last unit').to.have.length(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).to.be.instanceOf(ConflictError);
    const [w] = await t.db.select().from(capacityWindows).where(and(eq(capacityWindows.nodeServiceId, putuo.ns.id), eq(capacityWindows.date, '2026-10-09'), eq(capacityWindows.window, 'am')));
    expect(w!.used).to.equal(3);
    const held = await t.db.select({ n: sql<number>`coalesce(sum(${bookings.units}), 0)::int` }).from(bookings).where(eq(bookings.windowId, w!.id));
    expect(Number(held[0]!.n)).to.equal(3);
    expect(await t.db.$count(enterprises)).to.be.greaterThan(0);
  });
});
