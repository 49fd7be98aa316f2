import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { parse } from 'node-html-parser';
import { nodes, users } from '../../src/db/schema.js';
import { agentFor, createTestApp, csrfFrom, login, type TestApp } from '../support/app.js';
import { createCompanyUser, createUser, TEST_PASSWORD } from '../support/factories.js';

/** 大字版: kept on the account for a signed-in user, in a cookie for a visitor; it sticks from page to page. */
describe('大字版 (large text, high contrast)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t?.close());

  const large = (html: string) => parse(html).querySelector('body')!.classList.contains('large-text');

  it('a visitor switches it on with the header link: it sticks across pages (a cookie), and off again', async () => {
    const visitor = agentFor(t.app);
    const home = await visitor.get('/services');
    expect(large(home.text)).to.equal(false);
    const link = parse(home.text).querySelector('a.display-toggle')!.getAttribute('href')!;
    expect(link).to.equal('/display?large=1&next=%2Fservices');
    const on = await visitor.get(link);
    expect(on.status).to.equal(303);
    expect(on.headers.location).to.equal('/services');
    expect(String(on.headers['set-cookie'])).to.match(/nqi_display=large;.*HttpOnly/);
    for (const url of ['/services', '/nodes', '/verify', '/track', '/login']) expect(large((await visitor.get(url)).text), url).to.equal(true);
    expect(parse((await visitor.get('/nodes')).text).querySelector('a.display-toggle')!.text).to.contain('标准版');
    await visitor.get('/display?large=0&next=/nodes');
    expect(large((await visitor.get('/nodes')).text)).to.equal(false);
    // an address elsewhere is never followed
    expect((await visitor.get('/display?large=1&next=//evil.example')).headers.location).to.equal('/');
  });

  it('a signed-in user’s choice is kept on the account: every page, and the next sign-in on another device', async () => {
    const { user } = await createCompanyUser(t.db);
    const phone = agentFor(t.app);
    await login(phone, user.mobile, TEST_PASSWORD);
    const csrf = await csrfFrom(phone, '/bookings');
    const res = await phone.post('/display').type('form').send({ _csrf: csrf, large: '1', next: '/bookings' });
    expect(res.status).to.equal(303);
    expect((await t.db.select({ on: users.largeText }).from(users).where(eq(users.id, user.id)))[0]!.on).to.equal(true);
    for (const url of ['/bookings', '/services', '/notifications', '/account']) expect(large((await phone.get(url)).text), url).to.equal(true);
    const desktop = agentFor(t.app);
    await login(desktop, user.mobile, TEST_PASSWORD);
    expect(large((await desktop.get('/bookings')).text)).to.equal(true);
    const off = await desktop.post('/display').type('form').send({ _csrf: await csrfFrom(desktop, '/bookings'), large: '0', next: '/bookings' });
    expect(off.status).to.equal(303);
    expect(large((await phone.get('/bookings')).text)).to.equal(false);
  });

  it('offers 预约 only to companies and visitors (who are asked to sign in) — never a button that answers staff or admins 403', async () => {
    const [node] = await t.db.select({ id: nodes.id }).from(nodes).where(eq(nodes.code, 'ZS-METROLOGY'));
    const visitor = agentFor(t.app);
    const service = await visitor.get('/services/CAL-PG');
    expect(service.text).to.contain('在此网点预约');
    expect((await visitor.get(`/nodes/${node!.id}`)).text).to.contain('href="/bookings/new?');
    const bookingLink = parse(service.text).querySelector('a[href^="/bookings/new"]')!.getAttribute('href')!;
    const toLogin = await visitor.get(bookingLink);
    expect(toLogin.status).to.equal(302);
    expect(toLogin.headers.location).to.match(/^\/login\?next=/);
    const { user: companyUser } = await createCompanyUser(t.db);
    const company = agentFor(t.app);
    await login(company, companyUser.mobile, TEST_PASSWORD);
    expect((await company.get('/services/CAL-PG')).text).to.contain('在此网点预约');
    for (const [role, scope] of [['lab_staff', { nodeCode: 'ZS-METROLOGY' }], ['node_manager', { nodeCode: 'ZS-METROLOGY' }], ['park_admin', { parkCode: 'P-DINGHAI' }], ['platform_admin', {}]] as const) {
      const u = await createUser(t.db, role, scope);
      const agent = agentFor(t.app);
      await login(agent, u.mobile, TEST_PASSWORD);
      const page = await agent.get('/services/CAL-PG');
      expect(page.status, role).to.equal(200);
      expect(page.text, role).not.to.contain('在此网点预约');
      expect((await agent.get(`/nodes/${node!.id}`)).text, role).not.to.contain('/bookings/new');
    }
  });

  it('needs the form’s token to change an account (the switch is a POST with CSRF)', async () => {
    const staff = await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' });
    const agent = agentFor(t.app);
    await login(agent, staff.mobile, TEST_PASSWORD);
    expect((await agent.post('/display').type('form').send({ large: '1' })).status).to.equal(403);
    expect((await t.db.select({ on: users.largeText }).from(users).where(eq(users.id, staff.id)))[0]!.on).to.equal(false);
  });
});
