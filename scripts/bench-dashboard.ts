/**
 * npm run bench:dashboard -- [--bookings 1000000] [--enterprises 20000] [--runs 15] [--keep] [--reuse <database>]
 *
 * Generates synthetic history on a fresh database on the PostgreSQL server of DATABASE_URL (20 000 enterprises,
 * 1 000 000 bookings over three years, every node and service, a realistic state mix), then times each dashboard query
 * for the three scopes and the lab queue page's queries, and prints p50/p99 against the targets (dashboard < 300 ms,
 * queue < 100 ms). The database is dropped afterwards unless --keep. --reuse times a database kept by an earlier run
 * (after migrating it to the current schema, which fills a new rollup from its bookings) instead of generating one.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import type { Principal } from '../src/auth/access.js';
import { tmpdir } from 'node:os';
import { makeReferenceData } from '../src/catalog/reference.js';
import { makeLabService } from '../src/lab/lab.service.js';
import { makeReportsService } from '../src/reports/reports.service.js';
import { FileStorage } from '../src/uploads/storage.js';
import { openDatabase, rowsOf } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { seedReference } from '../src/seed/reference.js';
import { makeStatsService } from '../src/stats/stats.service.js';
import * as stats from '../src/stats/stats.repo.js';
import { rebuildDailyStats } from '../src/stats/rollup.repo.js';
import { shanghaiDate, systemClock } from '../src/shared/time.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}
const BOOKINGS = arg('bookings', 1_000_000);
const ENTERPRISES = arg('enterprises', 20_000);
const RUNS = arg('runs', 15);
const REUSE = process.argv.includes('--reuse') ? process.argv[process.argv.indexOf('--reuse') + 1] : undefined;
const KEEP = process.argv.includes('--keep') || !!REUSE;
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  console.error('bench:dashboard needs DATABASE_URL=postgres://… (the targets are for PostgreSQL).');
  process.exit(2);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function time(label: string, target: number, fn: () => Promise<unknown>, rows: { query: string; p50: number; p99: number; target: number }[]) {
  await fn(); // warm-up (plans, caches)
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  rows.push({ query: label, p50: Math.round(percentile(samples, 50) * 10) / 10, p99: Math.round(percentile(samples, 99) * 10) / 10, target });
}

type Db = Awaited<ReturnType<typeof openDatabase>>['db'];

/** The synthetic history: enterprises, their users, one statement for all bookings, evaluations. */
async function generate(db: Db) {
  await seedReference(db);
  const t0 = performance.now();
  console.log(`generating ${ENTERPRISES} enterprises and ${BOOKINGS} bookings …`);
  await db.execute(sql`
    INSERT INTO enterprises (name, credit_code, park_id, address, created_at)
    SELECT '压测企业' || i, 'BENCH' || lpad(i::text, 13, '0'),
           CASE WHEN i % 7 = 0 THEN NULL ELSE (SELECT id FROM parks ORDER BY id OFFSET (i % 6) LIMIT 1) END,
           '舟山市', now() - interval '4 years'
    FROM generate_series(1, ${ENTERPRISES}) AS i`);
  await db.execute(sql`
    INSERT INTO users (role, name, mobile, password_hash, enterprise_id)
    SELECT 'enterprise', '压测用户', '15' || lpad(e.id::text, 9, '0'), 'x', e.id FROM enterprises e WHERE e.credit_code LIKE 'BENCH%'`);
  await db.execute(sql`CREATE TEMP TABLE bench_offerings AS
    SELECT row_number() OVER (ORDER BY ns.id) - 1 AS k, ns.id AS ns_id, ns.node_id, ns.service_id, s.booking_kind, s.turnaround_days
    FROM node_services ns JOIN services s ON s.id = ns.service_id`);
  const [{ n: offeringCount }] = rowsOf<{ n: number }>(await db.execute(sql`SELECT count(*)::int AS n FROM bench_offerings`)) as [{ n: number }];
  // One statement for all bookings: age decides the state (older → completed/cancelled/rejected, recent → open).
  await db.execute(sql`
    INSERT INTO bookings (number, kind, enterprise_id, park_id, node_id, service_id, node_service_id, date, "window", units, status,
                          delivery_mode, contact_name, contact_mobile, created_by, idempotency_key, submitted_at, created_at, updated_at,
                          accepted_at, due_date, reported_at, turnaround_days, on_time, completed_at, closed_at)
    SELECT 'BK-' || lpad(g.i::text, 12, '0'), o.booking_kind, e.id, e.park_id, o.node_id, o.service_id, o.ns_id,
           (g.created AT TIME ZONE 'Asia/Shanghai')::date + 1 + (g.i % 5), CASE WHEN g.i % 2 = 0 THEN 'am' ELSE 'pm' END,
           1 + (g.i % 4), g.status::booking_status, 'send_in', '压测', '13900000000', u.id, 'k' || g.i, g.created, g.created, g.created,
           CASE WHEN g.status NOT IN ('submitted','needs_info','cancelled','rejected') THEN g.created + interval '3 hours' END,
           CASE WHEN g.status NOT IN ('submitted','needs_info','cancelled','rejected') THEN (g.created AT TIME ZONE 'Asia/Shanghai')::date + o.turnaround_days + 2 END,
           CASE WHEN g.status IN ('reported','completed') THEN g.created + (g.tat + 2) * interval '1 day' END,
           CASE WHEN g.status IN ('reported','completed') THEN g.tat END,
           CASE WHEN g.status IN ('reported','completed') THEN g.tat <= o.turnaround_days + 1 END,
           CASE WHEN g.status = 'completed' THEN g.created + (g.tat + 4) * interval '1 day' END,
           CASE WHEN g.status IN ('completed','cancelled','rejected') THEN g.created + (g.tat + 4) * interval '1 day' END
    FROM (
      SELECT i, created, 1 + floor(random() * 7)::int AS tat,
             CASE
               WHEN r < 0.07 THEN 'cancelled' WHEN r < 0.11 THEN 'rejected'
               WHEN created > now() - interval '3 days' THEN (ARRAY['submitted','submitted','needs_info','accepted'])[1 + (i % 4)]
               WHEN created > now() - interval '10 days' THEN (ARRAY['accepted','received','in_progress','to_verify','verified','reported'])[1 + (i % 6)]
               WHEN created > now() - interval '20 days' THEN (ARRAY['reported','completed','completed'])[1 + (i % 3)]
               ELSE 'completed' END AS status
      FROM (SELECT i, now() - (power(random(), 0.8) * interval '3 years') AS created, random() AS r
            FROM generate_series(1, ${BOOKINGS}) AS i) raw
    ) g
    JOIN bench_offerings o ON o.k = g.i % ${offeringCount}
    JOIN enterprises e ON e.id = (SELECT min(id) FROM enterprises) + ((g.i::bigint * 7919) % ${ENTERPRISES})::int
    JOIN users u ON u.enterprise_id = e.id`);
  await db.execute(sql`
    INSERT INTO evaluations (booking_id, user_id, level, comment, created_at)
    SELECT b.id, b.created_by, (ARRAY[5,5,5,4,4,4,3,2,1])[1 + (b.id % 9)], '', b.completed_at
    FROM bookings b WHERE b.status = 'completed' AND b.id % 5 < 2`);
  await db.execute(sql`UPDATE bookings b SET evaluation_level = v.level FROM evaluations v WHERE v.booking_id = b.id`);
  // The triggers on bookings kept the dashboards' rollup through both bulk statements; rebuild it once anyway, as the
  // repair job would (and to time it).
  const tr = performance.now();
  await rebuildDailyStats(db);
  console.log(`rollup rebuilt in ${Math.round(performance.now() - tr)} ms`);
  await db.execute(sql`VACUUM ANALYZE bookings`);
  await db.execute(sql`VACUUM ANALYZE booking_stats`);
  await db.execute(sql`VACUUM ANALYZE booking_stats_turnaround`);
  await db.execute(sql`ANALYZE`);
  console.log(`generated in ${Math.round((performance.now() - t0) / 1000)} s`);
}

async function main() {
  if (REUSE && !/^nqi_benchdash_\w+$/.test(REUSE)) throw new Error('--reuse takes the name of a database an earlier run kept (nqi_benchdash_…)');
  const name = REUSE ?? `nqi_benchdash_${process.pid}_${randomBytes(3).toString('hex')}`;
  if (!REUSE) {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
  }
  const url = new URL(serverUrl!);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: 'pg', url: url.toString(), poolMax: 4 });
  const db = database.db;
  try {
    const tm = performance.now();
    await runMigrations(database);
    if (REUSE) console.log(`migrated ${name} in ${Math.round(performance.now() - tm)} ms`);
    else {
      console.log(`database ${url.host}/${name}`);
      await generate(db);
    }
    await db.execute(sql`ANALYZE`);
    const [{ n: total }] = rowsOf<{ n: number }>(await db.execute(sql`SELECT count(*)::int AS n FROM bookings`)) as [{ n: number }];
    console.log(`${total} bookings; timing ${RUNS} runs per query …\n`);

    const service = makeStatsService({ db, clock: systemClock });
    const period = service.periodOf({ period: 'year' });
    const threeYears = service.periodOf({ period: 'custom', from: shanghaiDate(new Date(Date.now() - 3 * 365 * 86_400_000)), to: shanghaiDate(new Date()) });
    const today = shanghaiDate(new Date());
    const [busiest] = rowsOf<{ node_id: number; park_id: number }>(await db.execute(sql`SELECT b.node_id, (SELECT id FROM parks ORDER BY id LIMIT 1) AS park_id FROM bookings b GROUP BY b.node_id ORDER BY count(*) DESC LIMIT 1`));
    const scopes: [string, stats.StatsScope][] = [
      ['platform', { kind: 'platform' }],
      ['park', { kind: 'park', parkId: busiest!.park_id }],
      ['node', { kind: 'node', nodeId: busiest!.node_id }],
    ];
    const rows: { query: string; p50: number; p99: number; target: number }[] = [];
    for (const [label, scope] of scopes) {
      for (const [plabel, p] of [['本年', period], ['3 年', threeYears]] as const) {
        await time(`${label} ${plabel} summary`, 300, () => stats.summary(db, scope, p), rows);
        await time(`${label} ${plabel} byMonth`, 300, () => stats.byMonth(db, scope, p), rows);
        await time(`${label} ${plabel} byCategory`, 300, () => stats.byCategory(db, scope, p), rows);
        await time(`${label} ${plabel} byPark`, 300, () => stats.byPark(db, scope, p), rows);
        await time(`${label} ${plabel} topServices`, 300, () => stats.topServices(db, scope, p), rows);
        await time(`${label} ${plabel} nodeFigures`, 300, () => stats.nodeFigures(db, scope, p), rows);
        await time(`${label} ${plabel} satisfaction`, 300, () => stats.satisfaction(db, scope, p), rows);
      }
      await time(`${label} loadNow`, 300, () => stats.loadNow(db, scope, today), rows);
    }
    await time('park enterprises list', 300, () => stats.parkEnterprises(db, busiest!.park_id), rows);
    const platformUser = { id: 0, role: 'platform_admin' } as Principal;
    await time('fees per node (本年)', 300, () => stats.feeTotals(db, { kind: 'platform' }, period), rows);
    await time('whole platform dashboard (本年, all queries)', 300 * 9, () => service.dashboard(platformUser, { period: 'year' }), rows);

    // The lab queue page as a node's staff member loads it: every query of the page (tab counts, list, filters).
    const lab = makeLabService({ db, clock: systemClock, storage: new FileStorage(tmpdir()), reports: makeReportsService({ db, clock: systemClock, storage: new FileStorage(tmpdir()) }), autoCompleteDays: 7, reference: makeReferenceData(db) });
    const staffUser = { id: 0, role: 'lab_staff', nodeId: busiest!.node_id } as Principal;
    for (const tab of ['submitted', 'testing', 'done', 'closed']) {
      await time(`lab queue page: tab ${tab}`, 100, () => lab.queue(staffUser, { tab, page: 1 }), rows);
    }
    await time('lab queue page: search by number prefix', 100, () => lab.queue(staffUser, { tab: 'done', q: 'BK-00000050', page: 1 }), rows);
    await time('lab queue page: search by company', 100, () => lab.queue(staffUser, { tab: 'done', q: '压测企业1234', page: 1 }), rows);
    // Deep pages by keyset: the cursor of page 40 (the 975th finished booking in the tab's order), both directions.
    const [deep] = rowsOf<{ id: number }>(await db.execute(sql`SELECT id FROM bookings WHERE node_id = ${busiest!.node_id} AND status IN ('reported', 'completed') ORDER BY updated_at DESC, id DESC OFFSET 975 LIMIT 1`));
    await time('lab queue page: done tab, page 40 (下一页)', 100, () => lab.queue(staffUser, { tab: 'done', after: String(deep!.id), page: 40 }), rows);
    await time('lab queue page: done tab, page 39 (上一页)', 100, () => lab.queue(staffUser, { tab: 'done', before: String(deep!.id), page: 40 }), rows);
    await time('lab queue page: search by company, next page', 100, () => lab.queue(staffUser, { tab: 'done', q: '压测企业1234', after: String(deep!.id), page: 2 }), rows);

    console.table(rows.map((r) => ({ ...r, ok: r.p99 <= r.target ? 'yes' : `NO (+${Math.round(r.p99 - r.target)} ms)` })));
    const misses = rows.filter((r) => r.p99 > r.target);
    console.log(misses.length ? `${misses.length} queries miss their target (see table)` : 'every query meets its target');
  } finally {
    await database.close();
    if (!KEEP) {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    } else console.log(`kept database ${name}`);
  }
}

await main();
console.log(`RSS at the end of the run: ${Math.round(process.memoryUsage().rss / 1048576)} MB (this process)`);
