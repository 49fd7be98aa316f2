import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { eq, sql } from 'drizzle-orm';
import { openDatabase, pgConstraint, pgErrorCode, rowsOf, UNIQUE_VIOLATION, type Database } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { runPrepared } from '../../src/db/prepared.js';
import { nodes } from '../../src/db/schema.js';

/**
 * The server's embedded database runs in a worker thread (src/db/pglite-remote.ts). These check that Drizzle, the
 * migrations, named statements, transactions and errors behave there as with PGlite in the same thread.
 */
describe('the embedded database in a worker thread', function () {
  this.timeout(120_000);
  let dir: string;
  let inWorker: Database;
  let inThread: Database;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nqi-pglite-worker-'));
    inWorker = await openDatabase({ kind: 'pglite-dir', dataDir: dir, inWorker: true });
    expect(inWorker.pglite, 'no PGlite instance in this thread').to.equal(undefined);
    await runMigrations(inWorker);
    inThread = await openDatabase({ kind: 'pglite-memory' });
  });
  after(async () => {
    await inWorker?.close();
    await inThread?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const node = (code: string, name: string) => ({ code, name, shortName: name, kind: 'station' as const, district: '定海区', address: '定海区', hours: '工作日 8:30–17:00', phone: '0580-1234567' });

  const probe = sql`SELECT now()::timestamptz AS at, '2026-12-02'::date AS day, interval '2 days' AS span, 12::bigint AS big, 1.5::numeric AS num,
    '{"a":[1,2]}'::jsonb AS doc, '\\x0102'::bytea AS bin, ARRAY['x','y'] AS list, true AS yes, NULL::text AS nothing`;

  it('returns values of the same types as PGlite in this thread (dates as Drizzle keeps them, JSON, bytes, arrays)', async () => {
    const [remote] = rowsOf<Record<string, unknown>>(await inWorker.db.execute(probe));
    const [local] = rowsOf<Record<string, unknown>>(await inThread.db.execute(probe));
    for (const key of Object.keys(local!)) {
      if (key === 'at') continue; // a different instant
      expect(remote![key], key).to.deep.equal(local![key]);
    }
    expect(typeof remote!.at).to.equal(typeof local!.at);
  });

  it('runs the migrations, then reads and writes through Drizzle and named statements', async () => {
    const [created] = await inWorker.db.insert(nodes).values(node('W1', '工作线程测试站')).returning();
    expect(created!.code).to.equal('W1');
    const byCode = (code: string) => runPrepared(inWorker.db, 'test_worker_node_by_code', (db) => db.select().from(nodes).where(eq(nodes.code, sql.placeholder('code'))), { code });
    expect((await byCode('W1')).map((n) => n.name)).to.deep.equal(['工作线程测试站']);
    // a statement refused for its value (a NUL byte) stays usable
    const refused = await byCode('\u0000').then(() => undefined, (err: unknown) => err);
    expect(refused).to.be.instanceOf(Error);
    expect((await byCode('W1')).length).to.equal(1);
    expect(await byCode('nope')).to.deep.equal([]);
  });

  it('commits a transaction that succeeds and rolls back one that throws, passing the error on', async () => {
    await inWorker.db.transaction(async (tx) => {
      await tx.insert(nodes).values(node('W2', '提交'));
    });
    const failure = await inWorker.db
      .transaction(async (tx) => {
        await tx.insert(nodes).values(node('W3', '回滚'));
        throw new Error('refused by a rule');
      })
      .catch((err: unknown) => err);
    expect((failure as Error).message).to.equal('refused by a rule');
    const codes = (await inWorker.db.select({ code: nodes.code }).from(nodes)).map((n) => n.code);
    expect(codes).to.include('W2');
    expect(codes).not.to.include('W3');
  });

  it('gives PostgreSQL’s error code and constraint, and leaves nothing of the failed transaction', async () => {
    const err = await inWorker.db
      .transaction(async (tx) => {
        await tx.insert(nodes).values(node('W4', '先写入'));
        await tx.insert(nodes).values(node('W1', '重复'));
      })
      .catch((e: unknown) => e);
    expect(pgErrorCode(err)).to.equal(UNIQUE_VIOLATION);
    expect(pgConstraint(err)).to.be.a('string');
    expect(await inWorker.db.select().from(nodes).where(eq(nodes.code, 'W4'))).to.deep.equal([]);
  });

  it('answers statements started together each with its own result, a refused one with its own error', async () => {
    const started = [1, 2, 3, 4, 5].map((i) =>
      i === 3 ? inWorker.db.execute(sql`SELECT 1 / 0 AS broken`).then(() => 'no error', (e: unknown) => pgErrorCode(e)) : runPrepared(inWorker.db, 'nqi_worker_batch_probe', (db) => db.select({ n: sql<number>`${sql.placeholder('n')}::int * 10` }).from(sql`(SELECT 1) AS one`), { n: i }),
    );
    expect(await Promise.all(started)).to.deep.equal([[{ n: 10 }], [{ n: 20 }], '22012', [{ n: 40 }], [{ n: 50 }]]);
  });

  it('runs concurrent transactions one after the other (no lost update)', async () => {
    await inWorker.db.execute(sql`CREATE TABLE worker_counter (n int NOT NULL)`);
    await inWorker.db.execute(sql`INSERT INTO worker_counter VALUES (0)`);
    await Promise.all(
      Array.from({ length: 20 }, () =>
        inWorker.db.transaction(async (tx) => {
          const [row] = rowsOf<{ n: number }>(await tx.execute(sql`SELECT n FROM worker_counter`));
          await tx.execute(sql`UPDATE worker_counter SET n = ${row!.n + 1}`);
        }),
      ),
    );
    const [row] = rowsOf<{ n: number }>(await inWorker.db.execute(sql`SELECT n FROM worker_counter`));
    expect(row!.n).to.equal(20);
  });

  it('keeps the data on disk: closed and opened again, the rows are there', async () => {
    await inWorker.close();
    inWorker = await openDatabase({ kind: 'pglite-dir', dataDir: dir, inWorker: true });
    const codes = (await inWorker.db.select({ code: nodes.code }).from(nodes)).map((n) => n.code);
    expect(codes).to.include.members(['W1', 'W2']);
  });

  it('tells its owner when the database thread dies, and refuses every later statement', async () => {
    const lostDir = mkdtempSync(path.join(os.tmpdir(), 'nqi-pglite-lost-'));
    const lost: Error[] = [];
    const database = await openDatabase({ kind: 'pglite-dir', dataDir: lostDir, inWorker: true, onLost: (err) => lost.push(err) });
    try {
      await database.ping();
      // as if PostgreSQL's thread crashed
      await (database.db as unknown as { $client: { worker: { terminate(): Promise<number> } } }).$client.worker.terminate();
      expect(lost).to.have.length(1);
      const refused = await database.ping().then(() => undefined, (err: unknown) => err);
      expect(String((refused as { cause?: unknown }).cause)).to.match(/database thread stopped/);
    } finally {
      await database.close();
      rmSync(lostDir, { recursive: true, force: true });
    }
  });
});
