import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { sessions } from '../../src/db/schema.js';
import { agentFor, createTestApp, csrfFrom, type TestApp } from '../support/app.js';
import { filesUnder, postMultipart } from '../support/bookings.js';
import { createCompanyUser, TEST_PASSWORD } from '../support/factories.js';
import { buildWorld, SECRET_PDF, stateDigest, tokenOf, type World } from './fixture.js';

const sidOf = (setCookie: string[] | string | undefined) => /nqi\.sid=([^;]+)/.exec(String(setCookie ?? ''))?.[1];
/** The session id inside the signed cookie value (s:<sid>.<signature>). */
const storeIdOf = (cookieValue: string) => /^s:([^.]+)\./.exec(decodeURIComponent(cookieValue))?.[1];

describe('security: sessions, cookies, CSRF and headers', function () {
  this.timeout(60_000);
  let w: World;
  before(async () => {
    w = await buildWorld();
  });
  after(() => w?.t.close());

  it('gives a new session id at login: a planted pre-login id stays anonymous (no fixation)', async () => {
    const agent = agentFor(w.t.app);
    const page = await agent.get('/login');
    const planted = sidOf(page.headers['set-cookie'])!;
    expect(planted, 'the login form starts a session for its CSRF token').to.be.a('string');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const res = await agent.post('/login').type('form').send({ _csrf: token, identifier: w.users.entA.mobile, password: TEST_PASSWORD });
    expect(res.status).to.equal(302);
    const issued = sidOf(res.headers['set-cookie'])!;
    expect(storeIdOf(issued)).to.be.a('string').and.not.equal(storeIdOf(planted));
    // the planted id is not signed in (and no longer exists on the server)
    const replay = await agentFor(w.t.app).get('/account').set('Cookie', `nqi.sid=${planted}`);
    expect(replay.status).to.equal(302);
    expect(replay.headers.location).to.match(/^\/login/);
    expect(await w.t.db.$count(sessions, eq(sessions.sid, storeIdOf(planted)!))).to.equal(0);
    expect((await agentFor(w.t.app).get('/account').set('Cookie', `nqi.sid=${issued}`)).status).to.equal(200);
  });

  it('logout deletes the session on the server', async () => {
    const agent = agentFor(w.t.app);
    const page = await agent.get('/login');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const res = await agent.post('/login').type('form').send({ _csrf: token, identifier: w.users.entB.mobile, password: TEST_PASSWORD });
    const cookie = sidOf(res.headers['set-cookie'])!;
    const id = storeIdOf(cookie)!;
    expect(await w.t.db.$count(sessions, eq(sessions.sid, id))).to.equal(1);
    const out = await agent.post('/logout').type('form').send({ _csrf: await tokenOf(agent, true) });
    expect(out.status).to.equal(302);
    expect(await w.t.db.$count(sessions, eq(sessions.sid, id))).to.equal(0);
    expect((await agentFor(w.t.app).get('/bookings').set('Cookie', `nqi.sid=${cookie}`)).status).to.equal(302);
  });

  it('sets the session cookie HttpOnly, SameSite=Lax, for the whole site, with a bounded lifetime', async () => {
    const res = await agentFor(w.t.app).get('/login');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).to.match(/HttpOnly/i).and.match(/SameSite=Lax/i).and.match(/Path=\//);
    const expires = Date.parse(/Expires=([^;]+)/i.exec(cookie)?.[1] ?? '');
    expect(expires - Date.now()).to.be.greaterThan(0).and.at.most(24 * 3600_000);
    expect(cookie, 'plain http in development and tests').not.to.match(/;\s*Secure/i);
  });

  it('refuses a form without a CSRF token, with a wrong one, or with another session’s: 403, nothing saved, no file left', async () => {
    const { agents } = w;
    const otherSessionToken = await tokenOf(agents.entB, true);
    const ownToken = await tokenOf(agents.entA, true);
    expect(otherSessionToken).not.to.equal(ownToken);
    const before = await stateDigest(w.t);
    const files = filesUnder(w.t.uploadDir).length;
    for (const token of [undefined, 'forged-token', otherSessionToken]) {
      const body = token === undefined ? {} : { _csrf: token };
      const labels = ['cancel', 'password', 'read-all', 'company active', 'closure', 'booking (multipart)', 'lab action (multipart)'];
      const forms = [
        await agents.entA.post(`/bookings/${w.x.number}/cancel`).type('form').send({ ...body, reason: '伪造' }),
        await agents.entA.post('/account/password').type('form').send({ ...body, currentPassword: TEST_PASSWORD, newPassword: 'Forged-pass-2026', confirmPassword: 'Forged-pass-2026' }),
        await agents.entA.post('/notifications/read-all').type('form').send(body),
        await agents.admin.post(`/admin/enterprises/${w.companyA.id}/active`).type('form').send({ ...body, active: 'false' }),
        await agents.mgr1.post(`/admin/nodes/${w.x.nodeId}/closures`).type('form').send({ ...body, startDate: '2026-10-12', endDate: '2026-10-12', reason: '伪造' }),
        // multipart forms: the token is checked after the body is read, before any file is kept
        await postMultipart(agents.entA, '/bookings', { ...body, service: 'CAL-PG', node: String(w.x.nodeId) }, [{ field: 'file_other', buffer: SECRET_PDF, name: 'x.pdf' }]),
        await postMultipart(agents.staff1, `/lab/bookings/${w.x.number}/revoke_report`, { ...body, reason: '伪造' }, [{ field: 'file_report_pdf', buffer: SECRET_PDF, name: 'x.pdf' }]),
      ];
      for (const [i, res] of forms.entries()) {
        expect(res.status, `${labels[i]} with token ${token}`).to.equal(403);
        expect(res.text).to.contain('表单已过期');
      }
    }
    expect(await stateDigest(w.t)).to.deep.equal(before);
    expect(filesUnder(w.t.uploadDir).length).to.equal(files);
  });

  it('sends security headers on pages, error pages and downloads; personal pages are never cached', async () => {
    const { agents } = w;
    const responses = {
      'public page': await agentFor(w.t.app).get('/'),
      '404 page': await agentFor(w.t.app).get('/no-such-page'),
      '403 page': await agents.entA.get('/admin/audit'),
      'booking page': await agents.entA.get(`/bookings/${w.x.number}`),
      attachment: await agents.entA.get(`/bookings/${w.x.number}/attachments/${w.x.attachmentId}`),
      'CSV export': await agents.admin.get('/admin/export/nodes.csv?period=year'),
    };
    for (const [label, res] of Object.entries(responses)) {
      const csp = String(res.headers['content-security-policy']);
      expect(csp, label).to.contain("default-src 'self'").and.contain("script-src 'self'").and.contain("frame-ancestors 'none'").and.contain("object-src 'none'");
      expect(csp, label).not.to.contain('unsafe-inline');
      expect(res.headers['x-content-type-options'], label).to.equal('nosniff');
      expect(res.headers['x-frame-options'], label).to.equal('SAMEORIGIN');
      expect(res.headers['referrer-policy'], label).to.equal('no-referrer');
      expect(res.headers['x-powered-by'], label).to.equal(undefined);
    }
    for (const label of ['403 page', 'booking page', 'attachment', 'CSV export'] as const) {
      expect(responses[label].headers['cache-control'], label).to.match(/no-store/);
    }
    expect(responses.attachment.headers['content-disposition']).to.match(/^attachment;/);
    expect(responses['CSV export'].headers['content-disposition']).to.match(/^attachment;/);
  });
});

describe('security: cookies in production behind a TLS-terminating proxy', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ env: { NODE_ENV: 'production', PUBLIC_URL: 'https://nqi.zhoushan.gov.cn', TRUST_PROXY: '1', SESSION_SECRET: 'prod-like-secret-prod-like-secret-0123456789' } });
  });
  after(() => t?.close());

  it('marks the session cookie Secure and signs in over https as the proxy reports it', async () => {
    const { user } = await createCompanyUser(t.db);
    const agent = agentFor(t.app);
    const page = await agent.get('/login').set('X-Forwarded-Proto', 'https');
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).to.match(/;\s*Secure/i).and.match(/HttpOnly/i).and.match(/SameSite=Lax/i);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const res = await agent
      .post('/login')
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', `nqi.sid=${sidOf(page.headers['set-cookie'])}`)
      .type('form')
      .send({ _csrf: token, identifier: user.mobile, password: TEST_PASSWORD });
    expect(res.status).to.equal(302);
    expect(String(res.headers['set-cookie'])).to.match(/;\s*Secure/i);
    expect(String(res.headers['content-security-policy'])).to.contain('upgrade-insecure-requests');
    expect(res.headers['strict-transport-security']).to.match(/max-age=\d+/);
  });

  it('does not hand a session cookie to a plain-http request in production', async () => {
    const res = await agentFor(t.app).get('/login');
    expect(res.status).to.equal(200);
    expect(String(res.headers['set-cookie'] ?? '')).not.to.match(/nqi\.sid=/);
    await csrfFrom(agentFor(t.app).set('X-Forwarded-Proto', 'https'), '/login');
  });
});
