/**
 * npm run bench:ledger -- [--enterprises 20000] [--per 50] [--runs 100] [--keep]
 *
 * The instrument ledger at city scale, on PostgreSQL: a scratch database on the server of DATABASE_URL (default: the
 * local server, postgres://postgres@127.0.0.1:5432/postgres) with 20 000 companies × 50 instruments (1 M entries, a
 * realistic mix of categories, 强检, states and due dates) plus one large company of 10 000. Prints:
 *  - the ledger page (every query it runs: rows, count, header figures, departments) p50/p99 with each filter;
 *  - the daily reminder job over the 1 M instruments, and its second run (which must send nothing);
 *  - the park and city compliance queries;
 *  - an import of 5 000 rows (preview + confirm).
 * Targets: page p99 < 100 ms, reminder job < 60 s, park compliance < 300 ms. The database is dropped unless --keep.
 */
import { tmpdir } from 'node:os';
import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import type { Principal } from '../src/auth/access.js';
import { makeAvailability } from '../src/capacity/availability.js';
import { makeReferenceData } from '../src/catalog/reference.js';
import { rowsOf, type Db } from '../src/db/client.js';
import { percentile, scratchDatabase } from './support/scratch.js';
import { runMigrations } from '../src/db/migrate.js';
import { makeLedgerService } from '../src/ledger/ledger.service.js';
import { makeOutbox } from '../src/outbox/outbox.service.js';
import { createLogger } from '../src/shared/logger.js';
import { shanghaiDate, systemClock } from '../src/shared/time.js';
import { seedReference } from '../src/seed/reference.js';
import { FileStorage } from '../src/uploads/storage.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}
const ENTERPRISES = arg('enterprises', 20_000);
const PER = arg('per', 50);
const RUNS = arg('runs', 100);
const KEEP = process.argv.includes('--keep');
const serverUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

const round = (ms: number) => Math.round(ms * 10) / 10;
type Row = { what: string; p50: number; p99: number; target: number };

async function time(rows: Row[], what: string, target: number, runs: number, fn: (i: number) => Promise<unknown>) {
  await fn(0);
  const samples: number[] = [];
  for (let i = 1; i <= runs; i++) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  rows.push({ what, p50: round(percentile(samples, 50)), p99: round(percentile(samples, 99)), target });
}

/** 20 000 companies (one user each, one in ten opted in to e-mail), 50 instruments each, one large company of 10 000. */
async function generate(db: Db) {
  await db.execute(sql`
    INSERT INTO enterprises (name, credit_code, park_id, address)
    SELECT '压测企业' || i, 'BENCH' || lpad(i::text, 13, '0'),
           CASE WHEN i % 7 = 0 THEN NULL ELSE (SELECT id FROM parks ORDER BY id OFFSET (i % 6) LIMIT 1) END, '舟山市'
    FROM generate_series(1, ${ENTERPRISES}) AS i`);
  await db.execute(sql`
    INSERT INTO users (role, name, mobile, email, password_hash, enterprise_id)
    SELECT 'enterprise', '压测用户', '15' || lpad(e.id::text, 9, '0'), CASE WHEN e.id % 10 = 0 THEN 'u' || e.id || '@bench.test' END, 'x', e.id FROM enterprises e`);
  await db.execute(sql`INSERT INTO ledger_settings (enterprise_id, email_reminders) SELECT id, true FROM enterprises WHERE id % 10 = 0`);
  await db.execute(sql`CREATE TEMP TABLE bench_cats AS SELECT row_number() OVER (ORDER BY code) - 1 AS k, code, name, compulsory <> 'no' AS listed FROM instrument_categories`);
  const [{ n: cats }] = rowsOf<{ n: number }>(await db.execute(sql`SELECT count(*)::int AS n FROM bench_cats`)) as [{ n: number }];
  const insert = (enterpriseSql: ReturnType<typeof sql>, count: number, offset: number) => db.execute(sql`
    INSERT INTO instruments (enterprise_id, category_code, name, model, serial_no, serial_key, department, compulsory, compulsory_use, status,
                             last_calibration_date, certificate_no, conclusion, next_due_date, due_source)
    SELECT e_id, c.code, c.name, 'M-' || (g.i % 40), 'S' || g.i, 'S' || g.i, (ARRAY['船坞车间','机修车间','质检部','罐区','化验室','仓库','动力站','安环部'])[1 + g.i % 8],
           c.listed AND g.r < 0.55, CASE WHEN c.listed AND g.r < 0.55 THEN 'safety' END,
           CASE WHEN g.s < 0.88 THEN 'in_use' WHEN g.s < 0.93 THEN 'stopped' WHEN g.s < 0.96 THEN 'sealed' ELSE 'scrapped' END,
           current_date - 365 + g.d, 'JD-' || g.i, CASE WHEN g.r2 < 0.03 THEN 'fail' ELSE 'pass' END,
           CASE WHEN g.r2 < 0.03 OR g.r2 > 0.97 THEN NULL ELSE current_date - 120 + g.d END, 'certificate'
    FROM (SELECT i, ${enterpriseSql} AS e_id, random() AS r, random() AS s, random() AS r2, floor(random() * 820)::int AS d
          FROM generate_series(${offset + 1}::int, ${offset + count}::int) AS i) g
    JOIN bench_cats c ON c.k = g.i % ${cats}`);
  const base = sql`(SELECT min(id) FROM enterprises) + ((i - 1) / ${PER}::int)`;
  await insert(base, ENTERPRISES * PER, 0);
  // one large company: 10 000 more instruments for the first company
  await insert(sql`(SELECT min(id) FROM enterprises)`, 10_000, ENTERPRISES * PER);
  await db.execute(sql`VACUUM ANALYZE instruments`);
  await db.execute(sql`ANALYZE`);
}

async function importFile(rows: number): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('计量器具台账');
  sheet.addRow(['器具名称*', '器具类别*', '型号规格', '出厂编号*', '是否强检*', '强检用途', '状态', '上次检定/校准日期']);
  for (let i = 0; i < rows; i++) sheet.addRow([`压力表 ${i}`, '一般压力表(弹性元件式)', 'Y-100', `IMP-${i}`, '是', '安全防护', '在用', '2026-05-01']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function main() {
  const { database, name, host, drop } = await scratchDatabase(serverUrl, 'nqi_benchledger', 4);
  const db = database.db;
  try {
    await runMigrations(database);
    await seedReference(db);
    let t0 = performance.now();
    console.log(`generating ${ENTERPRISES} companies × ${PER} instruments (+ one company of 10 000) on ${host}/${name} …`);
    await generate(db);
    const [counts] = rowsOf<{ n: number; compulsory: number; overdue: number; due30: number }>(await db.execute(sql`SELECT count(*)::int AS n, count(*) FILTER (WHERE compulsory)::int AS compulsory,
      count(*) FILTER (WHERE status = 'in_use' AND next_due_date < current_date)::int AS overdue,
      count(*) FILTER (WHERE status = 'in_use' AND next_due_date BETWEEN current_date AND current_date + 30)::int AS due30 FROM instruments`));
    console.log(`generated ${counts!.n} instruments (${counts!.compulsory} 强检, ${counts!.overdue} overdue, ${counts!.due30} due within 30 days in use) in ${Math.round((performance.now() - t0) / 1000)} s\n`);

    const logger = createLogger('silent');
    const outbox = makeOutbox({ db, logger });
    outbox.register('email', async () => undefined); // e-mails are written to the outbox like production; not sent here
    const availability = makeAvailability({ db, clock: systemClock, horizonDays: 60 });
    const ledger = makeLedgerService({ db, clock: systemClock, logger, availability, storage: new FileStorage(tmpdir()), reference: makeReferenceData(db), outbox, publicUrl: 'http://bench' });
    const [{ first, parkId }] = rowsOf<{ first: number; parkId: number }>(await db.execute(sql`SELECT min(id)::int AS first, (SELECT park_id FROM enterprises WHERE park_id IS NOT NULL GROUP BY park_id ORDER BY count(*) DESC LIMIT 1) AS "parkId" FROM enterprises`)) as [{ first: number; parkId: number }];
    const company = (i: number) => ({ id: 1, role: 'enterprise', enterpriseId: first + 1 + ((i * 7919) % (ENTERPRISES - 1)) }) as Principal;
    const big = { id: 1, role: 'enterprise', enterpriseId: first } as Principal;
    const rows: Row[] = [];
    const filters: [string, Record<string, string>][] = [
      ['no filter (sorted by due date)', {}],
      ['due within 30 days', { due: '30' }],
      ['overdue', { due: 'overdue' }],
      ['强检, in use', { compulsory: 'yes', status: 'in_use' }],
      ['department', { department: '罐区' }],
      ['search (serial)', { q: 'S12' }],
      ['sorted by name, page 2', { sort: 'name', page: '2' }],
    ];
    for (const [label, f] of filters) {
      const query = { ...f, page: Number(f.page ?? 1) };
      await time(rows, `ledger page, 50 instruments: ${label}`, 100, RUNS, (i) => ledger.page(company(i), query));
    }
    for (const [label, f] of filters) {
      const query = { ...f, page: Number(f.page ?? 1) };
      await time(rows, `ledger page, 10 000 instruments: ${label}`, 100, Math.min(RUNS, 30), () => ledger.page(big, query));
    }
    const parkAdmin = { id: 1, role: 'park_admin', parkId } as Principal;
    const platform = { id: 1, role: 'platform_admin' } as Principal;
    await time(rows, 'park compliance (largest park)', 300, 15, () => ledger.compliance(parkAdmin, { page: 1 }));
    const [{ inPark }] = rowsOf<{ inPark: number }>(await db.execute(sql`SELECT max(id)::int AS "inPark" FROM enterprises WHERE park_id = ${parkId}`)) as [{ inPark: number }];
    await time(rows, 'park compliance drill-down (one company)', 300, 15, () => ledger.complianceCompany(parkAdmin, inPark));
    await time(rows, 'city compliance (all 20 000 companies)', 300, 15, () => ledger.compliance(platform, { page: 1 }));

    const today = shanghaiDate(new Date());
    t0 = performance.now();
    const first1 = await ledger.runDailyJob(today);
    const firstMs = performance.now() - t0;
    t0 = performance.now();
    const gated = await ledger.runDailyJob(today);
    const gatedMs = performance.now() - t0;
    t0 = performance.now();
    const second = await ledger.runDailyJob(today, { force: true });
    const secondMs = performance.now() - t0;
    const jobs = [
      { run: 'reminder job, first run', ms: Math.round(firstMs), ...(first1.ran ? first1.stats : {}), target: '< 60 000 ms' },
      { run: 'same day again (job_runs: skipped)', ms: Math.round(gatedMs), ran: gated.ran, target: '' },
      { run: 'forced second run (reminders_sent)', ms: Math.round(secondMs), ...(second.ran ? second.stats : {}), target: '0 sent' },
    ];

    // An import of 5 000 rows into a company's ledger, preview and confirm.
    const importer = company(11);
    const file = await importFile(5000);
    t0 = performance.now();
    const token = await ledger.previewImport(importer, [{ purpose: 'instrument_list', originalname: '台账.xlsx', buffer: file, size: file.length }]);
    const previewMs = performance.now() - t0;
    t0 = performance.now();
    const imported = await ledger.confirmImport(importer, token);
    const confirmMs = performance.now() - t0;

    console.table(rows.map((r) => ({ ...r, ok: r.p99 <= r.target ? 'yes' : `NO (+${Math.round(r.p99 - r.target)} ms)` })));
    console.table(jobs);
    console.log(`import of ${imported} rows: preview ${Math.round(previewMs)} ms, confirm ${Math.round(confirmMs)} ms`);
    const misses = rows.filter((r) => r.p99 > r.target).length + (firstMs > 60_000 ? 1 : 0) + (second.ran && second.stats.reminders !== 0 ? 1 : 0);
    console.log(misses ? `${misses} figures miss their target (see tables)` : 'every figure meets its target');
  } finally {
    await database.close();
    if (KEEP) console.log(`kept database ${name}`);
    else await drop();
  }
}

await main();
console.log(`RSS at the end of the run: ${Math.round(process.memoryUsage().rss / 1048576)} MB (this process)`);
