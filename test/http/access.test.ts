import { expect } from 'chai';
import { agentFor, createTestApp, login, type TestApp } from '../support/app.js';
import { createCompanyUser, createEnterprise, createUser, TEST_PASSWORD } from '../support/factories.js';

describe('roles and scopes on records', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t?.close());

  it('a company user sees its own company and gets 404 for another company, an unknown id or a malformed id', async () => {
    const a = await createCompanyUser(t.db, { name: '甲公司' });
    const b = await createCompanyUser(t.db, { name: '乙公司' });
    const agent = agentFor(t.app);
    await login(agent, a.user.mobile, TEST_PASSWORD);
    const own = await agent.get(`/enterprises/${a.enterprise.id}`);
    expect(own.status).to.equal(200);
    expect(own.text).to.contain('甲公司');
    for (const path of [`/enterprises/${b.enterprise.id}`, '/enterprises/999999', '/enterprises/abc', '/enterprises/1e3']) {
      const res = await agent.get(path);
      expect(res.status, path).to.equal(404);
      expect(res.text, path).not.to.contain('乙公司');
      expect(res.text).to.contain('页面不存在');
    }
  });

  it("a park admin sees the park's companies only", async () => {
    const inPark = await createEnterprise(t.db, { parkCode: 'P-DINGHAI', name: '园内公司' });
    const outside = await createEnterprise(t.db, { parkCode: 'P-PUTUO', name: '园外公司' });
    const noPark = await createEnterprise(t.db, { parkCode: null, name: '无园区公司' });
    const admin = await createUser(t.db, 'park_admin', { parkCode: 'P-DINGHAI' });
    const agent = agentFor(t.app);
    await login(agent, admin.mobile, TEST_PASSWORD);
    expect((await agent.get(`/enterprises/${inPark.id}`)).status).to.equal(200);
    expect((await agent.get(`/enterprises/${outside.id}`)).status).to.equal(404);
    expect((await agent.get(`/enterprises/${noPark.id}`)).status).to.equal(404);
  });

  it('the platform admin sees every company', async () => {
    const any = await createEnterprise(t.db, { parkCode: 'P-SHENGSI' });
    const admin = await createUser(t.db, 'platform_admin');
    const agent = agentFor(t.app);
    await login(agent, admin.mobile, TEST_PASSWORD);
    expect((await agent.get(`/enterprises/${any.id}`)).status).to.equal(200);
  });

  it('a role that may never read company records gets 403 with a Chinese page', async () => {
    const { enterprise } = await createCompanyUser(t.db);
    const staff = await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' });
    const agent = agentFor(t.app);
    await login(agent, staff.mobile, TEST_PASSWORD);
    const res = await agent.get(`/enterprises/${enterprise.id}`);
    expect(res.status).to.equal(403);
    expect(res.text).to.contain('无权访问');
  });

  it('sends anonymous visitors to login, remembering where they were going', async () => {
    const { enterprise } = await createCompanyUser(t.db);
    const res = await agentFor(t.app).get(`/enterprises/${enterprise.id}`);
    expect(res.status).to.equal(302);
    expect(res.headers.location).to.equal(`/login?next=${encodeURIComponent(`/enterprises/${enterprise.id}`)}`);
  });

  it('only follows same-site paths after login', async () => {
    const { user } = await createCompanyUser(t.db);
    const agent = agentFor(t.app);
    const page = await agent.get('/login?next=//evil.example.com/x');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    expect(page.text).not.to.contain('evil.example.com');
    const res = await agent.post('/login').type('form').send({ _csrf: token, identifier: user.mobile, password: TEST_PASSWORD, next: '//evil.example.com/x' });
    expect(res.status).to.equal(302);
    expect(res.headers.location).to.equal('/bookings');
  });
});
