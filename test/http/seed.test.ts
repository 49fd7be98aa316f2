import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../src/db/client.js';
import { runSeed } from '../../src/seed/index.js';
import { DEMO_PASSWORD } from '../../src/seed/demo.js';
import { bookings, enterprises, events, nodes, nodeServiceWindows, reports, services, users } from '../../src/db/schema.js';
import { BOOKING_STATUSES } from '../../src/bookings/lifecycle.js';
import { agentFor, createTestApp, login } from '../support/app.js';
import { createTestDatabase } from '../support/db.js';

describe('seed', () => {
  it('builds the 1+N network and catalog from the domain facts, idempotently, without accounts when not in demo mode', async () => {
    const database = await createTestDatabase();
    try {
      await runSeed(database.db, { demo: false });
      const counts = async () => ({
        nodes: await database.db.$count(nodes),
        services: await database.db.$count(services),
        users: await database.db.$count(users),
        windows: await database.db.$count(nodeServiceWindows),
      });
      const first = await counts();
      expect(first.nodes).to.equal(8);
      expect(first.services).to.equal(47 + 5 + 10);
      expect(first.users).to.equal(0);
      // the oil lab's 7×24 reception: a day and a night window on each of the 7 days, for each of its 5 oil services
      expect(first.windows).to.equal(5 * 7 * 2);
      const nights = rowsOf<{ n: number }>(await database.db.execute(sql.raw(`SELECT count(*)::int AS n FROM node_service_windows WHERE code = '20:00-08:00' AND on_holidays`)));
      expect(nights[0]!.n).to.equal(5 * 7);
      await runSeed(database.db, { demo: false });
      expect(await counts()).to.deep.equal(first);
    } finally {
      await database.close();
    }
  });

  it('demo mode adds an account per role and a consistent history in every state', async () => {
    const database = await createTestDatabase();
    const now = new Date('2026-11-20T10:00:00+08:00');
    try {
      await runSeed(database.db, { demo: true, now });
      const q = async <T>(text: string) => rowsOf<T>(await database.db.execute(sql.raw(text)));
      const statuses = (await q<{ status: string }>('SELECT DISTINCT status FROM bookings')).map((r) => r.status).sort();
      expect(statuses).to.deep.equal([...BOOKING_STATUSES].sort());
      const roles = (await q<{ role: string }>('SELECT DISTINCT role FROM users')).map((r) => r.role).sort();
      expect(roles).to.deep.equal(['enterprise', 'lab_staff', 'node_manager', 'park_admin', 'platform_admin']);
      // capacity used = units of the bookings that hold it, and never above capacity
      const [bad] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM capacity_windows w
        WHERE w.used > w.capacity OR w.used <> (SELECT coalesce(sum(units), 0) FROM bookings b WHERE b.window_id = w.id AND b.status NOT IN ('cancelled','rejected'))`);
      expect(bad!.n).to.equal(0);
      // every booking has its first event; every reported one a valid report; numbers are unique
      const [noEvent] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM bookings b WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.entity_type = 'booking' AND e.entity_id = b.id::text AND e.action = 'booking.submitted')`);
      expect(noEvent!.n).to.equal(0);
      const [noReport] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM bookings b WHERE b.status IN ('reported','completed') AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.booking_id = b.id)`);
      expect(noReport!.n).to.equal(0);
      expect(await database.db.$count(bookings)).to.be.greaterThan(500);
      const [latest] = await q<{ max: Date }>('SELECT max(created_at) AS max FROM bookings');
      expect(new Date(latest!.max).getTime()).to.be.at.most(now.getTime());

      // running it again changes nothing
      const before = { bookings: await database.db.$count(bookings), events: await database.db.$count(events), enterprises: await database.db.$count(enterprises), reports: await database.db.$count(reports) };
      await runSeed(database.db, { demo: true, now });
      expect({ bookings: await database.db.$count(bookings), events: await database.db.$count(events), enterprises: await database.db.$count(enterprises), reports: await database.db.$count(reports) }).to.deep.equal(before);

      // the demo accounts log in, and a seeded report verifies
      const t = await createTestApp({ database });
      const agent = agentFor(t.app);
      await login(agent, '13900000001', DEMO_PASSWORD);
      expect((await agent.get('/admin')).status).to.equal(200);
      const [report] = await q<{ number: string; verification_code: string }>("SELECT number, verification_code FROM reports WHERE status = 'valid' LIMIT 1");
      const verified = await agentFor(t.app).get(`/verify?no=${report!.number}&code=${report!.verification_code}`);
      expect(verified.status).to.equal(200);
      expect(verified.text).to.contain('有效');
      await t.close();
    } finally {
      await database.close().catch(() => undefined);
    }
  });
});
