import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { and, count, eq } from 'drizzle-orm';
import { capacityWindows, closures, enterprises, events, nodes, nodeServices, notifications, services, users } from '../../src/db/schema.js';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, csrfFrom, login, type Agent, type TestApp } from '../support/app.js';
import { MONDAY_BEFORE_NATIONAL_DAY, nodeServiceOf } from '../support/bookings.js';
import { createCompanyUser, createUser, nodeId, TEST_PASSWORD, validCreditCode } from '../support/factories.js';
import { bookCalibration, labAction } from '../support/lab.js';

describe('administration: network, catalog, accounts, audit', () => {
  let t: TestApp;
  let admin: Agent;
  let adminId: number;

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    const a = await createUser(t.db, 'platform_admin', {}, { name: '平台管理员' });
    adminId = a.id;
    admin = agentFor(t.app);
    await login(admin, a.mobile, TEST_PASSWORD);
  });
  after(() => t?.close());

  async function post(agent: Agent, path: string, form: Record<string, string | string[]>, page = '/admin') {
    const token = await csrfFrom(agent, page);
    return agent.post(path).type('form').send({ _csrf: token, ...form });
  }
  const countOf = async (table: typeof nodes | typeof services | typeof users | typeof closures) => (await t.db.select({ n: count() }).from(table))[0]!.n;

  describe('nodes', () => {
    const node = {
      code: 'ST-LIUHENG',
      name: '六横临港产业园服务站',
      shortName: '六横站',
      kind: 'station',
      parkId: '',
      district: '普陀区',
      address: '舟山市普陀区六横镇临港大道 1 号',
      hours: '工作日 8:30–17:00',
      phone: '0580-2281808',
      contactName: '林晓',
      description: '',
    };
    const invalid: [string, Record<string, string>, string][] = [
      ['code', { code: 'x y' }, '网点编号只能包含大写字母'],
      ['code', { code: 'ZS-CENTRE' }, '网点编号已被使用'],
      ['name', { name: '站' }, '网点名称至少 4 个字'],
      ['kind', { kind: 'moon' }, '请选择有效的网点类型'],
      ['phone', { phone: 'call me' }, '联系电话格式不正确'],
      ['address', { address: '' }, '请填写地址'],
      ['parkId', { parkId: 'x' }, '请选择有效的所在园区'],
    ];
    for (const [field, change, message] of invalid) {
      it(`refuses a node with an invalid ${field} (422, nothing saved)`, async () => {
        const before = await countOf(nodes);
        const res = await post(admin, '/admin/nodes', { ...node, ...change }, '/admin/nodes/new');
        expect(res.status).to.equal(422);
        expect(res.text).to.contain(message);
        expect(await countOf(nodes)).to.equal(before);
      });
    }

    it('creates, edits and deactivates a node; the change is audited with before/after; history stays', async () => {
      const created = await post(admin, '/admin/nodes', node, '/admin/nodes/new');
      expect(created.status).to.equal(303);
      const [row] = await t.db.select().from(nodes).where(eq(nodes.code, 'ST-LIUHENG'));
      expect(row).to.include({ name: '六横临港产业园服务站', kind: 'station', active: true });
      const edited = await post(admin, `/admin/nodes/${row!.id}`, { ...node, hours: '工作日 8:00–16:30' }, `/admin/nodes/${row!.id}/edit`);
      expect(edited.status).to.equal(303);
      const [ev] = await t.db.select().from(events).where(and(eq(events.action, 'node.updated'), eq(events.entityId, String(row!.id))));
      expect((ev!.data as { before: { hours: string }; after: { hours: string } }).before.hours).to.equal('工作日 8:30–17:00');
      expect((ev!.data as { before: { hours: string }; after: { hours: string } }).after.hours).to.equal('工作日 8:00–16:30');

      // a booking at the metrology lab, then the lab is deactivated: no new bookings, the old one stays readable
      const company = await createCompanyUser(t.db);
      const number = await bookCalibration(t, company.user.id);
      const metrology = await nodeId(t.db, 'ZS-METROLOGY');
      expect((await post(admin, `/admin/nodes/${metrology}/active`, { active: '0' })).status).to.equal(303);
      expect((await agentFor(t.app).get('/nodes')).text).not.to.contain('舟山市计量检定测试院');
      let refused: unknown;
      await bookCalibration(t, company.user.id).catch((err: unknown) => (refused = err));
      expect((refused as { fieldErrors?: Record<string, string> })?.fieldErrors?.node).to.equal('请选择提供该服务的网点');
      const companyAgent = agentFor(t.app);
      await login(companyAgent, company.user.mobile, TEST_PASSWORD);
      expect((await companyAgent.get(`/bookings/${number}`)).status).to.equal(200);
      await post(admin, `/admin/nodes/${metrology}/active`, { active: '1' });
    });
  });

  describe('capacity and closures', () => {
    it('never lowers capacity below the units already booked, and applies a valid change to future windows', async () => {
      const ns = await nodeServiceOf(t.db, 'ST-DINGHAI', 'CAL-PG');
      const company = await createCompanyUser(t.db);
      await bookCalibration(t, company.user.id, { nodeCode: 'ST-DINGHAI', slot: '2026-09-29|am', serials: ['K-1', 'K-2', 'K-3'] });
      const path = `/admin/nodes/${ns.nodeId}/offerings/${ns.ns.id}/capacity`;
      const low = await post(admin, path, { capacityAm: '2', capacityPm: '20', slotTimes: '', slotCapacity: '0' }, `/admin/nodes/${ns.nodeId}`);
      expect(low.status).to.equal(422);
      expect(low.text).to.contain('名额不能低于已预约数').and.contain('9月29日 周二 上午 已约 3');
      const [unchanged] = await t.db.select().from(nodeServices).where(eq(nodeServices.id, ns.ns.id));
      expect(unchanged!.capacityAm).to.equal(20);
      const bad = await post(admin, path, { capacityAm: '-1', capacityPm: 'x', slotTimes: '', slotCapacity: '0' }, `/admin/nodes/${ns.nodeId}`);
      expect(bad.status).to.equal(422);

      const ok = await post(admin, path, { capacityAm: '3', capacityPm: '8', slotTimes: '', slotCapacity: '0' }, `/admin/nodes/${ns.nodeId}`);
      expect(ok.status).to.equal(303);
      const [after] = await t.db.select().from(nodeServices).where(eq(nodeServices.id, ns.ns.id));
      expect(after).to.include({ capacityAm: 3, capacityPm: 8 });
      const [window] = await t.db.select().from(capacityWindows).where(and(eq(capacityWindows.nodeServiceId, ns.ns.id), eq(capacityWindows.date, '2026-09-29')));
      expect(window).to.include({ capacity: 3, used: 3 });
    });

    it("lets a node manager change only the node's own capacity", async () => {
      const manager = await createUser(t.db, 'node_manager', { nodeCode: 'ST-PUTUO' });
      const agent = agentFor(t.app);
      await login(agent, manager.mobile, TEST_PASSWORD);
      const own = await nodeServiceOf(t.db, 'ST-PUTUO', 'CAL-PG');
      const other = await nodeServiceOf(t.db, 'ST-DINGHAI', 'CAL-PG');
      expect((await agent.get(`/admin/nodes/${own.nodeId}`)).status).to.equal(200);
      expect((await agent.get(`/admin/nodes/${other.nodeId}`)).status).to.equal(404);
      const ok = await post(agent, `/admin/nodes/${own.nodeId}/offerings/${own.ns.id}/capacity`, { capacityAm: '15', capacityPm: '15', slotTimes: '', slotCapacity: '0' }, `/admin/nodes/${own.nodeId}`);
      expect(ok.status).to.equal(303);
      const foreign = await post(agent, `/admin/nodes/${other.nodeId}/offerings/${other.ns.id}/capacity`, { capacityAm: '1', capacityPm: '1', slotTimes: '', slotCapacity: '0' }, `/admin/nodes/${own.nodeId}`);
      expect(foreign.status).to.equal(404);
      expect((await post(agent, '/admin/nodes', { code: 'ST-X' }, `/admin/nodes/${own.nodeId}`)).status).to.equal(403);
    });

    it('adds a closure (typhoon), tells companies with bookings in it, and validates the dates', async () => {
      const company = await createCompanyUser(t.db);
      const number = await bookCalibration(t, company.user.id, { nodeCode: 'ST-DINGHAI', slot: '2026-10-09|am', serials: ['T-1'] });
      const dinghai = await nodeId(t.db, 'ST-DINGHAI');
      const before = await countOf(closures);
      const backwards = await post(admin, `/admin/nodes/${dinghai}/closures`, { startDate: '2026-10-10', endDate: '2026-10-09', reason: '台风' }, `/admin/nodes/${dinghai}`);
      expect(backwards.status).to.equal(422);
      expect(backwards.text).to.contain('结束日期不能早于开始日期');
      const past = await post(admin, `/admin/nodes/${dinghai}/closures`, { startDate: '2026-09-01', endDate: '2026-09-02', reason: '台风' }, `/admin/nodes/${dinghai}`);
      expect(past.status).to.equal(422);
      expect(await countOf(closures)).to.equal(before);
      const ok = await post(admin, `/admin/nodes/${dinghai}/closures`, { startDate: '2026-10-09', endDate: '2026-10-09', reason: '台风“梅花”' }, `/admin/nodes/${dinghai}`);
      expect(ok.status).to.equal(303);
      const msgs = await t.db.select().from(notifications).where(eq(notifications.userId, company.user.id));
      expect(msgs.map((m) => m.title)).to.include(`${number} 所在时段网点暂停服务`);
    });
  });

  describe('services', () => {
    const service = {
      code: 'BZ-TEST',
      name: '测试用标准咨询服务',
      categoryCode: 'standards',
      bookingKind: 'consultation',
      summary: '用于测试的标准化咨询服务简介文字。',
      description: '',
      standards: 'GB/T 1.1-2020\nGB/T 20000.1',
      turnaroundDays: '5',
      feeBasis: '公益服务，免费',
      requiredDocuments: '企业简介',
      deliveryModes: ['on_site', 'online'],
      instrumentCategoryCode: '',
      keywords: '测试',
    };
    it('validates every field and creates a service', async () => {
      const before = await countOf(services);
      for (const [change, message] of [
        [{ turnaroundDays: '0' }, '办结时限不能小于 1'],
        [{ deliveryModes: [] }, '请至少选择一种服务方式'],
        [{ categoryCode: 'nope' }, '请选择有效的服务类别'],
        [{ bookingKind: 'calibration' }, '检定/校准服务须选择器具类别'],
        [{ bookingKind: 'oil_test' }, '油品检测服务涉及牌号和限值'],
        [{ code: 'CAL-PG' }, '服务编号已被使用'],
        [{ summary: '短' }, '简介至少 10 个字'],
      ] as [Record<string, string | string[]>, string][]) {
        const res = await post(admin, '/admin/services', { ...service, ...change }, '/admin/services/new');
        expect(res.status, message).to.equal(422);
        expect(res.text).to.contain(message);
      }
      expect(await countOf(services)).to.equal(before);
      const ok = await post(admin, '/admin/services', service, '/admin/services/new');
      expect(ok.status).to.equal(303);
      const [row] = await t.db.select().from(services).where(eq(services.code, 'BZ-TEST'));
      expect(row!.standards).to.deep.equal(['GB/T 1.1-2020', 'GB/T 20000.1']);
    });
  });

  describe('accounts', () => {
    it('creates a staff account with a one-time temporary password that must be changed', async () => {
      const dinghai = await nodeId(t.db, 'ST-DINGHAI');
      const bad = await post(admin, '/admin/users', { role: 'lab_staff', name: '新人', mobile: '123', email: '', nodeId: '', parkId: '' }, '/admin/users/new');
      expect(bad.status).to.equal(422);
      expect(bad.text).to.contain('11 位中国大陆手机号').and.contain('须选择所属网点');
      const res = await post(admin, '/admin/users', { role: 'lab_staff', name: '新检定员', mobile: '13766660001', email: '', nodeId: String(dinghai), parkId: '' }, '/admin/users/new');
      expect(res.status).to.equal(200);
      const password = /id="temporary-password">([^<]+)</.exec(res.text)![1]!;
      expect(password).to.match(/^[A-Za-z2-9]{12}$/);
      const [u] = await t.db.select().from(users).where(eq(users.mobile, '13766660001'));
      expect(u).to.include({ role: 'lab_staff', nodeId: dinghai, mustChangePassword: true });
      expect(u!.passwordHash).not.to.contain(password);
      const agent = agentFor(t.app);
      await login(agent, '13766660001', password);
      const first = await agent.get('/lab');
      expect(first.status).to.equal(302);
      expect(first.headers.location).to.equal('/account/password');
      const dup = await post(admin, '/admin/users', { role: 'park_admin', name: '重复', mobile: '13766660001', email: '', nodeId: '', parkId: '1' }, '/admin/users/new');
      expect(dup.status).to.equal(422);
      expect(dup.text).to.contain('该手机号已被其他账号使用');
    });

    it('deactivated users cannot log in, and their open sessions end at once', async () => {
      const staff = await createUser(t.db, 'lab_staff', { nodeCode: 'ST-DINGHAI' });
      const agent = agentFor(t.app);
      await login(agent, staff.mobile, TEST_PASSWORD);
      expect((await agent.get('/lab')).status).to.equal(200);
      expect((await post(admin, `/admin/users/${staff.id}/active`, { active: '0' }, '/admin/users')).status).to.equal(303);
      expect((await agent.get('/lab')).status).to.equal(302);
      const again = agentFor(t.app);
      const token = await csrfFrom(again, '/login');
      expect((await again.post('/login').type('form').send({ _csrf: token, identifier: staff.mobile, password: TEST_PASSWORD })).status).to.equal(401);
      expect((await post(admin, `/admin/users/${adminId}/active`, { active: '0' }, '/admin/users')).status).to.equal(303);
      const [self] = await t.db.select().from(users).where(eq(users.id, adminId));
      expect(self!.active).to.equal(true); // cannot deactivate oneself
    });

    it('resets a password: the old one stops working, the temporary one must be changed', async () => {
      const staff = await createUser(t.db, 'lab_staff', { nodeCode: 'ST-DINGHAI' });
      const res = await post(admin, `/admin/users/${staff.id}/reset-password`, {}, '/admin/users');
      expect(res.status).to.equal(200);
      const password = /id="temporary-password">([^<]+)</.exec(res.text)![1]!;
      const old = agentFor(t.app);
      const token = await csrfFrom(old, '/login');
      expect((await old.post('/login').type('form').send({ _csrf: token, identifier: staff.mobile, password: TEST_PASSWORD })).status).to.equal(401);
      await login(agentFor(t.app), staff.mobile, password);
    });

    it("a node manager manages only the node's technicians", async () => {
      const manager = await createUser(t.db, 'node_manager', { nodeCode: 'ST-SHENGSI' });
      const agent = agentFor(t.app);
      await login(agent, manager.mobile, TEST_PASSWORD);
      await createUser(t.db, 'lab_staff', { nodeCode: 'ST-SHENGSI' }, { name: '本站员工' });
      const other = await createUser(t.db, 'lab_staff', { nodeCode: 'ST-DINGHAI' }, { name: '他站员工' });
      const list = await agent.get('/admin/users');
      expect(list.text).to.contain('本站员工').and.not.contain('他站员工');
      expect((await post(agent, `/admin/users/${other.id}/reset-password`, {}, '/admin/users')).status).to.equal(404);
      const shengsi = await nodeId(t.db, 'ST-SHENGSI');
      const asAdmin = await post(agent, '/admin/users', { role: 'platform_admin', name: '越权', mobile: '13766660002', email: '', nodeId: '', parkId: '' }, '/admin/users/new');
      expect(asAdmin.status).to.be.oneOf([403, 422]);
      expect(await t.db.$count(users, eq(users.mobile, '13766660002'))).to.equal(0);
      const ok = await post(agent, '/admin/users', { role: 'lab_staff', name: '新站员', mobile: '13766660003', email: '', nodeId: String(shengsi), parkId: '' }, '/admin/users/new');
      expect(ok.status).to.equal(200);
    });
  });

  describe('enterprises and the audit log', () => {
    it('reviews a flagged credit code; the company is told; the audit log shows it', async () => {
      const code = validCreditCode();
      const [e] = await t.db.insert(enterprises).values({ name: '待复核公司', creditCode: code, address: '舟山市某路 1 号', creditCodeReview: 'pending' }).returning();
      const list = await admin.get('/admin/enterprises?review=pending');
      expect(list.text).to.contain('待复核公司').and.contain('待复核');
      const bad = await post(admin, `/admin/enterprises/${e!.id}/review`, { decision: 'maybe' }, '/admin/enterprises');
      expect(bad.status).to.equal(303);
      const [still] = await t.db.select().from(enterprises).where(eq(enterprises.id, e!.id));
      expect(still!.creditCodeReview).to.equal('pending');
      expect((await post(admin, `/admin/enterprises/${e!.id}/review`, { decision: 'approved', note: '已核对营业执照' }, '/admin/enterprises')).status).to.equal(303);
      const [done] = await t.db.select().from(enterprises).where(eq(enterprises.id, e!.id));
      expect(done!.creditCodeReview).to.equal('approved');
      const audit = await admin.get('/admin/audit?action=enterprise.credit_code_reviewed');
      expect(audit.status).to.equal(200);
      expect(audit.text).to.contain('信用代码复核').and.contain('已核对营业执照').and.contain('平台管理员');
    });

    it('filters the audit log by booking number', async () => {
      const company = await createCompanyUser(t.db);
      const number = await bookCalibration(t, company.user.id, { nodeCode: 'ST-DINGHAI', slot: '2026-09-30|pm', serials: ['AUD-1'] });
      const res = await admin.get(`/admin/audit?booking=${number}`);
      expect(res.text).to.contain('提交预约');
      expect((await admin.get('/admin/audit?booking=JL-20990101-0001')).text).to.contain('没有找到预约号');
    });

    it('reads in Chinese: state names, the booking number linked, changed fields labelled — never codes or ids', async () => {
      const company = await createCompanyUser(t.db);
      const number = await bookCalibration(t, company.user.id, { nodeCode: 'ST-DINGHAI', slot: '2026-09-30|pm', serials: ['AUD-2'] });
      const staff = await createUser(t.db, 'lab_staff', { nodeCode: 'ST-DINGHAI' });
      const lab = agentFor(t.app);
      await login(lab, staff.mobile, TEST_PASSWORD);
      expect((await labAction(lab, number, 'accept')).status).to.equal(303);
      const ns = await nodeServiceOf(t.db, 'ST-DINGHAI', 'CAL-PG');
      expect((await post(admin, `/admin/nodes/${ns.nodeId}/offerings/${ns.ns.id}/capacity`, { capacityAm: '7', capacityPm: '9', slotTimes: '', slotCapacity: '0' }, `/admin/nodes/${ns.nodeId}`)).status).to.be.oneOf([303, 302]);

      const res = await admin.get(`/admin/audit?booking=${number}`);
      expect(res.text).to.contain('待受理 → 已受理');
      expect(res.text).to.contain(`href="/bookings/${number}"`);
      const all = await admin.get('/admin/audit?action=node_service.capacity_changed');
      expect(all.text).to.contain('上午名额').and.contain('下午名额').and.contain('定海站 · 一般压力表(弹性元件式) 检定/校准');
      for (const page of [res.text, all.text]) {
        const main = parse(page).querySelector('main')!.structuredText;
        expect(main).not.to.match(/\b(submitted|accepted|in_progress|booking #|node_service #|capacityAm)\b/);
      }
    });

    it('deactivating a company stops its users from logging in', async () => {
      const company = await createCompanyUser(t.db);
      expect((await post(admin, `/admin/enterprises/${company.enterprise.id}/active`, { active: '0' }, '/admin/enterprises')).status).to.equal(303);
      const agent = agentFor(t.app);
      const token = await csrfFrom(agent, '/login');
      expect((await agent.post('/login').type('form').send({ _csrf: token, identifier: company.user.mobile, password: TEST_PASSWORD })).status).to.equal(401);
    });

    it('keeps management pages to the platform admin', async () => {
      const company = await createCompanyUser(t.db);
      const agent = agentFor(t.app);
      await login(agent, company.user.mobile, TEST_PASSWORD);
      for (const path of ['/admin', '/admin/nodes', '/admin/services', '/admin/users', '/admin/enterprises', '/admin/audit']) {
        expect((await agent.get(path)).status, path).to.equal(403);
      }
    });
  });
});
