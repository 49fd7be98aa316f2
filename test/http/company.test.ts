import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { accountTokens, enterprises, events, invitations, joinRequests, notifications, outbox, users } from '../../src/db/schema.js';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, csrfFrom, login, type Agent, type TestApp } from '../support/app.js';
import { MONDAY_BEFORE_NATIONAL_DAY, nodeServiceOf } from '../support/bookings.js';
import { createCompanyUser, createUser, TEST_PASSWORD, uniqueMobile, type TestUser } from '../support/factories.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const NEW_PASSWORD = 'Harbour-2026x';

describe('company workspace: colleagues, invitations, last admin, join requests, password resets', function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
  });
  after(() => t?.close());

  async function companyWithAdmin() {
    const { enterprise, user } = await createCompanyUser(t.db);
    await t.db.update(users).set({ companyAdmin: true }).where(eq(users.id, user.id));
    const agent = agentFor(t.app);
    await login(agent, user.mobile, user.password);
    return { enterprise, admin: user, agent };
  }

  async function post(agent: Agent, url: string, body: Record<string, string> = {}) {
    const csrf = await csrfFrom(agent, '/company');
    return agent.post(url).type('form').send({ _csrf: csrf, ...body });
  }

  async function adminFlag(id: number) {
    const [u] = await t.db.select({ companyAdmin: users.companyAdmin, active: users.active }).from(users).where(eq(users.id, id));
    return u!;
  }

  it('invite → accept → the colleague is signed in and sees the company\'s bookings; the link is stored hashed and works once', async () => {
    const { enterprise, admin, agent } = await companyWithAdmin();
    const station = await nodeServiceOf(t.db, 'ST-PUTUO', 'CAL-PG');
    const principal = (await t.services.auth.loadPrincipal(admin.id))!;
    const { number } = await t.services.bookings.submit(
      principal,
      { service: 'CAL-PG', node: String(station.nodeId), idempotencyKey: `inv-${Date.now()}-abcdefgh`, slot: '2026-09-29|pm', deliveryMode: 'send_in', items: [{ name: '压力表', serialNo: 'INV-1', quantity: '1' }], contactName: '管理员', contactMobile: '13900000001' },
      [],
    );

    const mobile = uniqueMobile();
    const created = await post(agent, '/company/invitations', { mobile, email: '' });
    expect(created.status).to.equal(201);
    const link = /id="invitation-link">([^<]+)</.exec(created.text)?.[1] ?? '';
    const token = link.split('/invite/')[1] ?? '';
    expect(token).to.have.length(32); // 24 random bytes
    const [stored] = await t.db.select().from(invitations).where(eq(invitations.enterpriseId, enterprise.id));
    expect(stored!.tokenHash).to.equal(sha256(token)).and.not.contain(token);
    expect(stored!.expiresAt.getTime() - new Date(MONDAY_BEFORE_NATIONAL_DAY).getTime()).to.equal(7 * 86_400_000);

    const colleague = agentFor(t.app);
    const page = await colleague.get(`/invite/${token}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain(enterprise.name).and.contain(mobile);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const weak = await colleague.post(`/invite/${token}`).type('form').send({ _csrf: csrf, name: '李同事', password: 'short', passwordConfirm: 'short' });
    expect(weak.status).to.equal(422);
    expect(weak.text).to.contain('密码太短').and.contain('李同事');
    const accepted = await colleague.post(`/invite/${token}`).type('form').send({ _csrf: csrf, name: '李同事', password: NEW_PASSWORD, passwordConfirm: NEW_PASSWORD });
    expect(accepted.status).to.equal(303);
    const [joined] = await t.db.select().from(users).where(eq(users.mobile, mobile));
    expect(joined).to.include({ enterpriseId: enterprise.id, name: '李同事', role: 'enterprise', companyAdmin: false });
    const list = await colleague.get('/bookings');
    expect(list.status).to.equal(200);
    expect(list.text).to.contain(number);
    expect((await colleague.get('/company')).status, 'a colleague is not an admin').to.equal(403);

    // used once: the same link, and a made-up one, get the same answer
    for (const tried of [token, 'A'.repeat(32)]) {
      const again = await agentFor(t.app).get(`/invite/${tried}`);
      expect(again.status).to.equal(404);
      expect(again.text).to.contain('邀请链接无效或已过期');
    }
  });

  it('an expired invitation says so, and creates nothing', async () => {
    const { enterprise, agent } = await companyWithAdmin();
    const created = await post(agent, '/company/invitations', { mobile: uniqueMobile() });
    const token = /\/invite\/([A-Za-z0-9_-]{32})/.exec(created.text)![1]!;
    await t.db.update(invitations).set({ expiresAt: new Date(MONDAY_BEFORE_NATIONAL_DAY) }).where(eq(invitations.enterpriseId, enterprise.id));
    const res = await agentFor(t.app).get(`/invite/${token}`);
    expect(res.status).to.equal(404);
    expect(res.text).to.contain('邀请链接无效或已过期');
  });

  it('the last admin can be neither demoted nor deactivated; with a second admin both work, and deactivation ends the sessions at once', async () => {
    const { enterprise, admin, agent } = await companyWithAdmin();
    for (const [url, body] of [[`/company/users/${admin.id}/admin`, { admin: '0' }], [`/company/users/${admin.id}/active`, { active: '0' }]] as const) {
      const res = await post(agent, url, body);
      expect(res.status).to.equal(303);
      const page = await agent.get('/company');
      expect(page.text).to.contain('企业至少要保留一名在用的企业管理员');
      expect(await adminFlag(admin.id)).to.deep.equal({ companyAdmin: true, active: true });
    }

    const colleague: TestUser = await createUser(t.db, 'enterprise', { enterpriseId: enterprise.id });
    const other = agentFor(t.app);
    await login(other, colleague.mobile, colleague.password);
    expect((await other.get('/bookings')).status).to.equal(200);
    expect((await post(agent, `/company/users/${colleague.id}/admin`, { admin: '1' })).status).to.equal(303);
    expect(await adminFlag(colleague.id)).to.deep.equal({ companyAdmin: true, active: true });
    expect((await other.get('/company')).status, 'admin rights take effect on the next request').to.equal(200);

    expect((await post(agent, `/company/users/${colleague.id}/active`, { active: '0' })).status).to.equal(303);
    expect(await adminFlag(colleague.id)).to.deep.equal({ companyAdmin: true, active: false });
    const after = await other.get('/bookings');
    expect(after.status, 'signed out at once').to.equal(302);
    expect(after.headers.location).to.match(/^\/login/);
    const [e] = await t.db.select().from(events).where(and(eq(events.action, 'company.user_deactivated'), eq(events.entityId, String(colleague.id))));
    expect(e!.actorUserId).to.equal(admin.id);
    // now the admin is the last active one again
    await post(agent, `/company/users/${admin.id}/admin`, { admin: '0' });
    expect(await adminFlag(admin.id)).to.deep.equal({ companyAdmin: true, active: true });
  });

  it('an admin acts only on colleagues of their own company (404), a colleague without admin rights not at all (403)', async () => {
    const a = await companyWithAdmin();
    const b = await companyWithAdmin();
    const res = await post(a.agent, `/company/users/${b.admin.id}/active`, { active: '0' });
    expect(res.status).to.equal(404);
    expect(await adminFlag(b.admin.id)).to.deep.equal({ companyAdmin: true, active: true });
    const plain = await createUser(t.db, 'enterprise', { enterpriseId: a.enterprise.id });
    const agent = agentFor(t.app);
    await login(agent, plain.mobile, plain.password);
    const csrf = await csrfFrom(agent, '/bookings');
    expect((await agent.post(`/company/users/${a.admin.id}/active`).type('form').send({ _csrf: csrf, active: '0' })).status).to.equal(403);
  });

  async function register(creditCode: string, mobile: string, extra: Record<string, string> = {}) {
    const agent = agentFor(t.app);
    const csrf = await csrfFrom(agent, '/register');
    return agent.post('/register').type('form').send({
      _csrf: csrf, companyName: '任意名称', creditCode, parkId: '', address: '舟山市定海区测试路 9 号', contactName: '赵申请', mobile, email: '', password: NEW_PASSWORD, passwordConfirm: NEW_PASSWORD, agree: 'on', ...extra,
    });
  }

  it('a registration with an existing credit code becomes a join request: admins are notified, approve creates the account, refuse does not', async () => {
    const { enterprise, admin, agent } = await companyWithAdmin();
    const [{ creditCode }] = (await t.db.select({ creditCode: enterprises.creditCode }).from(enterprises).where(eq(enterprises.id, enterprise.id))) as [{ creditCode: string }];
    const mobileA = uniqueMobile();
    const mobileB = uniqueMobile();
    const asked = await register(creditCode, mobileA);
    expect(asked.status).to.equal(202);
    expect(asked.text).to.contain('加入申请已提交');
    expect(await t.db.$count(users, eq(users.mobile, mobileA))).to.equal(0);
    expect(await t.db.$count(notifications, and(eq(notifications.userId, admin.id), eq(notifications.link, '/company')))).to.equal(1);
    expect((await register(creditCode, mobileA)).status, 'one pending request per mobile').to.equal(422);
    await register(creditCode, mobileB);

    const page = await agent.get('/company');
    expect(page.text).to.contain(mobileA).and.contain(mobileB);
    const [reqA] = await t.db.select().from(joinRequests).where(eq(joinRequests.mobile, mobileA));
    const [reqB] = await t.db.select().from(joinRequests).where(eq(joinRequests.mobile, mobileB));
    expect((await post(agent, `/company/join-requests/${reqA!.id}/approve`)).status).to.equal(303);
    expect((await post(agent, `/company/join-requests/${reqB!.id}/refuse`)).status).to.equal(303);
    const [approved] = await t.db.select().from(users).where(eq(users.mobile, mobileA));
    expect(approved).to.include({ enterpriseId: enterprise.id, companyAdmin: false, active: true });
    expect(await t.db.$count(users, eq(users.mobile, mobileB))).to.equal(0);
    expect((await t.db.select().from(joinRequests).where(eq(joinRequests.id, reqB!.id)))[0]!.status).to.equal('refused');
    const newcomer = agentFor(t.app);
    await login(newcomer, mobileA, NEW_PASSWORD);
    // a request answered once cannot be answered again
    expect((await post(agent, `/company/join-requests/${reqB!.id}/approve`)).status).to.equal(404);
    expect(await t.db.$count(users, eq(users.mobile, mobileB))).to.equal(0);
  });

  it('without SMTP the login page sends a forgotten password to the company admin; the admin\'s reset shows a temporary password once', async () => {
    const login = await agentFor(t.app).get('/login');
    expect(login.text).to.contain('企业管理员').and.not.contain('/password/forgot');
    const forgot = await agentFor(t.app).get('/password/forgot');
    expect(forgot.text).to.contain('本平台未开通邮件找回密码');
    const { enterprise, agent } = await companyWithAdmin();
    const colleague = await createUser(t.db, 'enterprise', { enterpriseId: enterprise.id });
    const res = await post(agent, `/company/users/${colleague.id}/reset-password`);
    expect(res.status).to.equal(200);
    const temp = /id="temporary-password">([^<]+)</.exec(res.text)![1]!;
    const [u] = await t.db.select({ must: users.mustChangePassword }).from(users).where(eq(users.id, colleague.id));
    expect(u!.must).to.equal(true);
    await login_(colleague.mobile, temp);
  });

  async function login_(mobile: string, password: string) {
    await login(agentFor(t.app), mobile, password);
  }

  it('limits invitation and reset link tries per address: past the limit even a valid link waits', async () => {
    const limited = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY), tokenLimit: { limit: 3, windowMs: 60_000 } });
    try {
      const { user } = await createCompanyUser(limited.db);
      await limited.db.update(users).set({ companyAdmin: true }).where(eq(users.id, user.id));
      const principal = (await limited.services.auth.loadPrincipal(user.id))!;
      const { link } = await limited.services.company.invite(principal, { mobile: uniqueMobile() });
      const token = link.split('/invite/')[1]!;
      const guesser = agentFor(limited.app);
      for (let i = 0; i < 3; i++) expect((await guesser.get(`/invite/${'B'.repeat(31)}${i}`)).status).to.equal(404);
      const blocked = await guesser.get(`/invite/${token}`);
      expect(blocked.status).to.equal(429);
      expect(blocked.text).to.contain('尝试次数过多');
    } finally {
      await limited.close();
    }
  });

  describe('with SMTP_URL: a reset link by e-mail', () => {
    let m: TestApp;
    before(async () => {
      m = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY), env: { SMTP_URL: 'smtp://127.0.0.1:2525' } });
    });
    after(() => m?.close());

    it('sends a single-use link to a registered e-mail; an unknown e-mail gets the same answer and nothing is sent', async () => {
      const { user } = await createCompanyUser(m.db);
      await m.db.update(users).set({ email: 'reset@example.com' }).where(eq(users.id, user.id));
      const page = await agentFor(m.app).get('/login');
      expect(page.text).to.contain('/password/forgot');
      const ask = async (email: string) => {
        const agent = agentFor(m.app);
        const csrf = await csrfFrom(agent, '/password/forgot');
        return agent.post('/password/forgot').type('form').send({ _csrf: csrf, email });
      };
      const unknown = await ask('nobody@example.com');
      const known = await ask('reset@example.com');
      expect(unknown.status).to.equal(200);
      expect(known.status).to.equal(200);
      expect(/id="reset-sent">([^<]+)</.exec(unknown.text)![1]).to.equal(/id="reset-sent">([^<]+)</.exec(known.text)![1]);
      const mails = await m.db.select().from(outbox);
      expect(mails).to.have.length(1);
      const payload = mails[0]!.payload as { to: string; text: string };
      expect(payload.to).to.equal('reset@example.com');
      const token = /\/password\/reset\/([A-Za-z0-9_-]{32})/.exec(payload.text)![1]!;
      const [stored] = await m.db.select().from(accountTokens).where(eq(accountTokens.userId, user.id));
      expect(stored!.tokenHash).to.equal(sha256(token));

      const agent = agentFor(m.app);
      const form = await agent.get(`/password/reset/${token}`);
      expect(form.status).to.equal(200);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
      expect((await agent.post(`/password/reset/${token}`).type('form').send({ _csrf: csrf, password: NEW_PASSWORD, passwordConfirm: NEW_PASSWORD })).status).to.equal(303);
      await login(agentFor(m.app), user.mobile, NEW_PASSWORD);
      const again = await agentFor(m.app).get(`/password/reset/${token}`);
      expect(again.status).to.equal(404);
      expect(again.text).to.contain('重置链接无效或已过期');
      expect(TEST_PASSWORD).to.not.equal(NEW_PASSWORD);
    });
  });
});
