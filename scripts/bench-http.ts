/**
 * npm run bench:http -- [--db pglite|pg|both] [--duration 10] [--connections 50] [--workers 2] [--read-url URL]
 *
 * Throughput of the real app in production mode (compiled, NODE_ENV=production, request logging on), with autocannon:
 * requests/second and p50/p99 latency of the main pages for the roles that use them, and — in the same run, on the
 * same machine, with the same number of processes — a bare Express "hello" route as the ceiling. Each page's rps is
 * printed as a ratio of that ceiling. PostgreSQL runs need DATABASE_URL (a fresh database is created and dropped).
 *
 * --read-url: the server of a streaming replica of DATABASE_URL's server (scripts/replica.sh: port 5433). The app then
 * runs with DATABASE_READ_URL on the replica's copy of the fresh database (dashboards, open data and the catalog read
 * there); the bench waits until the replica has replayed the seed, and prints the replication lag after the run.
 * `npm run bench:replica` starts the replica and runs this.
 */
import { BUNDLE_ENTRY, bundleServer } from './bundle.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../src/db/client.js';
import { ensurePurgedCss } from '../src/http/purged-css.js';
import { runMigrations } from '../src/db/migrate.js';
import { runSeed } from '../src/seed/index.js';
import { DEMO_PASSWORD } from '../src/seed/demo.js';
import { projectRoot } from '../src/shared/paths.js';
import { freePort, waitUntilAnswering } from '../test/support/processes.js';
import { appRss, cpuSplit, stopProcess } from './bench-support.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const DURATION = Number(option('duration', '10'));
const CONNECTIONS = Number(option('connections', '50'));
const WORKERS = Number(option('workers', '2'));
const which = option('db', process.env.DATABASE_URL ? 'both' : 'pglite');
const READ_URL = option('read-url', '');
/** `--only bookings` measures only the pages whose label contains the word (and the ceiling); for profiling. */
const ONLY = option('only', '');

/** The same database on the replica's server. */
function onReplica(url: string): string {
  const u = new URL(READ_URL);
  u.pathname = new URL(url).pathname;
  return u.toString();
}

/** Waits until the replica has replayed everything the primary wrote so far; returns how long that took. */
async function replicaCaughtUp(primaryUrl: string): Promise<number> {
  const primary = new pg.Client({ connectionString: primaryUrl });
  await primary.connect();
  const { rows } = await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  await primary.end();
  const started = Date.now();
  const replica = new pg.Client({ connectionString: READ_URL });
  await replica.connect();
  try {
    for (;;) {
      const r = await replica.query<{ behind: boolean }>('SELECT pg_last_wal_replay_lsn() < $1::pg_lsn AS behind', [rows[0]!.lsn]);
      if (!r.rows[0]!.behind) return Date.now() - started;
      if (Date.now() - started > 300_000) throw new Error('the replica has not caught up after 5 minutes (scripts/replica.sh status)');
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await replica.end();
  }
}

/** The primary's view of the replica: lag per stage and bytes not yet replayed. */
async function replicationLag(): Promise<string> {
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  const { rows } = await c.query<{ line: string }>(`SELECT format('%s: write %s, flush %s, replay %s, %s bytes behind', application_name, coalesce(write_lag::text, '0'),
    coalesce(flush_lag::text, '0'), coalesce(replay_lag::text, '0'), pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)) AS line FROM pg_stat_replication`);
  await c.end();
  return rows.map((r) => r.line).join('; ') || 'no replica streaming';
}
const root = projectRoot();

/** The ceiling: a bare Express route, same machine, same number of processes as the app. */
async function startHello(workers: number): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'nqi-hello-')), 'hello.cjs');
  writeFileSync(
    file,
    `const cluster = require('node:cluster');
const express = require(${JSON.stringify(path.join(root, 'node_modules', 'express'))});
if (cluster.isPrimary && ${workers} > 1) {
  for (let i = 0; i < ${workers}; i++) cluster.fork();
  process.on('SIGTERM', () => { for (const w of Object.values(cluster.workers)) w.process.kill('SIGTERM'); setTimeout(() => process.exit(0), 200); });
} else {
  const app = express();
  app.get('/hello', (req, res) => res.send('hello'));
  const server = app.listen(${port}, '127.0.0.1');
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
`,
  );
  const child = spawn(process.execPath, [file], { cwd: root, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/hello`;
  await waitUntilAnswering(url, child, 120_000);
  return { url, child };
}

async function prepare(kind: 'pglite' | 'pg'): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> {
  let database: Database;
  let cleanup: () => Promise<void>;
  let env: Record<string, string>;
  if (kind === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'nqi-bench-http-'));
    database = await openDatabase({ kind: 'pglite-dir', dataDir: path.join(dir, 'data') });
    env = { DATA_DIR: path.join(dir, 'data'), UPLOAD_DIR: path.join(dir, 'uploads'), DATABASE_URL: '', WEB_CONCURRENCY: '1' };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const name = `nqi_benchhttp_${process.pid}_${randomBytes(3).toString('hex')}`;
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${name}`;
    database = await openDatabase({ kind: 'pg', url: url.toString(), poolMax: 2 });
    const dir = mkdtempSync(path.join(tmpdir(), 'nqi-bench-http-'));
    env = { DATABASE_URL: url.toString(), DATA_DIR: path.join(dir, 'data'), UPLOAD_DIR: path.join(dir, 'uploads'), WEB_CONCURRENCY: String(WORKERS), DB_POOL_MAX: '10' };
    cleanup = async () => {
      const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  // Demo accounts and history, so the pages have what a real day has (production itself never seeds demo data).
  await runMigrations(database);
  await runSeed(database.db, { demo: true });
  // As a database in service is: vacuumed and analysed, not in the middle of autovacuum's first pass over a fresh load
  // (which otherwise runs during the first pages measured and takes CPU from them).
  await database.db.execute(sql`VACUUM ANALYZE`);
  await database.close();
  if (kind === 'pg' && READ_URL) {
    env.DATABASE_READ_URL = onReplica(env.DATABASE_URL!);
    console.log(`replica ${new URL(READ_URL).host} replayed the seeded database ${await replicaCaughtUp(env.DATABASE_URL!)} ms after the seed`);
  }
  return { env, cleanup };
}

async function login(base: string, mobile: string): Promise<string> {
  const page = await fetch(`${base}/login`);
  const cookie = page.headers.getSetCookie().find((c) => c.startsWith('nqi.sid='))!.split(';')[0]!;
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const res = await fetch(`${base}/login`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: token, identifier: mobile, password: DEMO_PASSWORD }) });
  if (res.status !== 302) throw new Error(`login ${mobile}: ${res.status}`);
  return res.headers.getSetCookie().find((c) => c.startsWith('nqi.sid='))!.split(';')[0]!;
}

interface Row {
  page: string;
  rps: number;
  p50: number;
  p99: number;
  ratio: string;
  errors: number;
  /** CPU per answered request (ms): the app's processes / PostgreSQL's / the load generator's — they share the cores. */
  'cpu ms app/db/load': string;
}

/** The process whose CPU counts as the app's while a page is measured (the hello server while it is). */
let measuredPid = 0;

async function measure(label: string, url: string, cookie?: string): Promise<Omit<Row, 'ratio'>> {
  const before = cpuSplit(measuredPid);
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers: cookie ? { cookie } : {} });
  const after = cpuSplit(measuredPid);
  const answered = Math.max(1, result.requests.total);
  const per = (k: 'app' | 'postgres' | 'bench') => (before && after ? ((after[k] - before[k]) / answered).toFixed(2) : '?');
  return {
    page: label,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    'cpu ms app/db/load': `${per('app')} / ${per('postgres')} / ${per('bench')}`,
  };
}

/** Resident memory of a process and its children (the cluster's workers), in MB. */
async function runFor(kind: 'pglite' | 'pg') {
  const { env, cleanup } = await prepare(kind);
  const workers = Number(env.WEB_CONCURRENCY);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // BENCH_APP_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the app under the load
  const appArgs = (process.env.BENCH_APP_ARGS ?? '').split(' ').filter(Boolean);
  const app = spawn(process.execPath, [...appArgs, BUNDLE_ENTRY], {
    cwd: root,
    env: { ...process.env, ...env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: base, SESSION_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: 'info' },
    // request logs are written (as in production) and discarded; BENCH_APP_STDERR=<file> keeps the app's errors
    stdio: ['ignore', 'ignore', process.env.BENCH_APP_STDERR ? openSync(process.env.BENCH_APP_STDERR, 'w') : 'ignore'],
  });
  const hello = await startHello(workers);
  try {
    await waitUntilAnswering(`${base}/healthz`, app, 120_000);
    const [company, staff, admin] = [await login(base, '13900000101'), await login(base, '13900000011'), await login(base, '13900000001')];
    const list = await (await fetch(`${base}/bookings`, { headers: { cookie: company } })).text();
    const number = /href="\/bookings\/([A-Z]{2}-\d{8}-\d{4})"/.exec(list)![1]!;

    measuredPid = hello.child.pid!;
    const ceiling = await measure('hello (bare Express)', hello.url);
    measuredPid = app.pid!;
    const wanted = (label: string) => !ONLY || label.includes(ONLY);
    const measureIf = async (label: string, url: string, cookie?: string) => (wanted(label) ? [await measure(label, url, cookie)] : []);
    const pages = [
      ...(await measureIf('home /', `${base}/`)),
      ...(await measureIf('catalog /services', `${base}/services`)),
      ...(await measureIf('service /services/CAL-PG', `${base}/services/CAL-PG`)),
      ...(await measureIf('my bookings /bookings', `${base}/bookings`, company)),
      ...(await measureIf(`one booking /bookings/:no`, `${base}/bookings/${number}`, company)),
      ...(await measureIf('lab queue /lab', `${base}/lab`, staff)),
      ...(await measureIf('dashboard /admin', `${base}/admin`, admin)),
      ...(await measureIf('ledger /instruments', `${base}/instruments`, company)),
      ...(await measureIf('equipment /equipment', `${base}/equipment`, company)),
    ];
    if (kind === 'pg' && READ_URL) pages.push(await measure('open data /open-data', `${base}/open-data`), await measure('dashboard, quarter /admin?period=quarter', `${base}/admin?period=quarter`, admin));
    const rows: Row[] = [ceiling, ...pages].map((r) => ({ ...r, ratio: `${Math.round((r.rps / ceiling.rps) * 100)}%` }));
    const reads = kind === 'pg' && READ_URL ? `, reads of dashboards, open data and catalog on the replica ${new URL(READ_URL).host}` : '';
    console.log(`\nbench:http — ${kind === 'pg' ? `PostgreSQL, ${workers} worker processes${reads}` : 'PGlite (embedded), 1 process'} · ${CONNECTIONS} connections · ${DURATION} s per page`);
    console.table(rows);
    if (kind === 'pg' && READ_URL) console.log(`replication lag after the run: ${await replicationLag()}`);
    console.log(`RSS after the run: app ${appRss(app.pid!)} MB (all its processes), this bench process ${Math.round(process.memoryUsage().rss / 1048576)} MB`);
  } finally {
    await stopProcess(app);
    await stopProcess(hello.child);
    await cleanup();
  }
}

async function main() {
  console.log('bundling the server …');
  await bundleServer(); // what npm start runs (made from the sources: no tsc needed)
  await ensurePurgedCss();
  if (which === 'pglite' || which === 'both') await runFor('pglite');
  if (which === 'pg' || which === 'both') {
    if (!process.env.DATABASE_URL) throw new Error('--db pg needs DATABASE_URL');
    await runFor('pg');
  }
}

await main();
