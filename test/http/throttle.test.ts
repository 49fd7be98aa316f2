import { expect } from 'chai';
import { count, eq } from 'drizzle-orm';
import { enterprises, users } from '../../src/db/schema.js';
import { agentFor, createTestApp, csrfFrom, login, type Agent, type TestApp } from '../support/app.js';
import { createCompanyUser, TEST_PASSWORD, uniqueMobile, validCreditCode } from '../support/factories.js';

const WINDOW = 60_000;

async function tryLogin(agent: Agent, identifier: string, password: string) {
  const token = await csrfFrom(agent, '/login');
  return agent.post('/login').type('form').send({ _csrf: token, identifier, password });
}

async function logout(agent: Agent) {
  const token = await csrfFrom(agent, '/account/password');
  expect((await agent.post('/logout').type('form').send({ _csrf: token })).status).to.equal(302);
}

describe('guessing limits: sign-in per account and address, trusted devices, password checks, sign-up', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({
      loginThrottle: {
        perIp: { limit: 1000, windowMs: WINDOW },
        perAccount: { limit: 3, windowMs: WINDOW },
        perDevice: { limit: 2, windowMs: WINDOW },
        passwordCheck: { limit: 3, windowMs: WINDOW },
      },
    });
  });
  after(() => t?.close());

  async function userWithEmail() {
    const { user } = await createCompanyUser(t.db);
    const email = `u${user.id}@example.com`;
    await t.db.update(users).set({ email }).where(eq(users.id, user.id));
    return { ...user, email };
  }

  it('counts the mobile and the e-mail of one account as one: switching identifiers buys no extra guesses', async () => {
    const user = await userWithEmail();
    const attacker = agentFor(t.app);
    const statuses = [];
    for (const identifier of [user.mobile, ` ${user.mobile} `, user.email.toUpperCase(), user.email]) statuses.push((await tryLogin(attacker, identifier, 'Wrong-guess-1')).status);
    expect(statuses).to.deep.equal([401, 401, 401, 429]);
    const blocked = await tryLogin(agentFor(t.app), user.email, TEST_PASSWORD);
    expect(blocked.status).to.equal(429);
    expect(blocked.text).to.contain('登录失败次数过多');
  });

  it('counts an identifier that is no account the same way (the answers never tell whether it exists)', async () => {
    const agent = agentFor(t.app);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await tryLogin(agent, 'nobody@example.com', 'Wrong-guess-1')).status);
    expect(statuses).to.deep.equal([401, 401, 401, 429]);
  });

  it('does not let a lock-out keep the owner out on a device where the account signed in before', async () => {
    const user = await userWithEmail();
    const laptop = agentFor(t.app);
    await login(laptop, user.mobile, TEST_PASSWORD);
    await logout(laptop);
    // someone else locks the account
    const attacker = agentFor(t.app);
    for (let i = 0; i < 4; i++) await tryLogin(attacker, user.mobile, 'Wrong-guess-1');
    expect((await tryLogin(attacker, user.mobile, TEST_PASSWORD)).status, 'the attacker is locked out even with the password').to.equal(429);
    expect((await tryLogin(agentFor(t.app), user.mobile, TEST_PASSWORD)).status, 'an unknown browser too').to.equal(429);
    // the owner's laptop still signs in, by mobile or e-mail
    const owner = await tryLogin(laptop, user.email, TEST_PASSWORD);
    expect(owner.status).to.equal(302);
    expect((await laptop.get('/account')).status).to.equal(200);
    await logout(laptop);
    // …and has a small allowance of its own: a stolen device cookie is no free pass for guessing
    expect((await tryLogin(laptop, user.mobile, 'Wrong-guess-1')).status).to.equal(401);
    expect((await tryLogin(laptop, user.mobile, 'Wrong-guess-2')).status).to.equal(401);
    expect((await tryLogin(laptop, user.mobile, TEST_PASSWORD)).status).to.equal(429);
  });

  it("trusts a device only for the account that signed in on it, and only with the server's signature", async () => {
    const victim = await userWithEmail();
    const other = await userWithEmail();
    const device = agentFor(t.app);
    const signedIn = await tryLogin(device, other.mobile, TEST_PASSWORD);
    const cookie = /nqi\.dev=([^;]+)/.exec(String(signedIn.headers['set-cookie']))![1]!;
    expect(String(signedIn.headers['set-cookie'])).to.match(/nqi\.dev=[^;]+;.*Path=\/login.*HttpOnly/i);
    await logout(device);
    for (let i = 0; i < 4; i++) await tryLogin(agentFor(t.app), victim.mobile, 'Wrong-guess-1');
    // another account's device cookie, and a forged one for the victim, do not unlock the victim's account
    const [uid, day, id] = cookie.split('.');
    for (const forged of [cookie, `${victim.id}.${day}.${id}.${cookie.split('.')[3]}`, `${victim.id}.${day}.${id}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`]) {
      const agent = agentFor(t.app);
      (agent as unknown as { jar: { setCookie(c: string, domain: string, path: string): void } }).jar.setCookie(`nqi.dev=${forged}; Path=/login`, '127.0.0.1', '/login');
      const res = await tryLogin(agent, victim.mobile, TEST_PASSWORD);
      expect(res.status, `${forged} unlocked the account`).to.equal(429);
    }
    expect(uid).to.equal(String(other.id));
    // positive control: the same cookie, put into a fresh browser the same way, does unlock its own account
    for (let i = 0; i < 4; i++) await tryLogin(agentFor(t.app), other.mobile, 'Wrong-guess-1');
    const copy = agentFor(t.app);
    (copy as unknown as { jar: { setCookie(c: string, domain: string, path: string): void } }).jar.setCookie(`nqi.dev=${cookie}; Path=/login`, '127.0.0.1', '/login');
    expect((await tryLogin(copy, other.mobile, TEST_PASSWORD)).status).to.equal(302);
  });

  it('limits guesses at the current password on the password form, per user across sessions', async () => {
    const { user } = await createCompanyUser(t.db);
    const phone = agentFor(t.app);
    const laptop = agentFor(t.app);
    await login(phone, user.mobile, TEST_PASSWORD);
    await login(laptop, user.mobile, TEST_PASSWORD);
    const change = async (agent: Agent, current: string) => {
      const token = await csrfFrom(agent, '/account/password');
      return agent.post('/account/password').type('form').send({ _csrf: token, currentPassword: current, newPassword: 'Brand-new-2026', newPasswordConfirm: 'Brand-new-2026' });
    };
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await change(phone, `Guess-${i}-abcdef`)).status);
    expect(statuses).to.deep.equal([422, 422, 422]);
    const locked = await change(phone, TEST_PASSWORD);
    expect(locked.status).to.equal(429);
    expect(locked.text).to.contain('当前密码输错次数过多');
    expect((await change(laptop, TEST_PASSWORD)).status, 'another session of the same user').to.equal(429);
    // the password did not change, and other users are not affected
    await login(agentFor(t.app), user.mobile, TEST_PASSWORD);
    const { user: colleague } = await createCompanyUser(t.db);
    const theirs = agentFor(t.app);
    await login(theirs, colleague.mobile, TEST_PASSWORD);
    expect((await change(theirs, TEST_PASSWORD)).status).to.equal(302);
  });
});

describe('guessing limits: sign-up cannot be used to probe which mobiles and codes are registered at speed', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ loginThrottle: { register: { limit: 5, windowMs: WINDOW }, registerRefused: { limit: 3, windowMs: WINDOW } } });
  });
  after(() => t?.close());

  const registration = (mobile: string, creditCode = validCreditCode()) => ({
    companyName: '舟山限流测试有限公司',
    creditCode,
    parkId: '',
    address: '舟山市定海区临城街道测试路 8 号',
    contactName: '王小明',
    mobile,
    email: '',
    password: 'Harbour-2026',
    passwordConfirm: 'Harbour-2026',
    agree: 'on',
  });
  async function register(body: Record<string, string>) {
    const agent = agentFor(t.app);
    const token = await csrfFrom(agent, '/register');
    return agent.post('/register').type('form').send({ _csrf: token, ...body });
  }
  const companies = async () => (await t.db.select({ n: count() }).from(enterprises))[0]!.n;

  it('answers a few "already registered" refusals per address, then nothing but 429 — also for a valid sign-up', async () => {
    const { user } = await createCompanyUser(t.db);
    const probes = [];
    for (let i = 0; i < 3; i++) probes.push(await register(registration(user.mobile)));
    expect(probes.map((r) => r.status)).to.deep.equal([422, 422, 422]);
    expect(probes[0]!.text).to.contain('该手机号已注册'); // the person signing up is told (to sign in instead)
    const before = await companies();
    const next = await register(registration(uniqueMobile()));
    expect(next.status).to.equal(429);
    expect(next.text).to.contain('提交过于频繁').and.not.contain('已注册，请直接登录或使用其他手机号');
    const probe = await register(registration(user.mobile));
    expect(probe.status).to.equal(429);
    expect(probe.text).not.to.contain('该手机号已注册');
    expect(await companies()).to.equal(before);
  });
});

describe('guessing limits: sign-ups per address', () => {
  it('allows a few sign-ups per address and window, then 429', async () => {
    const t = await createTestApp({ loginThrottle: { register: { limit: 2, windowMs: WINDOW } } });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        const agent = agentFor(t.app);
        const token = await csrfFrom(agent, '/register');
        const res = await agent.post('/register').type('form').send({ _csrf: token, companyName: `限流${i}有限公司`, creditCode: validCreditCode(), parkId: '', address: '舟山市定海区测试路 1 号', contactName: '王五', mobile: uniqueMobile(), email: '', password: 'Harbour-2026', passwordConfirm: 'Harbour-2026', agree: 'on' });
        statuses.push(res.status);
      }
      expect(statuses).to.deep.equal([302, 302, 429]);
    } finally {
      await t.close();
    }
  });
});
