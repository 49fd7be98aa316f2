import { expect } from 'chai';
import { and, eq, sql } from 'drizzle-orm';
import { describeWindow } from '../../src/capacity/availability.js';
import { bookings, capacityWindows, events } from '../../src/db/schema.js';
import { ConflictError } from '../../src/shared/errors.js';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, login, type TestApp } from '../support/app.js';
import { calibrationFields, MONDAY_BEFORE_NATIONAL_DAY, nodeServiceOf, openBookingForm, postMultipart, setCapacity } from '../support/bookings.js';
import { onPostgresServer } from '../support/db.js';
import { createCompanyUser, TEST_PASSWORD } from '../support/factories.js';

/**
 * Capacity never oversells. On the PostgreSQL server (TEST_DATABASE_URL) the requests really run at the same time on
 * separate connections; on PGlite they are serialised by the embedded engine, so the same assertions still hold.
 */
/** The form with one instrument row (the test form's second row left out). */
const one = { 'items[1][name]': undefined, 'items[1][serialNo]': undefined, 'items[1][quantity]': undefined, 'items[1][model]': undefined, 'items[1][range]': undefined, 'items[1][accuracyClass]': undefined, 'items[1][intendedUse]': undefined };

describe(`capacity under concurrent bookings (${onPostgresServer ? 'PostgreSQL server' : 'PGlite'})`, () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
  });
  after(() => t?.close());

  async function used(nodeServiceId: number, date: string, window: string) {
    const [row] = await t.db
      .select()
      .from(capacityWindows)
      .where(and(eq(capacityWindows.nodeServiceId, nodeServiceId), eq(capacityWindows.date, date), eq(capacityWindows.window, window)));
    return row;
  }

  it('lets exactly C of N simultaneous bookings through the service layer, with unique numbers', async () => {
    const C = 10;
    const N = 40;
    const ns = await nodeServiceOf(t.db, 'ST-PUTUO', 'CAL-PG');
    await setCapacity(t.db, ns.ns.id, C);
    const companies = await Promise.all(Array.from({ length: 8 }, () => createCompanyUser(t.db)));
    const principals = await Promise.all(companies.map((c) => t.services.auth.loadPrincipal(c.user.id)));
    const body = (i: number) => ({
      service: 'CAL-PG',
      node: String(ns.nodeId),
      idempotencyKey: `concurrent-booking-${String(i).padStart(4, '0')}`,
      slot: '2026-09-29|am',
      deliveryMode: 'send_in',
      items: [{ name: '压力表', serialNo: `S-${i}`, quantity: '1' }],
      contactName: '并发测试',
      contactMobile: '13900000999',
    });
    const results = await Promise.allSettled(Array.from({ length: N }, (_, i) => t.services.bookings.submit(principals[i % principals.length]!, body(i), [])));
    const accepted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected' && r.reason instanceof ConflictError && r.reason.code === 'window_full');
    const errors = results.filter((r) => r.status === 'rejected' && !(r.reason instanceof ConflictError));
    expect(errors.map((e) => String((e as PromiseRejectedResult).reason))).to.deep.equal([]);
    expect(accepted).to.have.length(C);
    expect(refused).to.have.length(N - C);
    const numbers = accepted.map((r) => (r as PromiseFulfilledResult<{ number: string }>).value.number);
    expect(new Set(numbers).size).to.equal(C);
    expect((await used(ns.ns.id, '2026-09-29', 'am'))!.used).to.equal(C);
    expect(await t.db.$count(bookings, eq(bookings.nodeServiceId, ns.ns.id))).to.equal(C);
    // every booking that exists has its first event
    const [withEvents] = await t.db.execute(sql`SELECT count(*)::int AS n FROM bookings b WHERE b.node_service_id = ${ns.ns.id}
      AND EXISTS (SELECT 1 FROM events e WHERE e.entity_type = 'booking' AND e.entity_id = b.id::text AND e.action = 'booking.submitted')`).then((r) => (r as unknown as { rows: { n: number }[] }).rows);
    expect(withEvents!.n).to.equal(C);
    void events;
  });

  it('holds over HTTP too: 16 simultaneous form posts for a window of 5 units → 5 bookings, 11 "刚刚约满"', async () => {
    const ns = await nodeServiceOf(t.db, 'ST-SHENGSI', 'CAL-PG');
    await setCapacity(t.db, ns.ns.id, 5);
    const company = await createCompanyUser(t.db);
    const agent = agentFor(t.app);
    await login(agent, company.user.mobile, TEST_PASSWORD);
    const pages = await Promise.all(Array.from({ length: 16 }, () => openBookingForm(agent, 'CAL-PG', ns.nodeId)));
    const responses = await Promise.all(
      pages.map((page) =>
        postMultipart(agent, '/bookings', calibrationFields(page, ns.nodeId, { slot: '2026-09-30|pm', ...one })),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 303)).to.have.length(5);
    expect(statuses.filter((s) => s === 409)).to.have.length(11);
    expect(responses.filter((r) => r.status === 409).every((r) => r.text.includes('这个时段刚刚约满'))).to.equal(true);
    expect((await used(ns.ns.id, '2026-09-30', 'pm'))!.used).to.equal(5);
  });

  it('refuses a window the committed bookings filled at once: 409 "刚刚约满" on the kept form, nothing saved; the accepted form sent again still returns its booking', async () => {
    const ns = await nodeServiceOf(t.db, 'ST-SHENGSI', 'CAL-PG');
    await setCapacity(t.db, ns.ns.id, 1);
    const company = await createCompanyUser(t.db);
    const agent = agentFor(t.app);
    await login(agent, company.user.mobile, TEST_PASSWORD);
    const slot = '2026-10-08|am';
    const first = await openBookingForm(agent, 'CAL-PG', ns.nodeId);
    const accepted = await postMultipart(agent, '/bookings', calibrationFields(first, ns.nodeId, { slot, ...one }));
    expect(accepted.status).to.equal(303);
    const saved = async () => ({
      bookings: await t.db.$count(bookings, eq(bookings.nodeServiceId, ns.ns.id)),
      events: await t.db.$count(events, eq(events.action, 'booking.submitted')),
      used: (await used(ns.ns.id, '2026-10-08', 'am'))!.used,
    });
    const before = await saved();
    expect(before.used).to.equal(1);

    const late = await openBookingForm(agent, 'CAL-PG', ns.nodeId);
    const refused = await postMultipart(agent, '/bookings', calibrationFields(late, ns.nodeId, { slot, contactName: '迟到的人', ...one }));
    expect(refused.status).to.equal(409);
    expect(refused.text).to.contain('这个时段刚刚约满').and.contain('最近还有名额的时段').and.contain('value="迟到的人"');
    expect(await saved()).to.deep.equal(before);

    // The same accepted form again (double click, back button): its booking, not "full".
    const again = await postMultipart(agent, '/bookings', calibrationFields(first, ns.nodeId, { slot, ...one }));
    expect(again.status).to.equal(303);
    expect(again.headers.location).to.equal(accepted.headers.location);
    expect(await saved()).to.deep.equal(before);
  });

  it('refuses from what it found in the last second without ever offering the refused window: not in the next free windows, shown full on the form', async () => {
    const ns = await nodeServiceOf(t.db, 'ST-DINGHAI', 'CAL-PG');
    await setCapacity(t.db, ns.ns.id, 1);
    const [a, b] = (await t.services.availability.nextFree([{ ns: ns.ns, kind: 'calibration' }], 5)).get(ns.ns.id)!;
    const slotA = `${a!.date}|${a!.key}`;
    const slotB = `${b!.date}|${b!.key}`;
    const [first, late] = [await createCompanyUser(t.db), await createCompanyUser(t.db)];
    const [winner, loser] = [agentFor(t.app), agentFor(t.app)];
    await login(winner, first.user.mobile, TEST_PASSWORD);
    await login(loser, late.user.mobile, TEST_PASSWORD);
    const book = async (agent: typeof winner, slot: string) => postMultipart(agent, '/bookings', calibrationFields(await openBookingForm(agent, 'CAL-PG', ns.nodeId), ns.nodeId, { slot, from: a!.date, ...one }));
    const offered = (html: string) => [...html.matchAll(/for="next-free-\d+">([^<]+)（余 \d+）<\/label>/g)].map((m) => m[1]!);
    const radio = (html: string, slot: string) => new RegExp(`name="slot" id="[^"]+" value="${slot.replace('|', '\\|')}"`).test(html);

    expect((await book(winner, slotA)).status).to.equal(303);
    const refusedA = await book(loser, slotA);
    expect(refusedA.status).to.equal(409);
    // B was free when A was refused: it is offered, and the answer is kept for the others refused in the same second
    expect(offered(refusedA.text)).to.include(describeWindow(b!.date, b!.key));
    expect(radio(refusedA.text, slotA)).to.equal(false);

    expect((await book(winner, slotB)).status).to.equal(303);
    const refusedB = await book(loser, slotB);
    expect(refusedB.status).to.equal(409);
    expect(refusedB.text).to.contain('这个时段刚刚约满');
    expect(offered(refusedB.text)).to.not.include(describeWindow(b!.date, b!.key));
    expect(radio(refusedB.text, slotB)).to.equal(false);
    expect((await used(ns.ns.id, b!.date, b!.key))!.used).to.equal(1);
    expect(await t.db.$count(bookings, eq(bookings.nodeServiceId, ns.ns.id))).to.equal(2);
  });

  it('offers instead only windows that can take what the form asks for, as choices of the form: picking one books it', async () => {
    await setCapacity(t.db, (await nodeServiceOf(t.db, 'ST-DINGHAI', 'CAL-PG')).ns.id, 3);
    const ns = await nodeServiceOf(t.db, 'ST-DINGHAI', 'CAL-PG');
    const company = await createCompanyUser(t.db);
    const agent = agentFor(t.app);
    await login(agent, company.user.mobile, TEST_PASSWORD);
    const free = (await t.services.availability.nextFree([{ ns: ns.ns, kind: 'calibration' }], 8, 3)).get(ns.ns.id)!;
    const [full, low] = [free[0]!, free[1]!];
    const slotOf = (w: { date: string; key: string }) => `${w.date}|${w.key}`;
    const units = (n: number) => ({ 'items[0][quantity]': String(n), ...one });
    const book = async (slot: string, n: number) => postMultipart(agent, '/bookings', calibrationFields(await openBookingForm(agent, 'CAL-PG', ns.nodeId), ns.nodeId, { slot, ...units(n) }));
    expect((await book(slotOf(full), 3)).status).to.equal(303);
    expect((await book(slotOf(low), 2)).status).to.equal(303); // one place left there

    const refused = await book(slotOf(full), 3);
    expect(refused.status).to.equal(409);
    const choices = [...refused.text.matchAll(/<input class="form-check-input" type="radio" name="slot" form="booking-form" id="next-free-\d+" value="([^"]+)">\s*<label[^>]*>[^<]*（余 (\d+)）/g)].map((m) => ({ slot: m[1]!, free: Number(m[2]) }));
    expect(choices.length).to.be.greaterThan(0);
    expect(choices.map((c) => c.slot)).to.not.include(slotOf(low)).and.to.not.include(slotOf(full));
    expect(choices.every((c) => c.free >= 3)).to.equal(true);
    // The first choice, sent with the same form, is booked.
    const form = await openBookingForm(agent, 'CAL-PG', ns.nodeId);
    expect((await postMultipart(agent, '/bookings', calibrationFields(form, ns.nodeId, { slot: choices[0]!.slot, ...units(3) }))).status).to.equal(303);
  });

  it('answers the same form sent twice at once for the last place with its one booking, never "约满"', async () => {
    const ns = await nodeServiceOf(t.db, 'ST-SHENGSI', 'CAL-PG');
    await setCapacity(t.db, ns.ns.id, 1);
    const company = await createCompanyUser(t.db);
    const agent = agentFor(t.app);
    await login(agent, company.user.mobile, TEST_PASSWORD);
    const free = (await t.services.availability.nextFree([{ ns: ns.ns, kind: 'calibration' }], 6)).get(ns.ns.id)!;
    for (const w of free.slice(2, 5)) {
      const form = await openBookingForm(agent, 'CAL-PG', ns.nodeId);
      const fields = calibrationFields(form, ns.nodeId, { slot: `${w.date}|${w.key}`, ...one });
      const [a, b] = await Promise.all([postMultipart(agent, '/bookings', fields), postMultipart(agent, '/bookings', fields)]);
      expect([a.status, b.status], `${w.date} ${w.key}: ${b.status === 409 ? '约满' : ''}`).to.deep.equal([303, 303]);
      expect(a.headers.location).to.equal(b.headers.location);
      expect((await used(ns.ns.id, w.date, w.key))!.used).to.equal(1);
    }
  });

  // The second copy sent later and later (0–87 event-loop turns), so that on the PostgreSQL server some copy finds the
  // window full at one of its checks after the first copy committed (without the replay check there, one of 30 did).
  it('answers the same form sent again a moment later (a double click) for the last place with its one booking', async () => {
    const ns = await nodeServiceOf(t.db, 'ST-PUTUO', 'CAL-PG');
    await setCapacity(t.db, ns.ns.id, 1);
    const company = await createCompanyUser(t.db);
    const user = (await t.services.auth.loadPrincipal(company.user.id))!;
    const windows = (await t.services.availability.nextFree([{ ns: (await nodeServiceOf(t.db, 'ST-PUTUO', 'CAL-PG')).ns, kind: 'calibration' }], 30)).get(ns.ns.id)!;
    const outcomes: string[] = [];
    for (const [i, w] of windows.entries()) {
      const body = { service: 'CAL-PG', node: String(ns.nodeId), idempotencyKey: `double-click-${String(i).padStart(8, '0')}`, slot: `${w.date}|${w.key}`, deliveryMode: 'send_in', items: [{ name: '压力表', serialNo: `DC-${i}`, quantity: '1' }], contactName: '双击测试', contactMobile: '13900000998' };
      const first = t.services.bookings.submit(user, body, []);
      for (let tick = 0; tick < i * 3; tick++) await new Promise((r) => setImmediate(r)); // sent later and later: before, during and after the first one's checks and transaction
      const second = t.services.bookings.submit(user, body, []);
      const [a, b] = await Promise.allSettled([first, second]);
      outcomes.push(a.status === 'fulfilled' && b.status === 'fulfilled' && a.value.number === b.value.number ? 'same booking' : `${w.date} ${w.key}: ${[a, b].map((r) => (r.status === 'fulfilled' ? r.value.number : String((r.reason as Error).message))).join(' / ')}`);
    }
    expect(outcomes.filter((o) => o !== 'same booking')).to.deep.equal([]);
    expect(await t.db.$count(bookings, and(eq(bookings.nodeServiceId, ns.ns.id), eq(bookings.contactName, '双击测试')))).to.equal(windows.length);
  });

  it('is guarded by the database itself: used can never exceed capacity', async () => {
    const ns = await nodeServiceOf(t.db, 'ST-PUTUO', 'CAL-PG');
    const row = await used(ns.ns.id, '2026-09-29', 'am');
    let refused = false;
    try {
      await t.db.update(capacityWindows).set({ used: row!.capacity + 1 }).where(eq(capacityWindows.id, row!.id));
    } catch {
      refused = true;
    }
    expect(refused).to.equal(true);
    expect((await used(ns.ns.id, '2026-09-29', 'am'))!.used).to.equal(row!.used);
  });
});
