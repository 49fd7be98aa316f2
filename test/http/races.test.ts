import { expect } from 'chai';
import { CONDITIONS, standardFor } from '../support/lab.js';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Principal } from '../../src/auth/access.js';
import { HOLDS_CAPACITY, type BookingStatus } from '../../src/bookings/lifecycle.js';
import { rowsOf } from '../../src/db/client.js';
import { bookingItems, bookings, capacityWindows, events } from '../../src/db/schema.js';
import { ConflictError } from '../../src/shared/errors.js';
import { fixedClock } from '../../src/shared/time.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { MONDAY_BEFORE_NATIONAL_DAY, nodeServiceOf, setCapacity } from '../support/bookings.js';
import { onPostgresServer } from '../support/db.js';
import { createCompanyUser, createUser, grantSignatory } from '../support/factories.js';

/**
 * The races a busy node produces, each run many times. On the PostgreSQL server (TEST_DATABASE_URL) the two sides run
 * at the same time on separate connections; on PGlite they are serialised, so the same outcomes must hold in order.
 */
describe(`races between users (${onPostgresServer ? 'PostgreSQL server: truly parallel' : 'PGlite: serialised'})`, function () {
  this.timeout(120_000);
  let t: TestApp;
  let station: Awaited<ReturnType<typeof nodeServiceOf>>;
  const principal = async (id: number) => (await t.services.auth.loadPrincipal(id))!;

  /** Working days ahead of the clock at the station, as booking windows. */
  const WINDOWS = ['2026-09-29', '2026-09-30', '2026-10-08', '2026-10-09', '2026-10-12', '2026-10-13', '2026-10-14', '2026-10-15', '2026-10-16', '2026-10-19', '2026-10-20', '2026-10-21', '2026-10-22', '2026-10-23', '2026-10-26', '2026-10-27', '2026-10-28', '2026-10-29', '2026-10-30', '2026-11-02', '2026-11-03', '2026-11-04']
    .flatMap((d) => [`${d}|am`, `${d}|pm`]);
  let windowTurn = 0;
  const nextWindow = () => {
    if (windowTurn >= WINDOWS.length) throw new Error('add windows to WINDOWS');
    return WINDOWS[windowTurn++]!;
  };
  let key = 0;

  const form = (slot: string, serial: string, idempotencyKey = `race-${process.pid}-${++key}-${Date.now()}`) => ({
    service: 'CAL-PG',
    node: String(station.nodeId),
    idempotencyKey,
    slot,
    deliveryMode: 'send_in',
    items: [{ name: '压力表', serialNo: serial, quantity: '1' }],
    contactName: '并发测试',
    contactMobile: '13900000999',
  });

  async function book(user: Principal, slot: string, serial: string): Promise<string> {
    return (await t.services.bookings.submit(user, form(slot, serial), [])).number;
  }

  async function windowUse(slot: string): Promise<number> {
    const [date, window] = slot.split('|') as [string, string];
    const [row] = await t.db.select({ used: capacityWindows.used }).from(capacityWindows).where(and(eq(capacityWindows.nodeServiceId, station.ns.id), eq(capacityWindows.date, date), eq(capacityWindows.window, window)));
    return row?.used ?? 0;
  }

  /** Every window's used units equal the units of the bookings holding it. */
  async function capacityAgrees() {
    const result = await t.db.execute(sql`
      SELECT w.id, w.used, (SELECT coalesce(sum(b.units), 0)::int FROM bookings b WHERE b.window_id = w.id AND ${sql.raw(`b.status IN (${HOLDS_CAPACITY.map((s) => `'${s}'`).join(', ')})`)}) AS held
      FROM capacity_windows w WHERE w.node_service_id = ${station.ns.id}`);
    for (const w of rowsOf<{ id: number; used: number; held: number }>(result)) expect(Number(w.used), `window ${w.id}`).to.equal(Number(w.held));
  }

  /** The booking's timeline is one chain: each event starts in the state the previous one ended in, ending in the booking's state. */
  async function timelineAgrees(number: string) {
    const [b] = await t.db.select().from(bookings).where(eq(bookings.number, number));
    const chain = await t.db.select().from(events).where(and(eq(events.entityType, 'booking'), eq(events.entityId, String(b!.id)))).orderBy(asc(events.id));
    let state: BookingStatus | null = null;
    for (const e of chain.filter((x) => x.toState !== null)) {
      if (state !== null && e.fromState !== null) expect(e.fromState, `${number} ${e.action}`).to.equal(state);
      state = e.toState as BookingStatus;
    }
    expect(state, number).to.equal(b!.status);
    return { booking: b!, chain };
  }

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    station = await nodeServiceOf(t.db, 'ST-PUTUO', 'CAL-PG');
  });
  after(() => t?.close());

  it('reschedule vs a new booking for the last unit of a window: exactly one gets it, the window never oversells, the loser keeps what it had', async () => {
    await setCapacity(t.db, station.ns.id, 1);
    const mover = await principal((await createCompanyUser(t.db)).user.id);
    const newcomer = await principal((await createCompanyUser(t.db)).user.id);
    const winners = { mover: 0, newcomer: 0 };
    for (let round = 0; round < 8; round++) {
      const from = nextWindow();
      const target = nextWindow();
      const number = await book(mover, from, `MOVE-${round}`);
      const [moved, booked] = await Promise.allSettled([t.services.bookings.reschedule(mover, number, { slot: target }), t.services.bookings.submit(newcomer, form(target, `NEW-${round}`), [])]);
      const outcomes = [moved, booked];
      expect(outcomes.filter((o) => o.status === 'fulfilled'), `round ${round}: one of the two`).to.have.length(1);
      const loser = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect(loser.reason, `round ${round}`).to.be.instanceOf(ConflictError);
      expect((loser.reason as ConflictError).code).to.equal('window_full');
      expect(await windowUse(target), `round ${round}: the target window`).to.equal(1);
      const [b] = await t.db.select().from(bookings).where(eq(bookings.number, number));
      if (moved.status === 'fulfilled') {
        winners.mover++;
        expect(`${b!.date}|${b!.window}`).to.equal(target);
        expect(await windowUse(from), 'the old window was given back').to.equal(0);
      } else {
        winners.newcomer++;
        expect(`${b!.date}|${b!.window}`, 'the loser stays where it was').to.equal(from);
        expect(await windowUse(from), 'and keeps its unit').to.equal(1);
      }
      await timelineAgrees(number);
    }
    await capacityAgrees();
    expect(winners.mover + winners.newcomer).to.equal(8);
  });

  it('cancel vs accept of one booking: the row lock orders them — cancelled in the end, the capacity given back exactly once, one consistent timeline', async () => {
    await setCapacity(t.db, station.ns.id, 10);
    const company = await principal((await createCompanyUser(t.db)).user.id);
    const staff = await principal((await createUser(t.db, 'lab_staff', { nodeCode: 'ST-PUTUO' })).id);
    const orders = { acceptFirst: 0, cancelFirst: 0 };
    for (let round = 0; round < 10; round++) {
      const slot = nextWindow();
      const number = await book(company, slot, `CANCEL-${round}`);
      const [cancelled, accepted] = await Promise.allSettled([t.services.bookings.cancel(company, number, { reason: '计划有变' }), t.services.lab.act(staff, number, 'accept', {}, [])]);
      // cancelling is allowed before and after acceptance; accepting a cancelled booking is not
      expect(cancelled.status, `round ${round}: the company can always cancel here`).to.equal('fulfilled');
      if (accepted.status === 'fulfilled') orders.acceptFirst++;
      else {
        orders.cancelFirst++;
        expect((accepted as PromiseRejectedResult).reason).to.be.instanceOf(ConflictError);
      }
      const { booking, chain } = await timelineAgrees(number);
      expect(booking.status).to.equal('cancelled');
      expect(chain.filter((e) => e.action === 'booking.cancel')).to.have.length(1);
      expect(chain.filter((e) => e.action === 'booking.accept')).to.have.length(accepted.status === 'fulfilled' ? 1 : 0);
      expect(await windowUse(slot), `round ${round}: given back once`).to.equal(0);
    }
    await capacityAgrees();
    expect(orders.acceptFirst + orders.cancelFirst).to.equal(10);
  });

  it('two verifiers at once: one wins, one event, and the booking names the winner', async () => {
    await setCapacity(t.db, station.ns.id, 10);
    const company = await principal((await createCompanyUser(t.db)).user.id);
    const tester = await principal((await createUser(t.db, 'lab_staff', { nodeCode: 'ST-PUTUO' })).id);
    const [a, b] = [await createUser(t.db, 'lab_staff', { nodeCode: 'ST-PUTUO' }), await createUser(t.db, 'node_manager', { nodeCode: 'ST-PUTUO' })];
    await grantSignatory(t.db, b);
    const verifiers = [await principal(a.id), await principal(b.id)];
    const standard = await standardFor(t.db, 'ST-PUTUO');
    for (let round = 0; round < 6; round++) {
      const number = await book(company, nextWindow(), `VERIFY-${round}`);
      const [item] = await t.db.select({ id: bookingItems.id }).from(bookingItems).innerJoin(bookings, eq(bookings.id, bookingItems.bookingId)).where(eq(bookings.number, number));
      await t.services.lab.act(tester, number, 'accept', {}, []);
      await t.services.lab.act(tester, number, 'receive', { labels: { [`i${item!.id}`]: `R-${round}` } }, []);
      await t.services.lab.act(tester, number, 'start', { assignee: String(tester.id) }, []);
      await t.services.lab.act(tester, number, 'submit_results', { conditions: CONDITIONS, cal: { [`i${item!.id}`]: { conclusion: 'pass', certificateNo: `JD-R-${round}`, nextDueDate: '2027-03-01', mpe: '±0.026', unit: 'MPa', standards: String(standard), points: [{ nominal: '1.6', measured: '1.61' }] } } }, []);
      const results = await Promise.allSettled(verifiers.map((v) => t.services.lab.act(v, number, 'verify', {}, [])));
      const won = results.findIndex((r) => r.status === 'fulfilled');
      expect(results.filter((r) => r.status === 'fulfilled'), `round ${round}: exactly one verifies`).to.have.length(1);
      expect((results[1 - won] as PromiseRejectedResult).reason).to.be.instanceOf(ConflictError);
      const { booking, chain } = await timelineAgrees(number);
      expect(booking.status).to.equal('verified');
      expect(booking.verifiedBy, 'the winner is the one named').to.equal(verifiers[won]!.id);
      expect(chain.filter((e) => e.action === 'booking.verify')).to.have.length(1);
    }
  });

  it('booking numbers stay contiguous when transactions roll back: the same form raced twice, and a full window', async () => {
    await setCapacity(t.db, station.ns.id, 4);
    const companies = await Promise.all(Array.from({ length: 6 }, async () => principal((await createCompanyUser(t.db)).user.id)));
    const before = await t.db.select({ number: bookings.number }).from(bookings);
    // each company sends its form twice at once (a double click): one booking, the other rolls back after numbering;
    // and 6 bookings for a window of 4 units: two are refused
    const full = nextWindow();
    const attempts = companies.flatMap((c, i) => {
      const same = form(nextWindow(), `DOUBLE-${i}`);
      return [t.services.bookings.submit(c, same, []), t.services.bookings.submit(c, same, []), t.services.bookings.submit(c, form(full, `FULL-${i}`), [])];
    });
    const results = await Promise.allSettled(attempts);
    const errors = results.filter((r) => r.status === 'rejected' && !(r.reason instanceof ConflictError && r.reason.code === 'window_full'));
    expect(errors.map((e) => String((e as PromiseRejectedResult).reason))).to.deep.equal([]);
    for (let i = 0; i < companies.length; i++) {
      const [first, second] = [results[3 * i], results[3 * i + 1]] as PromiseFulfilledResult<{ number: string; duplicate: boolean }>[];
      expect(first!.value.number, `company ${i}: one booking for the double click`).to.equal(second!.value.number);
    }
    expect(await windowUse(full)).to.equal(4);
    // numbers of the day: 1…N without a gap, and the counter at N
    const rows = rowsOf<{ seq: number; last: number }>(
      await t.db.execute(sql`SELECT right(b.number, 4)::int AS seq, c.last FROM bookings b JOIN booking_counters c ON c.prefix = split_part(b.number, '-', 1) AND to_char(c.day, 'YYYYMMDD') = split_part(b.number, '-', 2) WHERE b.number LIKE 'JL-%' ORDER BY 1`),
    );
    expect(rows.map((r) => Number(r.seq))).to.deep.equal(rows.map((_, i) => i + 1));
    expect(Number(rows[0]!.last)).to.equal(rows.length);
    expect(rows.length - before.length).to.equal(companies.length + 4);
  });
});
