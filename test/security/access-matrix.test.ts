import { expect } from 'chai';
import type { Agent } from '../support/app.js';
import { filesUnder, postMultipart } from '../support/bookings.js';
import { buildWorld, digestOfX, PRINCIPALS, SECRET_PDF, stateDigest, tokenOf, type World } from './fixture.js';
import { POLICIES, preparePolicies, PUBLIC, SIGNED_IN, type P, type Policy } from './policies.js';
import { routeTable } from './routes.js';
import { IN_SCOPE } from './actions.js';
import { TRANSITIONS } from '../../src/bookings/lifecycle.js';
import { REPORT_ACTIONS } from '../../src/lab/report-actions.js';
import { bookings } from '../../src/db/schema.js';
import { eq } from 'drizzle-orm';

function secretsFor(w: World, policy: Policy): string[] {
  switch (policy.secrets ?? 'booking') {
    case 'none':
      return [];
    case 'staff':
      return w.secrets.staff;
    case 'booking+number':
      return [...w.secrets.booking, w.x.number];
    case 'booking':
      return w.secrets.booking;
    case 'equipment':
      return w.secrets.equipment;
    case 'equipment+number':
      return [...w.secrets.equipment, w.eq.number];
  }
}

describe('security: access control over every route (IDOR, roles, scopes, files)', function () {
  this.timeout(120_000);
  let w: World;
  const tokens = new Map<P, string>();

  before(async () => {
    w = await buildWorld();
    await preparePolicies(w);
    for (const p of SIGNED_IN) tokens.set(p, await tokenOf(w.agents[p as Exclude<P, 'anon'>], true));
  });
  after(() => w?.t.close());

  it('has a policy line for every route the app answers, and none for routes that no longer exist', () => {
    const routes = routeTable(w.t.app).map((r) => `${r.method} ${r.path}`);
    expect(routes.filter((r) => !(r in POLICIES)), 'routes without a policy').to.deep.equal([]);
    expect(Object.keys(POLICIES).filter((k) => !routes.includes(k)), 'policies without a route').to.deep.equal([]);
  });

  async function send(p: P, method: string, url: string, policy: Policy, hops = 1): Promise<{ status: number; location: string; text: string }> {
    let agent: Agent;
    let token = '';
    if (p === 'anon') {
      agent = w.anon();
      if (method === 'POST') token = await tokenOf(agent, false);
    } else {
      agent = w.agents[p];
      token = tokens.get(p)!;
    }
    if (method === 'GET') {
      const res = await agent.get(url).buffer(true).parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
      const location = String(res.headers.location ?? '');
      // A redirect to another page of the app (staff are sent from /bookings/:no to the workbench) is followed once:
      // what counts is where it ends.
      if (hops > 0 && [302, 303].includes(res.status) && location.startsWith('/') && !location.startsWith('/login')) return send(p, 'GET', location, policy, hops - 1);
      return { status: res.status, location, text: (res.body as Buffer).toString('utf8') };
    }
    const body = { _csrf: token, ...(policy.body?.(w) ?? {}) };
    const res = policy.multipart
      ? await postMultipart(agent, url, body, [{ field: url.includes('/lab/') ? 'file_report_pdf' : url.endsWith('/resubmit') ? 'file_correction' : 'file_other', buffer: SECRET_PDF, name: '越权.pdf' }])
      : await agent.post(url).type('form').send(body);
    return { status: res.status, location: String(res.headers.location ?? ''), text: res.text ?? '' };
  }

  for (const [key, policy] of Object.entries(POLICIES)) {
    if (policy === PUBLIC) continue;
    const [method] = key.split(' ') as [string, string];
    it(`${key}: ${policy.sees.join(', ')} in scope${policy.reach ? `; ${policy.reach.join(', ')} see only their own` : ''}; everyone else refused`, async () => {
      const url = policy.url(w);
      const secrets = secretsFor(w, policy);
      const before = method === 'POST' ? await stateDigest(w.t) : undefined;
      const beforeX = method === 'POST' ? await digestOfX(w) : undefined;
      const filesBefore = filesUnder(w.t.uploadDir).length;
      // Refused principals first (nothing at all may change), then those who may act on their own scope (X may not).
      const reach = policy.reach ?? [];
      const order = [...PRINCIPALS.filter((p) => !reach.includes(p)), ...reach];
      let checkedRefusals = false;
      for (const p of order) {
        const inScope = policy.sees.includes(p);
        if (inScope && method === 'POST') continue;
        if (before && !checkedRefusals && reach.includes(p)) {
          expect(await stateDigest(w.t), `${key}: refused requests changed data`).to.deep.equal(before);
          checkedRefusals = true;
        }
        const res = await send(p, method, url, policy);
        const where = `${p} ${method} ${url} → ${res.status}`;
        expect(res.status, where).to.be.below(500);
        if (inScope) {
          expect([403, 404], `${where}: in scope, must not be refused`).not.to.include(res.status);
          continue;
        }
        // The requester's own name and mobile are on every page they see (the header).
        const own = p === 'anon' ? [] : [w.users[p].name, w.users[p].mobile];
        for (const secret of secrets.filter((s) => !own.includes(s))) expect(res.text, `${where} leaks “${secret}”`).not.to.contain(secret);
        if (reach.includes(p)) continue;
        if (p === 'anon') {
          // Not signed in: GET pages send to the login page; a POST may also be answered 401 or 403 (CSRF) outright.
          if (method === 'GET' || ![401, 403].includes(res.status)) {
            expect([302, 303], where).to.include(res.status);
            expect(res.location, where).to.match(/^\/login/);
          }
        } else {
          expect([403, 404], where).to.include(res.status);
        }
      }
      if (before && !checkedRefusals) expect(await stateDigest(w.t), `${key}: refused requests changed data`).to.deep.equal(before);
      if (beforeX) expect(await digestOfX(w), `${key}: requests out of X's scope changed X`).to.deep.equal(beforeX);
      expect(filesUnder(w.t.uploadDir).length, `${key}: a refused upload left a file`).to.equal(filesBefore);
    });
  }

  it("does not serve one booking's attachment, report or notification under another booking or user (mismatched ids)", async () => {
    const { agents } = w;
    const checks: [Agent, string][] = [
      [agents.entB, `/bookings/${w.y.number}/attachments/${w.x.attachmentId}`],
      [agents.entA, `/bookings/${w.x.number}/attachments/${w.y.attachmentId}`],
      [agents.staff2, `/bookings/${w.y.number}/attachments/${w.x.attachmentId}`],
      [agents.entB, `/bookings/${w.y.number}/reports/1`],
      [agents.entB, `/bookings/${w.y.number}/reports/1/pdf`],
      [agents.entA, `/bookings/${w.x.number}/reports/2`],
      [agents.staff2, `/lab/bookings/${w.x.number}`],
      [agents.park2, `/bookings/${w.x.number}`],
      [agents.mgr2, `/admin/nodes/${w.x.nodeId}`],
    ];
    for (const [agent, url] of checks) {
      const res = await agent.get(url);
      expect(res.status, url).to.equal(404);
      for (const secret of w.secrets.booking) expect(res.text, `${url} leaks ${secret}`).not.to.contain(secret);
    }
    // the same ids in their own pairs do answer (the checks above are not 404 for everything)
    expect((await agents.entB.get(`/bookings/${w.y.number}/attachments/${w.y.attachmentId}`)).status).to.equal(200);
    expect((await agents.entA.get(`/bookings/${w.x.number}/attachments/${w.x.attachmentId}`)).status).to.equal(200);
  });

  it('answers malformed and out-of-range ids in every route, for every method and every principal, with a refusal — never a 500, nothing saved', async function () {
    this.timeout(600_000);
    const garbage = ['0', '-1', '1e3', '99999999999999999999', 'abc', '%00', '..%2F..%2Fetc%2Fpasswd', "1'%20OR%20'1'%3D'1", '%E2%80%AE', 'null', '1.5'];
    const before = await stateDigest(w.t);
    const problems: string[] = [];
    const anon = w.anon();
    const anonToken = await tokenOf(anon, false);
    for (const r of routeTable(w.t.app)) {
      if (!r.path.includes(':')) continue;
      // The open API answers 401 to any request without a bearer key; its malformed ids are tried with keys in test/http/api.test.ts.
      if (r.path.startsWith('/api/')) continue;
      for (const p of PRINCIPALS) {
        const agent = p === 'anon' ? anon : w.agents[p];
        const token = p === 'anon' ? anonToken : tokens.get(p)!;
        for (const bad of garbage) {
          const url = r.path.replace(/:[a-z]+/g, bad);
          const res = r.method === 'GET' ? await agent.get(url) : await agent.post(url).type('form').send({ _csrf: token, reason: '畸形编号', active: '0' });
          const where = `${p} ${r.method} ${url} → ${res.status}`;
          // 404 (no such record), 400 (NUL), 403 (wrong role), anonymous: to the login page or 401
          const refusals = p === 'anon' ? [302, 400, 401, 403, 404] : [400, 403, 404];
          if (!refusals.includes(res.status)) problems.push(where);
          if (/\bat .+\.(ts|js):\d+/.test(res.text ?? '')) problems.push(`${where}: stack trace`);
        }
      }
    }
    expect(problems, problems.slice(0, 20).join('\n')).to.deep.equal([]);
    expect(await stateDigest(w.t), 'a request with a malformed id changed data').to.deep.equal(before);
  });

  // Every action name the workbench route takes, written out (the code's list must be the same).
  const LAB_ACTIONS = [
    'accept', 'reject', 'needs_info', 'resubmit', 'receive', 'start', 'submit_results', 'verify', 'retract', 'issue_report', 'complete', 'cancel',
    'open_revision', 'submit_revision', 'verify_revision', 'retract_revision', 'issue_revision', 'withdraw_revision', 'revoke_report', 'upload_report_pdf', 'confirm_report_pdf', 'discard_report_pdf',
  ];

  it('tries every workbench action out of scope (404) and with the wrong role (403); none changes anything', async () => {
    expect([...Object.keys(TRANSITIONS), ...REPORT_ACTIONS].sort()).to.deep.equal([...LAB_ACTIONS].sort());
    const beforeX = await digestOfX(w);
    const before = await stateDigest(w.t);
    const [{ status: original }] = (await w.t.db.select({ status: bookings.status }).from(bookings).where(eq(bookings.id, w.x.id))) as [{ status: typeof bookings.$inferSelect.status }];
    const problems: string[] = [];
    // X in every state a step could start from: each action is tried where it would otherwise apply
    for (const status of ['submitted', 'needs_info', 'accepted', 'received', 'in_progress', 'to_verify', 'verified', 'reported'] as const) {
      await w.t.db.update(bookings).set({ status }).where(eq(bookings.id, w.x.id));
      const digest = await digestOfX(w);
      for (const action of [...LAB_ACTIONS, 'no_such_action', '__proto__', 'constructor']) {
        for (const p of ['staff2', 'mgr2', 'entA', 'entB', 'park1', 'admin', 'anon'] as const) {
          const agent = p === 'anon' ? w.anon() : w.agents[p];
          const token = p === 'anon' ? await tokenOf(agent, false) : tokens.get(p)!;
          const res = await agent.post(`/lab/bookings/${w.x.number}/${action}`).type('form').send({ _csrf: token, reason: '越权操作', assignee: String(w.users.staff1.id) });
          const expected = p === 'anon' ? [401] : ['staff2', 'mgr2'].includes(p) ? [404] : [403];
          if (!expected.includes(res.status)) problems.push(`${p} ${action} on ${status} → ${res.status} (expected ${expected.join('/')})`);
        }
      }
      // the owning node's staff get 404 for an action that does not exist
      const unknown = await w.agents.staff1.post(`/lab/bookings/${w.x.number}/no_such_action`).type('form').send({ _csrf: tokens.get('staff1')! });
      if (unknown.status !== 404) problems.push(`staff1 no_such_action → ${unknown.status}`);
      expect(await digestOfX(w), `an action on X in ${status} changed it`).to.deep.equal(digest);
    }
    await w.t.db.update(bookings).set({ status: original }).where(eq(bookings.id, w.x.id));
    expect(problems, problems.slice(0, 20).join('\n')).to.deep.equal([]);
    expect(await digestOfX(w)).to.deep.equal(beforeX);
    expect(await stateDigest(w.t)).to.deep.equal(before);
  });

  // In-scope requests change what they are for (each on a record made for it), for every principal in scope.
  for (const [key, policy] of Object.entries(POLICIES)) {
    if (policy === PUBLIC || !key.startsWith('POST ')) continue;
    it(`${key}: in scope (${policy.sees.join(', ')}) it succeeds and does what it is for`, async () => {
      const spec = IN_SCOPE[key];
      expect(spec, `no in-scope request for ${key} (test/security/actions.ts)`).not.to.equal(undefined);
      const who = policy.sees.length === SIGNED_IN.length ? (['fresh'] as const) : policy.sees;
      expect(spec!.who, `${key}: in-scope principals without a request`).to.include.members([...who]);
      for (const p of who) {
        const attempt = await spec!.prepare(w, p);
        const token = await tokenOf(attempt.agent, attempt.signedIn);
        // a route that takes nothing but a file gets it the way its form sends it (multipart)
        const res = spec!.needsFile ? await postMultipart(attempt.agent, attempt.url, { ...attempt.fields, _csrf: token }, attempt.files) : await attempt.agent.post(attempt.url).type('form').send({ ...attempt.fields, _csrf: token });
        expect(res.status, `${p} ${key}: ${res.text?.slice(0, 300)}`).to.be.below(400);
        await attempt.done({ status: res.status, headers: res.headers as Record<string, string> });
      }
    });
  }
});
