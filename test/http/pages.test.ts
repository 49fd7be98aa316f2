import { expect } from 'chai';
import { agentFor, createTestApp, type TestApp } from '../support/app.js';

describe('public pages, headers and health', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t?.close());

  it('home shows the 1+N network and the service categories with links into them', async () => {
    const res = await agentFor(t.app).get('/');
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('<html lang="zh-CN">');
    for (const node of ['舟山市质量基础设施一站式服务中心', '舟山国际油品检测实验室', '舟山市计量检定测试院', '定海工业园区服务站', '普陀经济开发区服务站', '岱山·绿色石化基地服务站', '嵊泗服务站', '新城·舟山经济开发区服务站']) {
      expect(res.text).to.contain(node);
    }
    for (const category of ['metrology', 'standards', 'certification', 'testing']) {
      expect(res.text).to.contain(`href="/services?category=${category}"`);
    }
  });

  it('sends strict security headers: CSP without inline script or style, no framing, nosniff', async () => {
    const res = await agentFor(t.app).get('/');
    const csp = res.headers['content-security-policy'];
    expect(csp).to.contain("script-src 'self'").and.contain("style-src 'self'").and.contain("frame-ancestors 'none'");
    expect(csp).not.to.contain('unsafe-inline');
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.headers['x-powered-by']).to.equal(undefined);
    expect(res.text).not.to.match(/<script>(?!<\/script>)|<script(?![^>]*\bsrc=)[^>]*>|\sstyle="|\son[a-z]+="/);
  });

  it('does not create a session for anonymous visitors of pages without forms', async () => {
    const res = await agentFor(t.app).get('/services');
    expect(res.headers['set-cookie']).to.equal(undefined);
  });

  it('serves Bootstrap and ECharts from its own origin', async () => {
    const agent = agentFor(t.app);
    expect((await agent.get('/vendor/bootstrap/css/bootstrap.min.css')).status).to.equal(200);
    expect((await agent.get('/vendor/bootstrap/js/bootstrap.bundle.min.js')).status).to.equal(200);
    expect((await agent.get('/vendor/echarts/echarts.min.js')).status).to.equal(200);
  });

  it('answers unknown pages with a Chinese 404 page', async () => {
    const res = await agentFor(t.app).get('/no-such-page');
    expect(res.status).to.equal(404);
    expect(res.text).to.contain('页面不存在');
  });

  it('lists the catalog by category and finds services by name, regulation or code', async () => {
    const agent = agentFor(t.app);
    const metrology = await agent.get('/services?category=metrology');
    expect(metrology.text).to.contain('一般压力表(弹性元件式) 检定/校准');
    expect(metrology.text).not.to.contain('船用燃料油检测');
    const byRegulation = await agent.get('/services?q=' + encodeURIComponent('JJG 52'));
    expect(byRegulation.text).to.contain('CAL-PG');
    const byWord = await agent.get('/services?q=' + encodeURIComponent('硫含量'));
    expect(byWord.text).to.contain('YP-MARPOL');
    const nothing = await agent.get('/services?q=' + encodeURIComponent('%_'));
    expect(nothing.status).to.equal(200);
    expect(nothing.text).to.contain('没有找到');
  });

  it('shows a service with its regulations, turnaround and offering nodes', async () => {
    const res = await agentFor(t.app).get('/services/CAL-PG');
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('JJG 52—2013').and.contain('个工作日').and.contain('舟山市计量检定测试院');
    expect((await agentFor(t.app).get('/services/NOPE')).status).to.equal(404);
  });

  it('health check answers 200 with the database up and 503 once it is gone', async () => {
    const own = await createTestApp();
    const up = await agentFor(own.app).get('/healthz');
    expect(up.status).to.equal(200);
    expect(up.body.status).to.equal('ok');
    await own.database.close();
    const down = await agentFor(own.app).get('/healthz');
    expect(down.status).to.equal(503);
    await own.close().catch(() => undefined);
  });
});

describe('catalog pages with live capacity', () => {
  let t: TestApp;
  before(async () => {
    const { fixedClock } = await import('../../src/shared/time.js');
    t = await createTestApp({ clock: fixedClock('2026-09-28T09:00:00+08:00') });
  });
  after(() => t?.close());

  it('a service lists every offering node with its next free windows, each a link into the booking form', async () => {
    const res = await agentFor(t.app).get('/services/CAL-PG');
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('最近可约');
    expect(res.text).to.match(/href="\/bookings\/new\?service=CAL-PG&node=\d+&date=2026-09-28&window=pm"/);
    expect(res.text).to.contain('9月29日 周二 上午');
  });

  it('a node shows two weeks of free capacity per service, holidays marked', async () => {
    const nodes = await agentFor(t.app).get('/nodes');
    const id = /href="\/nodes\/(\d+)" class="fw-semibold">定海工业园区服务站/.exec(nodes.text)![1];
    const res = await agentFor(t.app).get(`/nodes/${id}`);
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('未来两周剩余名额').and.contain('一般压力表(弹性元件式) 检定/校准');
    expect(res.text).to.contain('10月1日'); // National Day shown as a rest day
    expect(res.text).to.match(/aria-label="9月29日 周二 一般压力表\(弹性元件式\) 检定\/校准 剩余 40，预约"/);
  });
});

describe('public catalog micro-cache', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t?.close());

  it('serves cookie-less visitors the same page for a few seconds, never a signed-in visitor, and drops it on catalog changes', async () => {
    const { eq } = await import('drizzle-orm');
    const { closures, services } = await import('../../src/db/schema.js');
    const { addDays, shanghaiDate } = await import('../../src/shared/time.js');
    const { csrfFrom, login } = await import('../support/app.js');
    const { createCompanyUser, createUser, nodeId, TEST_PASSWORD } = await import('../support/factories.js');
    const dinghai = await nodeId(t.db, 'ST-DINGHAI');
    const first = await agentFor(t.app).get(`/nodes/${dinghai}`);
    expect(first.text).not.to.contain('台风停业（缓存测试）');
    // the station closes for the next two weeks behind the cache's back: cookie-less visitors get the page from
    // memory for now…
    const today = shanghaiDate(new Date());
    await t.db.insert(closures).values({ nodeId: dinghai, startDate: today, endDate: addDays(today, 14), reason: '台风停业（缓存测试）' });
    const cached = await agentFor(t.app).get(`/nodes/${dinghai}`);
    expect(cached.text).to.equal(first.text);
    // …a signed-in visitor gets the page rendered for them: live closures, their name in the header, not stored
    const { user } = await createCompanyUser(t.db);
    const company = agentFor(t.app);
    await login(company, user.mobile, TEST_PASSWORD);
    const own = await company.get(`/nodes/${dinghai}`);
    expect(own.text).to.contain('台风停业（缓存测试）').and.contain(user.name);
    expect(own.headers['cache-control']).to.match(/no-store/);
    // a catalog change through the admin pages clears the cache at once
    expect((await agentFor(t.app).get('/services?q=压力表')).text).to.contain('一般压力表(弹性元件式) 检定/校准');
    const admin = agentFor(t.app);
    await login(admin, (await createUser(t.db, 'platform_admin')).mobile, TEST_PASSWORD);
    const [cal] = await t.db.select({ id: services.id }).from(services).where(eq(services.code, 'CAL-PG'));
    const res = await admin.post(`/admin/services/${cal!.id}/active`).type('form').send({ _csrf: await csrfFrom(admin, '/admin/services'), active: 'false' });
    expect(res.status).to.equal(303);
    expect((await agentFor(t.app).get('/services?q=压力表')).text).not.to.contain('一般压力表(弹性元件式) 检定/校准');
    expect((await agentFor(t.app).get(`/nodes/${dinghai}`)).text).to.contain('台风停业（缓存测试）');
  });
});
