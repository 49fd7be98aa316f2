import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { HOLDS_CAPACITY } from '../../src/bookings/lifecycle.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { seedReference } from '../../src/seed/reference.js';
import { projectRoot } from '../../src/shared/paths.js';
import { calibrationFields, filesUnder, nodeServiceOf, PDF, setCapacity, type FormPage } from '../support/bookings.js';
import { adminQuery, testDatabaseUrl } from '../support/db.js';
import { freePort, hasEnded, waitUntilAnswering } from '../support/processes.js';
import { createCompanyUser, TEST_PASSWORD } from '../support/factories.js';

/**
 * Kills the server (SIGKILL: no graceful shutdown, no flushing) in the middle of a burst of bookings — each with an
 * uploaded document, into windows with room for all of them, so the requests cut off by the kill are acceptances in
 * flight — restarts it on the same database, and checks what a city cannot afford to lose: every booking the server
 * answered as accepted exists with its event, items and document (the file on disk with its recorded SHA-256); no
 * booking exists half-written; booking numbers stay contiguous (a killed transaction gives its number back); each
 * window's used capacity equals the units of the bookings that hold it; and the restarted server books on.
 *
 * It needs the PostgreSQL server (TEST_DATABASE_URL, as in CI): the embedded PGlite is one process owning its data
 * folder and makes no durability promise for a killed process, so there is nothing meaningful to test there.
 */
const REQUESTS = 60;
const CONCURRENCY = 12;
const KILL_AFTER_RESPONSES = 12;

function cookieFrom(res: Response, jar: Map<string, string>): void {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const [name, ...value] = pair!.split('=');
    jar.set(name!, value.join('='));
  }
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

describe('crash safety: SIGKILL in the middle of a burst of bookings with uploads, acceptances in flight (PostgreSQL server)', function () {
  this.timeout(180_000);
  let dbName: string;
  let url: string;
  let database: Database;
  let scratch: string;
  let server: ChildProcess | undefined;
  let port: number;

  async function start(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: projectRoot(),
      env: {
        ...process.env,
        NODE_ENV: 'production',
        DATABASE_URL: url,
        WEB_CONCURRENCY: '1',
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        SESSION_SECRET: 'crash-test-secret-crash-test-secret-0123',
        UPLOAD_DIR: path.join(scratch, 'uploads'),
        DATA_DIR: path.join(scratch, 'data'),
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    await waitUntilAnswering(`http://127.0.0.1:${port}/healthz`, child, 60_000);
    return child;
  }

  before(async function () {
    if (!testDatabaseUrl) {
      this.skip(); // see the comment above: PostgreSQL server only (CI runs the suite on it)
    }
    dbName = `nqi_crash_${process.pid}_${randomBytes(3).toString('hex')}`;
    await adminQuery(`CREATE DATABASE ${dbName}`);
    const u = new URL(testDatabaseUrl!);
    u.pathname = `/${dbName}`;
    url = u.toString();
    database = await openDatabase({ kind: 'pg', url, poolMax: 4 });
    await runMigrations(database);
    await seedReference(database.db);
    scratch = mkdtempSync(path.join(tmpdir(), 'nqi-crash-'));
    port = await freePort();
  });

  after(async () => {
    if (server && !hasEnded(server)) server.kill('SIGKILL');
    await database?.close();
    if (dbName) await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('keeps every accepted booking with its event, and capacity equal to the units of live bookings', async () => {
    const base = `http://127.0.0.1:${port}`;
    const offering = await nodeServiceOf(database.db, 'ZS-METROLOGY', 'CAL-PG');
    await setCapacity(database.db, offering.ns.id, 500); // room for every request: what the kill cuts off are acceptances
    const companies = await Promise.all(Array.from({ length: 6 }, (_, i) => createCompanyUser(database.db, { name: `抢约测试${i}有限公司` })));
    server = await start();

    // Sign in, and open one booking form per request beforehand (each has its own CSRF token and idempotency key).
    const jars = await Promise.all(
      companies.map(async (c) => {
        const jar = new Map<string, string>();
        const page = await fetch(`${base}/login`);
        cookieFrom(page, jar);
        const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
        const res = await fetch(`${base}/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ _csrf: token, identifier: c.user.mobile, password: TEST_PASSWORD }),
        });
        expect(res.status).to.equal(302);
        cookieFrom(res, jar);
        return jar;
      }),
    );
    const forms: { jar: Map<string, string>; page: FormPage }[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const jar = jars[i % jars.length]!;
      const res = await fetch(`${base}/bookings/new?service=CAL-PG&node=${offering.nodeId}`, { headers: { cookie: cookieHeader(jar) } });
      const text = await res.text();
      const page: FormPage = {
        status: res.status,
        text,
        csrf: /name="_csrf" value="([^"]+)"/.exec(text)![1]!,
        key: /name="idempotencyKey" value="([^"]+)"/.exec(text)![1]!,
        slots: [...text.matchAll(/name="slot" id="[^"]+" value="([^"]+)"/g)].map((m) => m[1]!),
      };
      expect(page.slots.length).to.be.greaterThan(2);
      forms.push({ jar, page });
    }

    // The burst: CONCURRENCY multipart posts at a time over the first three windows; SIGKILL once a dozen have answered.
    const accepted: string[] = [];
    const ownerOf = new Map<string, Map<string, string>>();
    const otherAnswers: number[] = [];
    let answered = 0;
    let inFlightAtKill = 0;
    let killed = false;
    let next = 0;
    const worker = async () => {
      while (next < forms.length) {
        const { jar, page } = forms[next]!;
        const slot = page.slots[next % 3]!;
        const serial = `CRASH-${next}`;
        next += 1;
        const body = new FormData();
        for (const [k, v] of Object.entries(calibrationFields(page, offering.nodeId, { slot, 'items[0][serialNo]': serial, 'items[1][serialNo]': `${serial}-B` }))) if (typeof v === 'string') body.append(k, v);
        body.append('file_instrument_list', new Blob([Buffer.concat([PDF, Buffer.from(`% ${serial}\n`)])], { type: 'application/pdf' }), `${serial}.pdf`);
        const startedBeforeKill = !killed;
        try {
          const res = await fetch(`${base}/bookings`, { method: 'POST', redirect: 'manual', headers: { cookie: cookieHeader(jar) }, body });
          await res.arrayBuffer();
          answered += 1;
          if (res.status === 303) {
            const number = res.headers.get('location')!.split('/').pop()!;
            accepted.push(number);
            ownerOf.set(number, jar);
          } else otherAnswers.push(res.status);
        } catch {
          // the server died under this request: no answer, no promise made
          if (startedBeforeKill) inFlightAtKill += 1;
        }
        if (!killed && answered >= KILL_AFTER_RESPONSES) {
          killed = true;
          server!.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(killed, 'the server was killed mid-burst').to.equal(true);
    expect(otherAnswers, 'every answered request was accepted (the windows had room)').to.deep.equal([]);
    expect(accepted.length, 'some bookings were accepted before the kill').to.be.greaterThan(0);
    expect(inFlightAtKill, 'acceptances were in flight when the server was killed').to.be.greaterThan(0);
    const killedServer = server!;
    if (!hasEnded(killedServer)) await new Promise((r) => killedServer.once('exit', r));

    // Restart on the same database: it must come up and still serve what it promised.
    server = await start();
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    let committedAfterCrash: number | undefined;
    try {
      const { rows: found } = await db.query<{ number: string; status: string; events: string | number }>(
        `SELECT b.number, b.status,
                (SELECT count(*) FROM events e WHERE e.entity_type = 'booking' AND e.entity_id = b.id::text AND e.action = 'booking.submitted') AS events
           FROM bookings b WHERE b.number = ANY($1)`,
        [accepted],
      );
      expect(found.map((r) => r.number).sort()).to.deep.equal([...accepted].sort());
      for (const r of found) expect({ status: r.status, events: Number(r.events) }, r.number).to.deep.equal({ status: 'submitted', events: 1 });

      // No booking at all (answered or cut off) exists without its event, and none without its items.
      const { rows: orphans } = await db.query(
        `SELECT b.number FROM bookings b
          WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.entity_type = 'booking' AND e.entity_id = b.id::text AND e.action = 'booking.submitted')
             OR NOT EXISTS (SELECT 1 FROM booking_items i WHERE i.booking_id = b.id)`,
      );
      expect(orphans).to.deep.equal([]);

      // Capacity: used = units of the bookings holding each window, and never above capacity.
      const { rows: windows } = await db.query<{ id: number; capacity: number; used: number; held: string }>(
        `SELECT w.id, w.capacity, w.used,
                (SELECT coalesce(sum(b.units), 0) FROM bookings b WHERE b.window_id = w.id AND b.status = ANY($1::booking_status[])) AS held
           FROM capacity_windows w WHERE w.used > 0 OR EXISTS (SELECT 1 FROM bookings b WHERE b.window_id = w.id)`,
        [HOLDS_CAPACITY],
      );
      expect(windows.length).to.be.greaterThan(0);
      for (const w of windows) {
        expect(Number(w.used), `window ${w.id}`).to.equal(Number(w.held));
        expect(Number(w.used), `window ${w.id}`).to.be.at.most(Number(w.capacity));
      }

      // Documents: every booking has its one document, and every document row has its file with the recorded hash.
      const { rows: docs } = await db.query<{ number: string; n: string }>(`SELECT b.number, (SELECT count(*) FROM attachments a WHERE a.booking_id = b.id) AS n FROM bookings b`);
      for (const d of docs) expect(Number(d.n), `${d.number}: its document`).to.equal(1);
      const { rows: files } = await db.query<{ stored_name: string; sha256: string }>('SELECT stored_name, sha256 FROM attachments');
      // On PostgreSQL the documents live in the database by default (FILE_STORE=database); with FILE_STORE=disk, on disk.
      const { rows: inDatabase } = await db.query<{ stored_name: string; sha256: string }>(`SELECT stored_name, encode(sha256(content), 'hex') AS sha256 FROM stored_files`);
      const stored = new Map(inDatabase.map((r) => [r.stored_name, r.sha256]));
      const onDisk = filesUnder(path.join(scratch, 'uploads'));
      expect(stored.size > 0 || onDisk.length > 0, 'documents were stored somewhere').to.equal(true);
      for (const f of files) {
        const file = path.join(scratch, 'uploads', f.stored_name.slice(0, 2), f.stored_name);
        const sha = stored.get(f.stored_name) ?? (existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : undefined);
        expect(sha, `${f.stored_name} stored`).to.be.a('string');
        expect(sha, f.stored_name).to.equal(f.sha256);
      }
      // documents saved by requests killed before their commit are the only ones without a row (at most one each)
      expect(stored.size + onDisk.length - files.length).to.be.at.least(0).and.at.most(inFlightAtKill);

      // Booking numbers: 1…N of the day without a gap — a killed transaction gave its number back — and the counter at N.
      const { rows: numbered } = await db.query<{ seq: number; last: number }>(
        `SELECT right(b.number, 4)::int AS seq, c.last FROM bookings b JOIN booking_counters c ON c.prefix = split_part(b.number, '-', 1) AND to_char(c.day, 'YYYYMMDD') = split_part(b.number, '-', 2) ORDER BY 1`,
      );
      expect(numbered.map((r) => Number(r.seq))).to.deep.equal(numbered.map((_, i) => i + 1));
      expect(Number(numbered[0]!.last)).to.equal(numbered.length);
      committedAfterCrash = numbered.length;
    } finally {
      await db.end();
    }

    // The restarted server books on: the next number follows the last one.
    const { jar, page } = forms[0]!;
    const again = await fetch(`${base}/bookings/new?service=CAL-PG&node=${offering.nodeId}`, { headers: { cookie: cookieHeader(jar) } });
    const text = await again.text();
    const fresh: FormPage = { ...page, csrf: /name="_csrf" value="([^"]+)"/.exec(text)![1]!, key: /name="idempotencyKey" value="([^"]+)"/.exec(text)![1]! };
    const after = new URLSearchParams();
    for (const [k, v] of Object.entries(calibrationFields(fresh, offering.nodeId, { slot: page.slots[0], 'items[0][serialNo]': 'AFTER-1', 'items[1][serialNo]': 'AFTER-2' }))) if (typeof v === 'string') after.append(k, v);
    const booked = await fetch(`${base}/bookings`, { method: 'POST', redirect: 'manual', headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' }, body: after });
    expect(booked.status).to.equal(303);
    expect(Number(booked.headers.get('location')!.slice(-4))).to.equal(committedAfterCrash! + 1);

    // …and the restarted server shows each accepted booking to its company (sessions survived in the database).
    for (const number of accepted) {
      const res = await fetch(`${base}/bookings/${number}`, { headers: { cookie: cookieHeader(ownerOf.get(number)!) }, redirect: 'manual' });
      expect(res.status, number).to.equal(200);
      expect(await res.text()).to.contain(number);
    }
  });
});
