import { expect } from 'chai';
import { eq, sql } from 'drizzle-orm';
import { rowsOf } from '../../src/db/client.js';
import { bookings } from '../../src/db/schema.js';
import { rebuildDailyStats, rollupDrift } from '../../src/stats/rollup.repo.js';
import * as stats from '../../src/stats/stats.repo.js';
import { periodOf } from '../../src/stats/period.js';
import { agentFor, createTestApp, login, type TestApp } from '../support/app.js';
import { settableClock } from '../support/clock.js';
import { createCompanyUser, createUser, nodeId, TEST_PASSWORD } from '../support/factories.js';
import { bookCalibration, bookOilTest, enterpriseAction, labAction } from '../support/lab.js';

/**
 * The dashboards' rollup (booking_stats …) against the bookings themselves: after creations on several days and in
 * two months, cancels, refusals, acceptance, a reschedule, bulk updates and a delete, every bucket must equal what the
 * bookings give, and the dashboard's figures for periods cut anywhere (inside a month, across months, whole months)
 * must equal counts taken straight from the bookings. A path that changed bookings without the rollup would show up
 * as drift here.
 */
describe('statistics: the daily/monthly rollup stays exact', () => {
  const clock = settableClock('2026-09-28T09:00:00+08:00');
  let t: TestApp;
  const numbers: string[] = [];

  const raw = async (from: string, to: string, extra = 'TRUE') => {
    const [row] = rowsOf<{ n: number; completed: number; open: number; companies: number }>(
      await t.db.execute(
        sql.raw(`SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'completed')::int AS completed,
                        count(*) FILTER (WHERE status IN ('submitted','needs_info','accepted','received','in_progress','to_verify','verified'))::int AS open,
                        count(DISTINCT enterprise_id)::int AS companies
                 FROM bookings WHERE created_at >= '${from}T00:00:00+08:00' AND created_at < ('${to}'::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai' AND ${extra}`),
      ),
    );
    return row!;
  };

  before(async () => {
    t = await createTestApp({ clock });
    const x = await createCompanyUser(t.db, { parkCode: 'P-DINGHAI', name: '甲船厂' });
    const y = await createCompanyUser(t.db, { parkCode: null, name: '乙水产' });
    const tech = await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' });
    const [techAgent, yAgent] = [agentFor(t.app), agentFor(t.app)];
    await login(techAgent, tech.mobile, TEST_PASSWORD);
    await login(yAgent, y.user.mobile, TEST_PASSWORD);

    // September 28 and 30, October 2 (Shanghai days), two companies, two nodes, two services
    numbers.push(await bookCalibration(t, x.user.id, { slot: '2026-09-29|am' }));
    numbers.push(await bookCalibration(t, y.user.id, { slot: '2026-09-29|pm' }));
    clock.set('2026-09-30T23:30:00+08:00'); // late evening: still September 30 in Shanghai, already the 30th 15:30 UTC
    numbers.push(await bookCalibration(t, y.user.id, { nodeCode: 'ST-DINGHAI', slot: '2026-10-09|am' }));
    numbers.push(await bookOilTest(t, x.user.id, { slot: '2026-10-09|am' }));
    clock.set('2026-10-02T08:00:00+08:00');
    numbers.push(await bookCalibration(t, y.user.id, { slot: '2026-10-09|pm' }));
  });
  after(() => t?.close());

  it('creations, cancel, refusal, acceptance and a reschedule: rollup equals the bookings', async () => {
    expect(await rollupDrift(t.db)).to.deep.equal([]);
    const [a, b, c, , e] = numbers as [string, string, string, string, string];
    const tech = agentFor(t.app);
    await login(tech, (await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' })).mobile, TEST_PASSWORD);
    const y = agentFor(t.app);
    const [owner] = rowsOf<{ mobile: string }>(await t.db.execute(sql`SELECT u.mobile FROM users u JOIN bookings b ON b.created_by = u.id WHERE b.number = ${b}`));
    await login(y, owner!.mobile, TEST_PASSWORD);
    clock.set('2026-10-08T10:00:00+08:00');
    expect((await labAction(tech, a, 'accept')).status).to.equal(303);
    expect((await labAction(tech, e, 'reject', { reason: '超出能力范围' })).status).to.equal(303);
    expect((await enterpriseAction(y, b, 'cancel', { reason: '不需要了' })).status).to.equal(303);
    const moved = await enterpriseAction(y, c, 'reschedule', { slot: '2026-10-12|am' });
    expect(moved.status).to.be.oneOf([302, 303]);
    const [rescheduled] = await t.db.select({ date: bookings.date }).from(bookings).where(eq(bookings.number, c));
    expect(rescheduled!.date).to.equal('2026-10-12');
    expect(await rollupDrift(t.db)).to.deep.equal([]);
    // the figures moved: one accepted (open), one cancelled, one rejected
    const [row] = rowsOf<{ open: number; closed: number }>(
      await t.db.execute(sql`SELECT sum(n) FILTER (WHERE status IN ('submitted','accepted'))::int AS open, sum(n) FILTER (WHERE status IN ('cancelled','rejected'))::int AS closed FROM booking_stats WHERE grain = 'd'`),
    );
    expect(row).to.deep.equal({ open: 3, closed: 2 });
  });

  it('bulk updates (report figures, evaluation, a moved company) and a delete keep it exact', async () => {
    const [a, , , d] = numbers as [string, string, string, string];
    await t.db.execute(sql`UPDATE bookings SET status = 'completed', turnaround_days = 3, on_time = true, evaluation_level = 4 WHERE number IN (${a}, ${d})`);
    await t.db.execute(sql`UPDATE bookings SET park_id = (SELECT id FROM parks WHERE code = 'P-PUTUO'), node_id = ${await nodeId(t.db, 'ST-DINGHAI')} WHERE number = ${d}`);
    await t.db.execute(sql`UPDATE bookings SET updated_at = now()`); // counts nothing: nets to zero
    expect(await rollupDrift(t.db)).to.deep.equal([]);
    const [{ n: before }] = rowsOf<{ n: number }>(await t.db.execute(sql`SELECT count(*)::int AS n FROM booking_stats_turnaround WHERE grain = 'm' AND n > 0`)) as [{ n: number }];
    expect(before).to.be.greaterThan(0);
    await t.db.transaction(async (tx) => {
      await tx.execute(sql`DELETE FROM events WHERE entity_type = 'booking' AND entity_id = (SELECT id::text FROM bookings WHERE number = ${numbers[4]!})`);
      await tx.execute(sql`DELETE FROM booking_items WHERE booking_id = (SELECT id FROM bookings WHERE number = ${numbers[4]!})`);
      await tx.execute(sql`DELETE FROM bookings WHERE number = ${numbers[4]!}`);
    }).catch(() => undefined); // other tables may reference it; the rollup must agree whether or not the delete went through
    expect(await rollupDrift(t.db)).to.deep.equal([]);
  });

  it('dashboard figures for periods cut inside, across and on month boundaries equal counts from the bookings', async () => {
    for (const [from, to] of [
      ['2026-09-30', '2026-09-30'],
      ['2026-09-29', '2026-10-01'],
      ['2026-09-01', '2026-10-31'],
      ['2026-08-15', '2026-10-02'],
      ['2026-10-01', '2027-01-31'],
      ['2026-10-03', '2026-12-31'],
    ] as const) {
      const period = periodOf(clock, { period: 'custom', from, to });
      const want = await raw(from, to);
      const summary = await stats.summary(t.db, { kind: 'platform' }, period);
      expect({ from, to, n: summary.total, completed: summary.completed, open: summary.open, companies: summary.enterprises }).to.deep.equal({
        from, to, n: want.n, completed: want.completed, open: want.open, companies: want.companies,
      });
      const months = await stats.byMonth(t.db, { kind: 'platform' }, period);
      expect(months.reduce((s, m) => s + m.total, 0), `${from}…${to} by month`).to.equal(want.n);
      const parks = await stats.byPark(t.db, { kind: 'platform' }, period);
      expect(parks.reduce((s, p) => s + p.total, 0), `${from}…${to} by park`).to.equal(want.n);
      const node = await nodeId(t.db, 'ZS-METROLOGY');
      const nodeSummary = await stats.summary(t.db, { kind: 'node', nodeId: node }, period);
      const wantNode = await raw(from, to, `node_id = ${node}`);
      expect([nodeSummary.total, nodeSummary.enterprises], `${from}…${to} node`).to.deep.equal([wantNode.n, wantNode.companies]);
    }
    // the late-evening booking of September 30 counts on the 30th, not on October 1
    expect((await stats.summary(t.db, { kind: 'platform' }, periodOf(clock, { period: 'custom', from: '2026-09-30', to: '2026-09-30' }))).total).to.equal(2);
  });

  it('the drift check sees a wrong bucket, and rebuildDailyStats() repairs it', async () => {
    await t.db.execute(sql`UPDATE booking_stats SET n = n + 1 WHERE grain = 'm' AND n > 0 AND ctid = (SELECT ctid FROM booking_stats WHERE grain = 'm' AND n > 0 LIMIT 1)`);
    await t.db.execute(sql`DELETE FROM booking_stats_turnaround WHERE grain = 'd'`);
    const drift = await rollupDrift(t.db);
    expect(drift.map((r) => r.table)).to.include.members(['booking_stats', 'booking_stats_turnaround']);
    await rebuildDailyStats(t.db);
    expect(await rollupDrift(t.db)).to.deep.equal([]);
  });
});
