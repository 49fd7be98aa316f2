import { expect } from 'chai';
import type pg from 'pg';
import { openDatabase, type Database } from '../../src/db/client.js';
import { READ_AFTER_WRITE_MS } from '../../src/db/read-replica.js';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, csrfFrom, login, type Agent, type TestApp } from '../support/app.js';
import { MONDAY_BEFORE_NATIONAL_DAY } from '../support/bookings.js';
import { createTestPgDatabaseWithUrl, onPostgresServer } from '../support/db.js';
import { createUser, TEST_PASSWORD } from '../support/factories.js';

/** Every statement a pool runs, in order (node-postgres: drizzle calls pool.query for each statement outside a transaction). */
function recordStatements(pool: pg.Pool): string[] {
  const seen: string[] = [];
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const first = args[0] as string | { text: string };
    seen.push(typeof first === 'string' ? first : first.text);
    return query(...args);
  };
  return seen;
}

/** The dashboard's aggregations over bookings (the session read also counts: its unread notifications). */
const AGGREGATE = /FROM bookings b\b/;

describe('DATABASE_READ_URL: lag-tolerant reads on a second pool', function () {
  this.timeout(30_000);
  let t: TestApp;
  let database: Database;
  let primary: string[];
  let replica: string[];
  let admin: Agent;
  let colleague: Agent;

  before(async function () {
    // PGlite is one embedded database in one process: there is no second server to read from.
    if (!onPostgresServer) this.skip();
    const made = await createTestPgDatabaseWithUrl();
    await made.database.close();
    // The "replica" is a second pool on the same database here (scripts/replica.sh makes a real streaming replica for
    // the benchmark); every statement is recorded per pool, so each one's destination is known.
    database = await openDatabase({ kind: 'pg', url: made.url, poolMax: 4, readUrl: made.url });
    primary = recordStatements(database.pool!);
    replica = recordStatements(database.replicaPool!);
    t = await createTestApp({ database, clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    const user = await createUser(t.db, 'platform_admin');
    admin = agentFor(t.app);
    await login(admin, user.mobile, TEST_PASSWORD);
    colleague = agentFor(t.app);
    await login(colleague, (await createUser(t.db, 'platform_admin')).mobile, TEST_PASSWORD);
    // Signing in is a write: both browsers read from the primary for READ_AFTER_WRITE_MS, then from the replica.
    await new Promise((r) => setTimeout(r, READ_AFTER_WRITE_MS + 100));
  });
  after(() => t?.close());

  const during = async (work: () => Promise<unknown>) => {
    const [p, r] = [primary.length, replica.length];
    await work();
    return { primary: primary.slice(p), replica: replica.slice(r) };
  };

  it('sends the dashboard aggregations, open data and the catalog to the replica; the session and principal stay on the primary', async () => {
    const page = await during(async () => expect((await admin.get('/admin?period=month')).status).to.equal(200));
    expect(page.replica.filter((s) => AGGREGATE.test(s)).length, 'aggregations on the replica').to.be.greaterThan(3);
    expect(page.primary.filter((s) => AGGREGATE.test(s)), 'no aggregation on the primary').to.deep.equal([]);
    expect(page.primary.join('\n')).to.match(/sessions/);

    const open = await during(async () => expect((await agentFor(t.app).get('/open-data')).status).to.equal(200));
    expect(open.replica.length).to.be.greaterThan(0);
    const catalog = await during(async () => expect((await agentFor(t.app).get('/services')).status).to.equal(200));
    expect(catalog.replica.length).to.be.greaterThan(0);
  });

  it("reads everything from the primary for a few seconds after the browser's own change", async () => {
    const token = await csrfFrom(admin, '/notifications');
    const write = await admin.post('/notifications/read-all').type('form').send({ _csrf: token });
    expect(write.status).to.equal(303);
    expect(String(write.headers['set-cookie'])).to.contain('nqi.rw=1');
    const page = await during(async () => expect((await admin.get('/admin?period=quarter')).status).to.equal(200));
    expect(page.replica, 'nothing on the replica right after a write').to.deep.equal([]);
    expect(page.primary.filter((s) => AGGREGATE.test(s)).length).to.be.greaterThan(3);
    // another administrator's browser meanwhile still reads from the replica
    const other = await during(async () => expect((await colleague.get('/admin?period=year')).status).to.equal(200));
    expect(other.replica.filter((s) => AGGREGATE.test(s)).length).to.be.greaterThan(3);
    expect(other.primary.filter((s) => AGGREGATE.test(s))).to.deep.equal([]);
  });

  it('refills the catalog from the primary right after a catalog change (never a stale replica into the cache)', async () => {
    // the routing itself: sticking to the primary is what a catalog change does (composition: catalogChanged)
    const { readRouting } = await import('../../src/db/read-replica.js');
    const reads = readRouting(database.db, database.replicaDb);
    expect(reads.target()).to.equal('replica');
    reads.stickToPrimary(200);
    expect(reads.target()).to.equal('primary');
    await new Promise((r) => setTimeout(r, 250));
    expect(reads.target()).to.equal('replica');
    // a transaction never opens on the replica: it takes its connection from the primary's pool
    const connects = { primary: 0, replica: 0 };
    for (const [pool, key] of [[database.pool!, 'primary'], [database.replicaPool!, 'replica']] as const) {
      const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
      (pool as unknown as { connect: () => Promise<pg.PoolClient> }).connect = () => {
        connects[key]++;
        return connect();
      };
    }
    expect(reads.target()).to.equal('replica');
    await reads.readDb.transaction(async (tx) => tx.execute('SELECT 1'));
    expect(connects).to.deep.equal({ primary: 1, replica: 0 });
  });
});
