import { expect } from 'chai';
import type { Agent } from '../support/app.js';
import { login } from '../support/app.js';
import { TEST_PASSWORD } from '../support/factories.js';
import { crawlForms, type FoundForm } from './crawl.js';
import { enterprises, outbox } from '../../src/db/schema.js';
import { validCreditCode } from '../support/factories.js';
import { bookCalibration } from '../support/lab.js';
import { advance, buildWorld, stateDigest, tokenOf, type LabStep, type PrincipalKey, type World } from './fixture.js';
import { routeTable } from './routes.js';

const HTML = `<script>alert("xss")</script><img src=x onerror=alert(1)>"'><svg onload=alert(2)>`;
/** What must never come back unescaped: any of these in a response means the payload was rendered as markup. */
const RAW_MARKUP = ['<script>alert("xss")', '<img src=x onerror', '<svg onload'];
const SQL = `' OR '1'='1'; DROP TABLE bookings; --`;
const ODD_VALUES = ['\u0000', '-1', '1e309', 'NaN', '2026-02-30', '９９', '0x10', ' ', '\t\n', '[]', '{}', 'true', '１３９００００００００'];
const STACK_TRACE = /\bat .+\.(ts|js):\d+|node_modules\//;

type Pairs = [string, string][];

/** The ways a form is sent wrong, each as key/value pairs (so arrays, nested keys and odd names can be expressed). */
function variants(form: FoundForm): { label: string; pairs: Pairs }[] {
  const csrf = form.fields.find((f) => f.name === '_csrf')?.value ?? '';
  const fields = form.fields.filter((f) => f.name !== '_csrf');
  const defaults: Pairs = fields.map((f) => [f.name, f.value]);
  const base: Pairs = [['_csrf', csrf]];
  const out: { label: string; pairs: Pairs }[] = [
    { label: 'no fields', pairs: base },
    { label: 'SQL in every field', pairs: [...base, ...fields.map((f): [string, string] => [f.name, SQL])] },
    { label: 'HTML in every field', pairs: [...base, ...fields.map((f): [string, string] => [f.name, HTML])] },
    { label: 'long text in every field', pairs: [...base, ...fields.map((f): [string, string] => [f.name, '长'.repeat(3_000)])] },
    { label: 'one huge field', pairs: [...base, ...defaults, [fields[0]?.name ?? 'x', 'x'.repeat(300_000)]] },
    { label: 'every field twice (arrays)', pairs: [...base, ...defaults, ...defaults] },
    { label: 'every field an object', pairs: [...base, ...fields.flatMap((f): Pairs => [[`${f.name}[a]`, '1'], [`${f.name}[b][c]`, '2']])] },
    { label: 'odd values', pairs: [...base, ...fields.map((f, i): [string, string] => [f.name, ODD_VALUES[i % ODD_VALUES.length]!])] },
    {
      label: 'prototype pollution keys',
      pairs: [
        ...base,
        ...defaults,
        ['__proto__[polluted]', 'yes'],
        ['constructor[prototype][polluted]', 'yes'],
        ['__proto__.polluted', 'yes'],
        [`${fields[0]?.name ?? 'x'}[__proto__][polluted]`, 'yes'],
        ['items[__proto__][polluted]', 'yes'],
      ],
    },
  ];
  // Every field in turn carries the HTML payload while the rest keep their values: the one that gets saved
  // must come back escaped wherever it is shown.
  for (const f of fields) {
    if (f.type === 'hidden' && /idempotencyKey/.test(f.name)) continue;
    out.push({ label: `HTML in ${f.name}`, pairs: [...base, ...defaults.map(([k, v]): [string, string] => [k, k === f.name ? HTML : v])] });
  }
  return out;
}

function send(agent: Agent, form: FoundForm, pairs: Pairs) {
  if (form.multipart) {
    let req = agent.post(form.action);
    for (const [k, v] of pairs) req = req.field(k, v);
    return req;
  }
  const body = new URLSearchParams(pairs).toString();
  return agent.post(form.action).type('form').send(body);
}

/** Where each principal starts crawling (the crawler follows links from there). */
function startPages(w: World): Record<PrincipalKey, string[]> {
  const booking = [`/bookings/${w.x.number}`, `/bookings/${w.y.number}`];
  // Open sharing: the instrument's page (booking form), the company's and the node's booking pages, the node's forms.
  const sharing = { entA: [`/equipment/${w.eq.id}`, '/equipment/bookings', `/equipment/bookings/${w.eq.number}`, '/equipment/offer'], staff1: ['/equipment/desk', `/equipment/bookings/${w.eq.number}`, `/equipment/manage/${w.eq.id}`], mgr1: [`/equipment/manage/${w.eq.id}`, '/equipment/manage/new'], admin: ['/equipment/rules', '/equipment/manage/new', `/equipment/manage/${w.eq.id}`, `/equipment/manage/${w.eq.offerId}`] };
  return {
    anon: ['/', '/login', '/register', '/verify'],
    entA: ['/', '/account', `/bookings/new?service=CAL-PG&node=${w.x.nodeId}`, `/bookings/new?service=YP-ISO8217`, ...booking, '/bookings', '/notifications', '/instruments', `/instruments/${w.ledger.instrumentId}`, `/instruments/book?ids=${w.ledger.instrumentId}`, '/instruments/import', '/instruments/settings', ...sharing.entA],
    entB: ['/', `/bookings/${w.y.number}`, `/bookings/${w.y.number}/reschedule`],
    staff1: ['/lab', `/lab/bookings/${w.x.number}`, '/lab?tab=submitted', ...sharing.staff1],
    staff2: ['/lab', `/lab/bookings/${w.y.number}`, '/lab?tab=submitted'],
    park1: ['/admin', '/account/password', '/admin/compliance'],
    park2: ['/admin'],
    mgr1: ['/admin', `/admin/nodes/${w.x.nodeId}`, '/admin/users', '/admin/users/new', `/lab/bookings/${w.x.number}`, ...sharing.mgr1],
    mgr2: ['/admin', `/admin/nodes/${w.y.nodeId}`, '/admin/users/new'],
    admin: ['/admin', '/admin/outbox', '/admin/compliance', '/admin/nodes', '/admin/nodes/new', `/admin/nodes/${w.x.nodeId}`, `/admin/nodes/${w.x.nodeId}/edit`, '/admin/services', '/admin/services/new', '/admin/users', '/admin/users/new', '/admin/enterprises', '/admin/audit', ...sharing.admin],
  };
}

describe('security: every form fuzzed (missing, wrong types, huge, arrays, prototype keys, SQL, HTML)', function () {
  this.timeout(300_000);
  let w: World;
  const formsBy = new Map<PrincipalKey, FoundForm[]>();
  let anonAgent: Agent;
  // Principals whose forms could lock others out (deactivate accounts, nodes, companies) go last.
  const ORDER: PrincipalKey[] = ['anon', 'entB', 'entA', 'staff2', 'staff1', 'park1', 'park2', 'mgr2', 'mgr1', 'admin'];
  // The forms the fixture's states show (revision steps and PDF confirmation appear only mid-revision: see lab.test.ts).
  const LAB_ACTIONS = ['accept', 'reject', 'needs_info', 'receive', 'start', 'submit_results', 'verify', 'retract', 'issue_report', 'open_revision', 'revoke_report'];

  before(async () => {
    w = await buildWorld();
    anonAgent = w.anon();
    // Y waits for corrections, so its company has the resubmit form; X's report exists (revise/revoke forms).
    const page = await w.agents.mgr2.get(`/lab/bookings/${w.y.number}`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    await w.agents.mgr2.post(`/lab/bookings/${w.y.number}/needs_info`).type('form').send({ _csrf: csrf, reason: '请补充上次检定证书' });
    // entA has a booking in each stage of the lab, so every workbench form is on some page; X is completed
    // (the evaluation form) and a company waits for its credit code to be reviewed.
    const stages: LabStep[][] = [
      [],
      ['accept'],
      ['accept', 'receive'],
      ['accept', 'receive', 'start'],
      ['accept', 'receive', 'start', 'submit_results'],
      ['accept', 'receive', 'start', 'submit_results', 'verify'],
      ['accept', 'receive', 'start', 'submit_results', 'verify', 'issue_report'],
    ];
    for (const [i, steps] of stages.entries()) {
      const number = await bookCalibration(w.t, w.users.entA.id, { slot: `2026-09-${i < 4 ? 30 : 29}|${i % 2 ? 'pm' : 'am'}`, serials: [`FZ-${i}-1`, `FZ-${i}-2`] });
      await advance(w.t, w.agents, w.users, number, steps);
    }
    const detail = await w.agents.entA.get(`/bookings/${w.x.number}`);
    const token = /name="_csrf" value="([^"]+)"/.exec(detail.text)![1]!;
    expect((await w.agents.entA.post(`/bookings/${w.x.number}/complete`).type('form').send({ _csrf: token })).status).to.equal(303);
    await w.t.db.insert(enterprises).values({ name: '待复核代码有限公司', creditCode: validCreditCode(), creditCodeReview: 'pending', parkId: null, address: '舟山市' });
    // entA has a calendar address (the revoke form), and an e-mail the outbox gave up on waits for the admin (retry form).
    await w.t.services.ledger.createFeed((await w.t.services.auth.loadPrincipal(w.users.entA.id))!);
    await w.t.db.insert(outbox).values({ kind: 'email', payload: { to: 'zhang.wei@example.com', subject: '计量器具到期提醒', text: '…' }, status: 'failed', attempts: 10, maxAttempts: 10, lastError: '550 mailbox unavailable' });
    // Every form is found before any is sent: fuzzing changes states, and with them which forms a page offers.
    for (const who of ORDER) formsBy.set(who, (await crawlForms(who === 'anon' ? anonAgent : w.agents[who], startPages(w)[who])).forms);
  });
  after(() => w?.t.close());

  for (const who of ORDER) {
    it(`${who}: no form answers 500 or a stack trace, refusals save nothing, nothing comes back unescaped`, async () => {
      let agent: Agent;
      if (who === 'anon') agent = anonAgent;
      else {
        agent = w.agents[who];
        // a form sent earlier may have ended this session (password change): sign in again
        if ((await agent.get('/account')).status !== 200) await login(agent, w.users[who].mobile, TEST_PASSWORD);
      }
      // the session's current token (a new sign-in has a new one)
      const csrf = await tokenOf(agent, who !== 'anon');
      const forms = formsBy.get(who)!.map((f) => ({ ...f, fields: f.fields.map((field) => (field.name === '_csrf' ? { ...field, value: csrf } : field)) }));
      expect(forms.length, `${who} found no forms`).to.be.greaterThan(0);
      if (process.env.FUZZ_DEBUG) console.log(who, forms.map((f) => `${f.action}(${f.fields.length})`).join(" "));
      const problems: string[] = [];
      let digest = await stateDigest(w.t);
      for (const form of forms) {
        for (const { label, pairs } of variants(form)) {
          const res = await send(agent, form, pairs);
          const where = `${who} POST ${form.action} [${label}] → ${res.status}`;
          if (res.status >= 500) problems.push(where);
          const text = res.text ?? '';
          if (STACK_TRACE.test(text)) problems.push(`${where}: stack trace in the response`);
          for (const raw of RAW_MARKUP) if (text.includes(raw)) problems.push(`${where}: payload rendered as markup`);
          const after = await stateDigest(w.t);
          if (res.status >= 400) {
            const changed = Object.keys(after).filter((k) => after[k] !== digest[k]);
            if (changed.length) problems.push(`${where}: refused but changed ${changed.join(', ')}`);
          }
          digest = after;
          if (({} as Record<string, unknown>).polluted !== undefined) problems.push(`${where}: Object.prototype polluted`);
        }
      }
      expect(problems, problems.slice(0, 20).join('\n')).to.deep.equal([]);
    });
  }

  it('reached a form for every POST route (the crawl is complete)', () => {
    const patterns = routeTable(w.t.app)
      .filter((r) => r.method === 'POST')
      .map((r) => ({ route: r.path, re: new RegExp(`^${r.path.replace(/:[a-z]+/g, '[^/]+')}$`) }));
    const covered = [...formsBy.values()].flat().map((f) => f.action.split('?')[0]!);
    // Sign-out takes no input; it is not fuzzed (it would end the crawling session).
    const missing = patterns.filter((p) => p.route !== '/logout' && !covered.some((a) => p.re.test(a)));
    expect(missing.map((m) => m.route)).to.deep.equal([]);
    // …and every workbench action, each its own form on the page of a booking in the right stage
    const labActions = new Set(covered.map((a) => /^\/lab\/bookings\/[^/]+\/([a-z_]+)$/.exec(a)?.[1]).filter(Boolean));
    expect([...LAB_ACTIONS].filter((a) => !labActions.has(a))).to.deep.equal([]);
  });

  it('shows every stored payload escaped on every page afterwards', async () => {
    const problems: string[] = [];
    for (const who of ['admin', 'entA', 'entB', 'staff1', 'mgr1', 'park1'] as const) {
      const agent = w.agents[who];
      if ((await agent.get('/account')).status !== 200) {
        try {
          await login(agent, w.users[who].mobile, TEST_PASSWORD);
        } catch {
          continue; // deactivated by the admin's fuzzing: the admin's own crawl covers what it sees
        }
      }
      const { pages } = await crawlForms(agent, startPages(w)[who], 120);
      for (const page of pages) {
        const res = await agent.get(page);
        for (const raw of RAW_MARKUP) if ((res.text ?? '').includes(raw)) problems.push(`${who} GET ${page}: stored payload rendered as markup`);
      }
    }
    expect(problems).to.deep.equal([]);
  });
});
