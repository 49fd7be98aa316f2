import { expect } from 'chai';
import { count, eq } from 'drizzle-orm';
import { enterprises, events, users } from '../../src/db/schema.js';
import { agentFor, createTestApp, csrfFrom, login, type TestApp } from '../support/app.js';
import { createCompanyUser, createUser, TEST_PASSWORD, validCreditCode } from '../support/factories.js';

function registration(overrides: Record<string, string | undefined> = {}) {
  const base: Record<string, string | undefined> = {
    companyName: '舟山测试海洋科技有限公司',
    creditCode: validCreditCode(),
    parkId: '',
    address: '舟山市定海区临城街道测试路 8 号',
    contactName: '王小明',
    mobile: '13812345678',
    email: 'wang@example.com',
    password: 'Harbour-2026',
    passwordConfirm: 'Harbour-2026',
    agree: 'on',
  };
  return Object.fromEntries(Object.entries({ ...base, ...overrides }).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

describe('accounts: sign-up, login, logout, password', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ loginThrottle: { perIp: { limit: 100, windowMs: 60_000 }, perAccount: { limit: 3, windowMs: 60_000 } } });
  });
  after(() => t?.close());

  async function counts() {
    const [e] = await t.db.select({ n: count() }).from(enterprises);
    const [u] = await t.db.select({ n: count() }).from(users);
    return { enterprises: e!.n, users: u!.n };
  }

  async function postRegister(body: Record<string, string>, withToken = true) {
    const agent = agentFor(t.app);
    const token = await csrfFrom(agent, '/register');
    const res = await agent.post('/register').type('form').send(withToken ? { _csrf: token, ...body } : body);
    return { agent, res };
  }

  describe('sign-up', () => {
    it('creates the company, its first user (hashed password) and an audit event, and signs in', async () => {
      const body = registration({ mobile: '13800000001', email: 'first@example.com', creditCode: '91330900MA2A0B1C4R' });
      const { agent, res } = await postRegister(body);
      expect(res.status).to.equal(302);
      const [e] = await t.db.select().from(enterprises).where(eq(enterprises.creditCode, '91330900MA2A0B1C4R'));
      expect(e).to.include({ name: body.companyName, creditCodeReview: 'none', address: body.address });
      const [u] = await t.db.select().from(users).where(eq(users.mobile, '13800000001'));
      expect(u).to.include({ role: 'enterprise', enterpriseId: e!.id, email: 'first@example.com', name: '王小明' });
      expect(u!.passwordHash).to.match(/^\$argon2id\$/).and.not.contain('Harbour-2026');
      const ev = await t.db.select().from(events).where(eq(events.entityId, String(e!.id)));
      expect(ev.map((x) => x.action)).to.include('enterprise.registered');
      const account = await agent.get('/account');
      expect(account.status).to.equal(200);
      expect(account.text).to.contain('王小明');
    });

    it('accepts a lower-case code and stores it upper-case', async () => {
      const code = validCreditCode();
      const { res } = await postRegister(registration({ creditCode: code.toLowerCase(), mobile: '13800000002', email: '' }));
      expect(res.status).to.equal(302);
      expect(await t.db.$count(enterprises, eq(enterprises.creditCode, code))).to.equal(1);
    });

    it('refuses a wrong check character unless the user confirms it, then flags it for review', async () => {
      const code = validCreditCode();
      const wrong = code.slice(0, 17) + (code[17] === '0' ? '1' : '0');
      const before = await counts();
      const refused = await postRegister(registration({ creditCode: wrong, mobile: '13800000003', email: '' }));
      expect(refused.res.status).to.equal(422);
      expect(refused.res.text).to.contain('校验位').and.contain(`应为“${code[17]}”`);
      expect(await counts()).to.deep.equal(before);

      const confirmed = await postRegister(registration({ creditCode: wrong, confirmCreditCode: 'on', mobile: '13800000003', email: '' }));
      expect(confirmed.res.status).to.equal(302);
      const [e] = await t.db.select().from(enterprises).where(eq(enterprises.creditCode, wrong));
      expect(e!.creditCodeReview).to.equal('pending');
    });

    it('turns a code that is already registered into a join request (no account, no company), and refuses a mobile already in use', async () => {
      const code = validCreditCode();
      expect((await postRegister(registration({ creditCode: code, mobile: '13800000004', email: '' }))).res.status).to.equal(302);
      const before = await counts();
      const dupCode = await postRegister(registration({ creditCode: code, mobile: '13800000005', email: '' }));
      expect(dupCode.res.status).to.equal(202);
      expect(dupCode.res.text).to.contain('加入申请已提交');
      const dupMobile = await postRegister(registration({ mobile: '13800000004', email: '' }));
      expect(dupMobile.res.status).to.equal(422);
      expect(dupMobile.res.text).to.contain('该手机号已注册');
      expect(await counts()).to.deep.equal(before);
    });

    const invalid: [string, Record<string, string | undefined>, string][] = [
      ['companyName', { companyName: '' }, '请填写企业名称'],
      ['companyName', { companyName: 'A' }, '企业名称至少 2 个字'],
      ['creditCode', { creditCode: '' }, '请填写统一社会信用代码'],
      ['creditCode', { creditCode: '91330900MA2A0B1C' }, '应为 18 位'],
      ['creditCode', { creditCode: '91330900MA2A0B1CIR' }, '不能包含字符“I”'],
      ['parkId', { parkId: '99999' }, '请选择有效的园区'],
      ['parkId', { parkId: 'abc' }, '请选择有效的所在园区'],
      ['address', { address: '舟山' }, '企业地址至少 5 个字'],
      ['contactName', { contactName: undefined }, '请填写联系人姓名'],
      ['mobile', { mobile: '12345' }, '11 位中国大陆手机号'],
      ['mobile', { mobile: '' }, '请填写手机号'],
      ['email', { email: 'not-an-email' }, '电子邮箱格式不正确'],
      ['password', { password: 'short1A', passwordConfirm: 'short1A' }, '密码太短'],
      ['password', { password: 'alllowercaseletters', passwordConfirm: 'alllowercaseletters' }, '密码太简单'],
      ['passwordConfirm', { passwordConfirm: 'Harbour-2027' }, '两次输入的密码不一致'],
      ['agree', { agree: undefined }, '请阅读并同意'],
    ];
    for (const [field, change, message] of invalid) {
      it(`422 for an invalid ${field} (${JSON.stringify(change)}), keeping the input and saving nothing`, async () => {
        const before = await counts();
        const body = registration({ mobile: '13899990000', email: '', ...change });
        const { res } = await postRegister(body);
        expect(res.status).to.equal(422);
        expect(res.text).to.contain(message);
        expect(res.text).to.match(new RegExp(`id="f-${field}"[^>]*aria-invalid="true"|name="${field}"[^>]*aria-invalid="true"`));
        if (field !== 'address') expect(res.text).to.contain('舟山市定海区临城街道测试路 8 号');
        expect(res.text).not.to.contain('Harbour-2026'); // passwords are never echoed
        expect(await counts()).to.deep.equal(before);
      });
    }

    it('answers 422 (not 500) when fields arrive as arrays or objects', async () => {
      const agent = agentFor(t.app);
      const token = await csrfFrom(agent, '/register');
      const res = await agent
        .post('/register')
        .type('form')
        .send(`_csrf=${encodeURIComponent(token)}&companyName[]=a&companyName[]=b&mobile[x]=1&creditCode=${validCreditCode()}&agree=on`);
      expect(res.status).to.equal(422);
      expect(res.text).to.contain('企业名称格式不正确');
    });

    it('refuses a form posted without its CSRF token (403) and saves nothing', async () => {
      const before = await counts();
      const { res } = await postRegister(registration({ mobile: '13800000009', email: '' }), false);
      expect(res.status).to.equal(403);
      expect(res.text).to.contain('表单已过期');
      expect(await counts()).to.deep.equal(before);
    });
  });

  describe('login and logout', () => {
    it('logs in by mobile and by e-mail, with a new session id (no fixation)', async () => {
      const { user } = await createCompanyUser(t.db);
      const agent = agentFor(t.app);
      const token = await csrfFrom(agent, '/login');
      const anonymousCookie = (await agent.get('/login')).headers['set-cookie'] ?? [];
      const res = await agent.post('/login').type('form').send({ _csrf: token, identifier: user.mobile, password: TEST_PASSWORD });
      expect(res.status).to.equal(302);
      const loggedInCookie = String(res.headers['set-cookie']);
      expect(loggedInCookie).to.match(/nqi\.sid=/);
      expect(loggedInCookie).to.match(/HttpOnly/i).and.match(/SameSite=Lax/i);
      expect(String(anonymousCookie)).not.to.equal(loggedInCookie);

      await t.db.update(users).set({ email: 'mixed.case@example.com' }).where(eq(users.id, user.id));
      const byEmail = agentFor(t.app);
      await login(byEmail, 'Mixed.Case@Example.com', TEST_PASSWORD);
      expect((await byEmail.get('/account')).status).to.equal(200);
    });

    it('gives one message for a wrong password and an unknown account', async () => {
      const { user } = await createCompanyUser(t.db);
      const agent = agentFor(t.app);
      let token = await csrfFrom(agent, '/login');
      const wrong = await agent.post('/login').type('form').send({ _csrf: token, identifier: user.mobile, password: 'Wrong-pass-1' });
      token = await csrfFrom(agent, '/login');
      const unknown = await agent.post('/login').type('form').send({ _csrf: token, identifier: '13011112222', password: 'Wrong-pass-1' });
      expect(wrong.status).to.equal(401);
      expect(unknown.status).to.equal(401);
      expect(wrong.text).to.contain('账号或密码不正确');
      expect(unknown.text).to.contain('账号或密码不正确');
    });

    it('logout ends the session on the server: the old cookie no longer works', async () => {
      const { user } = await createCompanyUser(t.db);
      const agent = agentFor(t.app);
      const loginToken = await csrfFrom(agent, '/login');
      const loggedIn = await agent.post('/login').type('form').send({ _csrf: loginToken, identifier: user.mobile, password: TEST_PASSWORD });
      const cookie = String(loggedIn.headers['set-cookie']).split(';')[0]!;
      const account = await agent.get('/account');
      expect(account.status).to.equal(200);
      const token = /name="_csrf" value="([^"]+)"/.exec(account.text)![1]!;
      const out = await agent.post('/logout').type('form').send({ _csrf: token });
      expect(out.status).to.equal(302);
      // Replaying the pre-logout cookie from another client: treated as anonymous.
      const replay = await agentFor(t.app).get('/account').set('Cookie', cookie);
      expect(replay.status).to.equal(302);
      expect(replay.headers.location).to.match(/^\/login/);
    });

    it('refuses deactivated users', async () => {
      const { user } = await createCompanyUser(t.db);
      await t.db.update(users).set({ active: false }).where(eq(users.id, user.id));
      const agent = agentFor(t.app);
      const token = await csrfFrom(agent, '/login');
      const res = await agent.post('/login').type('form').send({ _csrf: token, identifier: user.mobile, password: TEST_PASSWORD });
      expect(res.status).to.equal(401);
    });

    it('throttles failed logins per account, even for an account that does not exist', async () => {
      const { user } = await createCompanyUser(t.db);
      for (const identifier of [user.mobile, '13000000000']) {
        const agent = agentFor(t.app);
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) {
          const token = await csrfFrom(agent, '/login');
          statuses.push((await agent.post('/login').type('form').send({ _csrf: token, identifier, password: 'Wrong-pass-1' })).status);
        }
        expect(statuses).to.deep.equal([401, 401, 401, 429]);
        const token = await csrfFrom(agent, '/login');
        const blocked = await agent.post('/login').type('form').send({ _csrf: token, identifier, password: TEST_PASSWORD });
        expect(blocked.status).to.equal(429);
        expect(blocked.text).to.contain('登录失败次数过多');
      }
    });

    it('throttles failed logins per address across accounts', async () => {
      const fresh = await createTestApp({ loginThrottle: { perIp: { limit: 3, windowMs: 60_000 }, perAccount: { limit: 100, windowMs: 60_000 } } });
      try {
        const agent = agentFor(fresh.app);
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) {
          const token = await csrfFrom(agent, '/login');
          statuses.push((await agent.post('/login').type('form').send({ _csrf: token, identifier: `1300000000${i}`, password: 'x' })).status);
        }
        expect(statuses).to.deep.equal([401, 401, 401, 429]);
      } finally {
        await fresh.close();
      }
    });
  });

  describe('change password', () => {
    it('checks the current password, applies the policy, and signs out other devices', async () => {
      const { user } = await createCompanyUser(t.db);
      const phone = agentFor(t.app);
      await login(phone, user.mobile, TEST_PASSWORD);
      const laptop = agentFor(t.app);
      await login(laptop, user.mobile, TEST_PASSWORD);

      let token = await csrfFrom(laptop, '/account/password');
      const wrongCurrent = await laptop.post('/account/password').type('form').send({ _csrf: token, currentPassword: 'nope-nope-1', newPassword: 'Brand-new-2026', newPasswordConfirm: 'Brand-new-2026' });
      expect(wrongCurrent.status).to.equal(422);
      expect(wrongCurrent.text).to.contain('当前密码不正确');

      token = await csrfFrom(laptop, '/account/password');
      const weak = await laptop.post('/account/password').type('form').send({ _csrf: token, currentPassword: TEST_PASSWORD, newPassword: 'aaaaaaaaaaaa', newPasswordConfirm: 'aaaaaaaaaaaa' });
      expect(weak.status).to.equal(422);
      expect(weak.text).to.contain('密码太简单');

      token = await csrfFrom(laptop, '/account/password');
      const ok = await laptop.post('/account/password').type('form').send({ _csrf: token, currentPassword: TEST_PASSWORD, newPassword: 'Brand-new-2026', newPasswordConfirm: 'Brand-new-2026' });
      expect(ok.status).to.equal(302);
      expect((await laptop.get('/account')).status).to.equal(200);
      expect((await phone.get('/account')).status).to.equal(302); // the other device was signed out
      await login(agentFor(t.app), user.mobile, 'Brand-new-2026');
    });

    it('sends a user whose password was set by an administrator to change it first', async () => {
      const staff = await createUser(t.db, 'lab_staff', { nodeCode: 'ST-DINGHAI' });
      await t.db.update(users).set({ mustChangePassword: true }).where(eq(users.id, staff.id));
      const agent = agentFor(t.app);
      await login(agent, staff.mobile, TEST_PASSWORD);
      const res = await agent.get('/account');
      expect(res.status).to.equal(302);
      expect(res.headers.location).to.equal('/account/password');
    });
  });
});
