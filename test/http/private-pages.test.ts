import { expect } from 'chai';
import http from 'node:http';
import pg from 'pg';
import { eq, sql } from 'drizzle-orm';
import { bookings, notifications, users } from '../../src/db/schema.js';
import { rowsOf } from '../../src/db/client.js';
import { PgliteNamedStatements } from '../../src/db/pglite-named.js';
import { checkPageChanges } from '../../src/http/private-pages.js';
import { agentFor, createTestApp, login, type Agent, type TestApp } from '../support/app.js';
import { settableClock } from '../support/clock.js';
import { createCompanyUser, createUser, TEST_PASSWORD, type TestUser } from '../support/factories.js';
import { bookCalibration, enterpriseAction, labAction } from '../support/lab.js';
import { addInstrument } from '../support/ledger.js';
import { MONDAY_BEFORE_NATIONAL_DAY } from '../support/bookings.js';

/*
 * The signed-in pages kept in memory (src/http/private-pages.ts) are served again only while nothing they show has
 * changed: whoever changed it (the lab, the company, a script writing to the database), and whichever process serves
 * the next request. Each test reads what the user sees, and the cache's own counts show it was really used.
 */
describe('signed-in pages kept while nothing they show changes', () => {
  let t: TestApp;
  const clock = settableClock(MONDAY_BEFORE_NATIONAL_DAY);
  let company: Awaited<ReturnType<typeof createCompanyUser>>;
  let companyAgent: Agent;
  let tech: TestUser;
  let techAgent: Agent;

  before(async () => {
    t = await createTestApp({ clock });
    company = await createCompanyUser(t.db, { name: '舟山海星船舶修造有限公司' });
    companyAgent = agentFor(t.app);
    await login(companyAgent, company.user.mobile, TEST_PASSWORD);
    tech = await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' }, { name: '李明' });
    techAgent = agentFor(t.app);
    await login(techAgent, tech.mobile, TEST_PASSWORD);
  });
  after(() => t?.close());

  const hits = () => t.privatePages.stats.hits;
  /** The row of one booking in the list (its number to the end of its table row). */
  const rowOf = (html: string, number: string) => html.slice(html.indexOf(number), html.indexOf('</tr>', html.indexOf(number)));

  it('serves my bookings again from memory, and shows the lab accepting a booking on the very next request', async () => {
    const number = await bookCalibration(t, company.user.id);
    await companyAgent.get('/bookings'); // the welcome message after signing in, shown once
    const first = await companyAgent.get('/bookings');
    expect(rowOf(first.text, number)).to.contain('待受理');
    const before = hits();
    const again = await companyAgent.get('/bookings');
    expect(again.text).to.equal(first.text);
    expect(hits()).to.equal(before + 1);

    expect((await labAction(techAgent, number, 'accept')).status).to.equal(303);
    const after = await companyAgent.get('/bookings');
    expect(after.status).to.equal(200);
    expect(rowOf(after.text, number)).to.contain('已受理');
    expect(hits()).to.equal(before + 1); // rendered anew, not served from memory
  });

  it('shows a change written straight to the database (a script, psql) on the next request', async () => {
    const number = await bookCalibration(t, company.user.id);
    await companyAgent.get(`/bookings/${number}`);
    const kept = await companyAgent.get(`/bookings/${number}`);
    expect(kept.text).to.contain('张伟');
    await t.db.update(bookings).set({ contactName: '王芳' }).where(eq(bookings.number, number));
    const page = await companyAgent.get(`/bookings/${number}`);
    expect(page.text).to.contain('王芳');
    expect(page.text).not.to.contain('张伟');
  });

  it("keeps a company's page when another company books, and the lab queue renews when a booking arrives at its node", async () => {
    // (a new company is reference data every page may name: registered before the pages are kept)
    const other = await createCompanyUser(t.db, { name: '舟山另一家公司' });
    await companyAgent.get('/bookings');
    await techAgent.get('/lab');
    const before = hits();
    const number = await bookCalibration(t, other.user.id);
    await companyAgent.get('/bookings');
    expect(hits()).to.equal(before + 1); // another company's booking is not on this page
    const queue = await techAgent.get('/lab');
    expect(queue.text).to.contain(number);
    expect(hits()).to.equal(before + 1); // the node's queue was rendered anew
  });

  it('shows a message after a redirect although the page was kept, and keeps no page with one', async () => {
    const number = await bookCalibration(t, company.user.id);
    await companyAgent.get(`/bookings/${number}`);
    await companyAgent.get(`/bookings/${number}`);
    const cancel = await enterpriseAction(companyAgent, number, 'cancel', { reason: '计划调整' });
    expect(cancel.status).to.equal(303);
    const shown = await companyAgent.get(cancel.headers.location!);
    expect(shown.text).to.contain('已取消');
    expect(shown.text).to.contain('alert');
    const next = await companyAgent.get(cancel.headers.location!);
    expect(next.text).not.to.contain(`预约 ${number} 已取消，占用的名额已释放。`); // shown once
  });

  it("takes the user's own changes (a message, a sign-in elsewhere, a new name) and the clock's minute into account", async () => {
    await companyAgent.get('/instruments');
    await companyAgent.get('/instruments');
    // A message for the user: the header's unread count, read with the session, is on the kept page too.
    await t.db.insert(notifications).values({ userId: company.user.id, title: '预约已受理', body: '您的预约已受理。' });
    const unread = await companyAgent.get('/instruments');
    expect(unread.text).to.match(/站内信 <span class="badge[^>]*>\d+<\/span>/);
    const other = agentFor(t.app);
    await login(other, company.user.mobile, TEST_PASSWORD); // signing in elsewhere writes last_login_at
    const before1 = hits();
    await companyAgent.get('/instruments');
    expect(hits()).to.equal(before1);
    await t.db.update(users).set({ name: '张三丰' }).where(eq(users.id, company.user.id));
    expect((await companyAgent.get('/instruments')).text).to.contain('张三丰');
    await addInstrument(t, company.enterprise.id, { name: '精密压力表', serialNo: 'KEPT-001' });
    expect((await companyAgent.get('/instruments')).text).to.contain('KEPT-001');

    const before = hits();
    await companyAgent.get('/instruments');
    expect(hits()).to.equal(before + 1);
    clock.set('2026-09-28T09:01:00+08:00'); // the next minute: dates on the page may have moved
    await companyAgent.get('/instruments');
    expect(hits()).to.equal(before + 1);
    clock.set(MONDAY_BEFORE_NATIONAL_DAY);
  });

  it('keeps at most 16 pages per session, so one session walking query variants cannot push out the others', async () => {
    const { user } = await createCompanyUser(t.db);
    const walker = agentFor(t.app);
    await login(walker, user.mobile, TEST_PASSWORD);
    t.privatePages.clear();
    await companyAgent.get('/bookings');
    for (let i = 0; i < 24; i++) expect((await walker.get(`/bookings?q=${i}`)).status).to.equal(200);
    expect(t.privatePages.size).to.equal(17);
    const before = hits();
    await companyAgent.get('/bookings');
    expect(hits()).to.equal(before + 1);
    await walker.get('/bookings?q=23'); // the newest of the walker's pages is still kept
    expect(hits()).to.equal(before + 2);
  });

  it('has a message left for the next page saved in the session before the redirect reaches the browser', async () => {
    // With several processes the browser's next request may read the session anywhere: the message must be stored
    // by the time the redirect's headers arrive, not after (it then showed one page late).
    const number = await bookCalibration(t, company.user.id);
    const page = await companyAgent.get(`/bookings/${number}`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const cookie = (companyAgent as unknown as { jar: { getCookie(name: string, access: object): { toValueString(): string } } }).jar
      .getCookie('nqi.sid', { domain: '127.0.0.1', path: '/', secure: false, script: false })
      .toValueString();
    const server = t.app.listen(0);
    try {
      const port = (server.address() as { port: number }).port;
      const body = new URLSearchParams({ _csrf: csrf, reason: '计划调整' }).toString();
      const sid = decodeURIComponent(cookie.slice('nqi.sid='.length)).replace(/^s:/, '').replace(/\.[^.]*$/, '');
      // The session's row is held by another transaction for a moment, as a slow commit would hold it: the redirect
      // must wait for the save (on the embedded database, one session, everything simply waits its turn).
      let locked!: () => void;
      const lockTaken = new Promise<void>((resolve) => (locked = resolve));
      const holding = t.db.transaction(async (tx) => {
        await tx.execute(sql`SELECT 1 FROM sessions WHERE sid = ${sid} FOR UPDATE`);
        locked();
        await new Promise((r) => setTimeout(r, 300));
      });
      if (!t.database.pglite) await lockTaken;
      const flashAtHeaders = await new Promise<unknown>((resolve, reject) => {
        const req = http.request({ port, method: 'POST', path: `/bookings/${number}/cancel`, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
          expect(res.statusCode).to.equal(303);
          // the moment the headers arrive: what another process would read now
          t.db
            .execute(sql`SELECT sess -> 'flash' AS flash FROM sessions WHERE sid = ${sid}`)
            .then((r) => resolve(rowsOf<{ flash: unknown }>(r)[0]?.flash), reject)
            .finally(() => res.resume());
        });
        req.on('error', reject);
        req.end(body);
      });
      await holding;
      expect(JSON.stringify(flashAtHeaders)).to.contain('已取消');
    } finally {
      server.close();
    }
  });

  it('renders the page as usual when the check cannot be made', async () => {
    await companyAgent.get('/bookings');
    await companyAgent.get('/bookings');
    await t.db.execute(sql`ALTER TABLE page_changes RENAME TO page_changes_away`);
    try {
      const page = await companyAgent.get('/bookings');
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('我的预约');
    } finally {
      await t.db.execute(sql`ALTER TABLE page_changes_away RENAME TO page_changes`);
    }
  });

  it('treats changes written by another cluster (a restored backup) as none, once dropped', async () => {
    const { enterprise } = await createCompanyUser(t.db);
    const scope = `e:${enterprise.id}`;
    const { snapshot } = await checkPageChanges(t.db, [scope], null);
    await t.db.execute(sql`INSERT INTO page_changes (scope, xid) VALUES (${scope}, '999999999999'::xid8)`);
    expect((await checkPageChanges(t.db, [scope], snapshot)).unchanged).to.equal(false);
    await t.privatePages.dropForeignChanges();
    expect((await checkPageChanges(t.db, [scope], snapshot)).unchanged).to.equal(true);
  });

  it('signs out a deactivated user at once although their pages were kept', async () => {
    const { user } = await createCompanyUser(t.db);
    const agent = agentFor(t.app);
    await login(agent, user.mobile, TEST_PASSWORD);
    await agent.get('/bookings');
    await agent.get('/bookings');
    await t.db.update(users).set({ active: false }).where(eq(users.id, user.id));
    const after = await agent.get('/bookings');
    expect(after.status).to.equal(302);
    expect(after.headers.location).to.match(/^\/login/);
  });

  it('treats a change as after the snapshot when it committed later or was still running when the snapshot was taken', async () => {
    const { enterprise } = await createCompanyUser(t.db);
    const mine = [`e:${enterprise.id}`];
    const { snapshot } = await checkPageChanges(t.db, mine, null);
    expect((await checkPageChanges(t.db, mine, snapshot)).unchanged).to.equal(true);
    await addInstrument(t, enterprise.id); // the trigger writes e:<id> in the same transaction
    expect((await checkPageChanges(t.db, mine, snapshot)).unchanged).to.equal(false);
    expect((await checkPageChanges(t.db, ['e:0'], snapshot)).unchanged).to.equal(true);
    const later = (await checkPageChanges(t.db, mine, null)).snapshot;
    expect((await checkPageChanges(t.db, mine, later)).unchanged).to.equal(true);

    // A snapshot taken while the writer was still running lists it as in progress: its change counts as after.
    const [change] = rowsOf<{ xid: string }>(await t.db.execute(sql`SELECT max(xid::text::bigint)::text AS xid FROM page_changes WHERE scope = ${mine[0]}`));
    const x = BigInt(change!.xid);
    expect((await checkPageChanges(t.db, mine, `${x}:${x + 1n}:${x}`)).unchanged).to.equal(false);
    expect((await checkPageChanges(t.db, mine, `${x + 1n}:${x + 1n}:`)).unchanged).to.equal(true);
  });

  it('prunes only the changes no kept page can need', async () => {
    const { enterprise } = await createCompanyUser(t.db);
    const scope = `e:${enterprise.id}`;
    await addInstrument(t, enterprise.id);
    const count = async () => rowsOf<{ n: number }>(await t.db.execute(sql`SELECT count(*)::int AS n FROM page_changes WHERE scope = ${scope}`))[0]!.n;
    expect(await t.privatePages.prune()).to.equal(0); // the first prune only notes the horizon
    const { snapshot } = await checkPageChanges(t.db, [scope], null);
    await addInstrument(t, enterprise.id);
    expect(await count()).to.be.greaterThanOrEqual(2);
    await t.privatePages.prune();
    expect(await count()).to.equal(1); // the change before the first prune is gone, the later one stays
    expect((await checkPageChanges(t.db, [scope], snapshot)).unchanged).to.equal(false);
  });

  /*
   * The guard for whoever adds a query to one of these pages: every table the page reads must have the triggers, and
   * name a scope the page is kept under. Every statement the pages run is captured from the driver.
   */
  it('has every table a kept page reads tracked under a scope that page is kept by', async () => {
    const number = await bookCalibration(t, company.user.id);
    await addInstrument(t, company.enterprise.id);
    const statements: string[] = [];
    const restore: (() => void)[] = [];
    const pglite = t.database.pglite;
    if (pglite) {
      for (const method of ['query', 'exec'] as const) {
        const original = pglite[method].bind(pglite) as (...args: unknown[]) => Promise<unknown>;
        (pglite as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
          statements.push(String(args[0]));
          return original(...args);
        };
        restore.push(() => ((pglite as unknown as Record<string, unknown>)[method] = original));
      }
      const named = PgliteNamedStatements.prototype.query;
      PgliteNamedStatements.prototype.query = function (this: PgliteNamedStatements, name: string, text: string, params: unknown[], options?: object) {
        statements.push(text);
        return named.call(this, name, text, params, options);
      };
      restore.push(() => (PgliteNamedStatements.prototype.query = named));
    } else {
      // node-postgres: every pooled connection is a pg.Client
      const original = pg.Client.prototype.query;
      pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
        const first = args[0] as string | { text?: string };
        statements.push(typeof first === 'string' ? first : (first?.text ?? ''));
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof original;
      restore.push(() => (pg.Client.prototype.query = original));
    }

    const tables = new Set(rowsOf<{ name: string }>(await t.db.execute(sql`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`)).map((r) => r.name));
    const scopesOf = new Map<string, Set<string>>();
    const triggers = rowsOf<{ table: string; fn: string; args: string }>(
      await t.db.execute(sql`SELECT c.relname AS table, p.proname AS fn, encode(tg.tgargs, 'escape') AS args FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_proc p ON p.oid = tg.tgfoid WHERE tg.tgname LIKE '%page_changes%'`),
    );
    for (const { table, fn, args } of triggers) {
      const kinds = scopesOf.get(table) ?? new Set<string>();
      if (fn === 'page_changes_everywhere') kinds.add('*');
      if (fn === 'page_changes_of_users') ['u', 'e', 'n', '*'].forEach((k) => kinds.add(k));
      for (const m of args.matchAll(/'([enu]):'/g)) kinds.add(m[1]!);
      if (/ARRAY\['\*'\]/.test(args)) kinds.add('*');
      scopesOf.set(table, kinds);
    }
    const pages: [Agent, string, string[]][] = [
      [companyAgent, '/bookings', ['*', 'e', 'u']],
      [companyAgent, `/bookings/${number}`, ['*', 'e', 'u']],
      [companyAgent, '/instruments', ['*', 'e', 'u']],
      [companyAgent, '/equipment', ['*', 'e', 'u']],
      [techAgent, '/lab', ['*', 'n', 'u']],
      [techAgent, '/lab?tab=done', ['*', 'n', 'u']],
    ];
    const problems: string[] = [];
    try {
      for (const [agent, url, keptBy] of pages) {
        t.privatePages.clear();
        statements.length = 0;
        expect((await agent.get(url)).status, url).to.equal(200);
        const read = new Set<string>();
        for (const text of statements) for (const m of text.matchAll(/\b(?:from|join)\s+"?([a-z_]+)"?/gi)) if (tables.has(m[1]!)) read.add(m[1]!);
        for (const table of ['sessions', 'page_changes']) read.delete(table); // the session's own statement; the check itself
        expect(read.size, `${url} reads tables`).to.be.greaterThan(0);
        for (const table of read) {
          const kinds = scopesOf.get(table);
          if (!kinds) problems.push(`${url} reads ${table}, which has no page_changes trigger`);
          else if (!keptBy.some((k) => kinds.has(k))) problems.push(`${url} reads ${table}, whose changes name ${[...kinds].join(',')}, not ${keptBy.join(',')}`);
        }
      }
    } finally {
      for (const undo of restore) undo();
    }
    expect(problems).to.deep.equal([]);
  });
});
