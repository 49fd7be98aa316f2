import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../src/db/client.js';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, login, type Agent, type TestApp } from '../support/app.js';
import { createCompanyUser, createUser, TEST_PASSWORD } from '../support/factories.js';
import { bookCalibration } from '../support/lab.js';
import { MONDAY_BEFORE_NATIONAL_DAY } from '../support/bookings.js';

/**
 * The lab queue pages by keyset (下一页 / 上一页 carry the first or last booking shown), not by OFFSET. Walking
 * forward and back across page boundaries must show every booking of the tab exactly once and in the tab's order,
 * also when many bookings share the sort time; a malformed or stale cursor shows the first page.
 */
describe('lab queue: keyset paging', () => {
  let t: TestApp;
  let staff: Agent;

  const numbersOn = (html: string) => [...html.matchAll(/<a class="font-monospace" href="\/lab\/bookings\/([^"]+)">/g)].map((m) => m[1]!);
  const linkOn = (html: string, rel: 'next' | 'prev') => {
    const href = new RegExp(`rel="${rel}" href="([^"]+)"`).exec(html)?.[1];
    return href?.replace(/&amp;/g, '&');
  };

  /** Follows one kind of link from a page to the end, returning every page's numbers. */
  async function walk(start: string, rel: 'next' | 'prev') {
    const pages: string[][] = [];
    let url: string | undefined = start;
    while (url && pages.length < 20) {
      const res = await staff.get(url);
      expect(res.status, url).to.equal(200);
      pages.push(numbersOn(res.text));
      url = linkOn(res.text, rel);
    }
    return pages;
  }

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    const company = await createCompanyUser(t.db, { name: '分页测试船厂' });
    const tech = await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' });
    staff = agentFor(t.app);
    await login(staff, tech.mobile, TEST_PASSWORD);
    const model = await bookCalibration(t, company.user.id);
    // 63 finished bookings whose updated_at falls on only 4 distinct instants (ties across page boundaries), and 58 in
    // the testing tab whose due dates repeat and are partly missing (sorted last).
    await t.db.execute(sql`
      INSERT INTO bookings (number, kind, enterprise_id, park_id, node_id, service_id, node_service_id, date, "window", units, status, delivery_mode,
                            contact_name, contact_mobile, created_by, idempotency_key, due_date, created_at, updated_at)
      SELECT 'JL-PAGE-' || lpad(g.i::text, 4, '0'), b.kind, b.enterprise_id, b.park_id, b.node_id, b.service_id, b.node_service_id,
             date '2026-09-01' + (g.i % 3), b."window", 1,
             (CASE WHEN g.i <= 63 THEN (CASE WHEN g.i % 2 = 0 THEN 'completed' ELSE 'reported' END) ELSE (CASE WHEN g.i % 2 = 0 THEN 'received' ELSE 'in_progress' END) END)::booking_status,
             b.delivery_mode, b.contact_name, b.contact_mobile, b.created_by, 'page-' || g.i,
             CASE WHEN g.i > 63 AND g.i % 5 <> 0 THEN date '2026-10-10' + (g.i % 4) END,
             timestamptz '2026-09-01 10:00+08', timestamptz '2026-09-20 10:00+08' + (g.i % 4) * interval '1 hour'
      FROM bookings b, generate_series(1, 121) AS g(i) WHERE b.number = ${model}`);
  });
  after(() => t?.close());

  for (const [tab, order] of [
    ['done', `ORDER BY updated_at DESC, id DESC`],
    ['testing', `ORDER BY due_date ASC NULLS LAST, date ASC, id ASC`],
  ] as const) {
    it(`${tab}: forward and back across pages shows every booking once, in order`, async () => {
      const statuses = tab === 'done' ? `('reported','completed')` : `('received','in_progress')`;
      const expected = rowsOf<{ number: string }>(
        await t.db.execute(sql.raw(`SELECT number FROM bookings WHERE node_id = (SELECT node_id FROM bookings WHERE number LIKE 'JL-PAGE-%' LIMIT 1) AND status IN ${statuses} ${order}`)),
      ).map((r) => r.number);
      expect(expected.length).to.be.greaterThan(50);
      const forward = await walk(`/lab?tab=${tab}`, 'next');
      expect(forward.map((p) => p.length)).to.deep.equal([25, 25, expected.length - 50]);
      expect(forward.flat()).to.deep.equal(expected);
      // from the last page back to the first: the same pages
      const last = await staff.get(`/lab?tab=${tab}&after=${await idOf(forward[1]!.at(-1)!)}&page=3`);
      expect(numbersOn(last.text)).to.deep.equal(forward[2]);
      expect(last.text).to.contain('第 3 页');
      const back = await walk(linkOn(last.text, 'prev')!, 'prev');
      expect(back).to.deep.equal([forward[1], forward[0]]);
    });
  }

  async function idOf(number: string) {
    const [row] = rowsOf<{ id: number }>(await t.db.execute(sql`SELECT id FROM bookings WHERE number = ${number}`));
    return row!.id;
  }

  it('a malformed, unknown or old-style page link shows the first page (no error)', async () => {
    const first = numbersOn((await staff.get('/lab?tab=done')).text);
    for (const query of ['after=abc', 'before=-1', 'after=99999999', 'before=1%27%20OR%201=1', 'page=40', 'after=&before=', 'after[]=1', 'page=abc&after=1e9']) {
      const res = await staff.get(`/lab?tab=done&${query}`);
      expect(res.status, query).to.equal(200);
      expect(numbersOn(res.text), query).to.deep.equal(first);
      expect(res.text, query).to.contain('第 1 页');
    }
  });
});
