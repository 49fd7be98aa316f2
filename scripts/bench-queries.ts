/**
 * npm run bench:queries — database round trips per page, per role, on an embedded database with the demo data.
 *
 * Builds the app in-process on an in-memory PGlite, signs in the demo company, a technician and the platform admin, and
 * counts the statements each page sends to the database (the second request of each page, so per-process caches are
 * warm as they are in production). Printed as a table; with --log the statements themselves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import supertest from 'supertest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { PgliteNamedStatements } from '../src/db/pglite-named.js';
import { runMigrations } from '../src/db/migrate.js';
import { runSeed } from '../src/seed/index.js';
import { DEMO_PASSWORD } from '../src/seed/demo.js';
import { createLogger } from '../src/shared/logger.js';

const LOG = process.argv.includes('--log');
const ENCODING = process.argv.includes('--gzip') ? 'gzip' : process.argv.includes('--br') ? 'br' : 'identity';
const scratch = mkdtempSync(path.join(tmpdir(), 'nqi-bench-queries-'));
const database = await openDatabase({ kind: 'pglite-memory' });
await runMigrations(database);
await runSeed(database.db, { demo: true });
const statements: string[] = [];
const EXPLAIN = process.argv.includes('--explain');
const explained: string[] = [];
let explaining = false;
const client = database.pglite!;
for (const method of ['query', 'exec'] as const) {
  const original = client[method].bind(client) as (...args: unknown[]) => Promise<unknown>;
  (client as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
    const text = String(args[0]).replace(/\s+/g, ' ').slice(0, 140);
    const t0 = performance.now();
    const result = original(...args).then((r) => {
      const rows = (r as { rows?: unknown[] } | { rows?: unknown[] }[]);
      statements.push(`${(performance.now() - t0).toFixed(2)} ms  ${Array.isArray(rows) ? '' : `${rows.rows?.length ?? 0} rows  `}${text}`);
      return r;
    });
    if (EXPLAIN && !explaining && method === 'query' && /^select/i.test(String(args[0]))) {
      explaining = true;
      void result.then(async () => {
        const plan = (await original(`EXPLAIN (ANALYZE, BUFFERS OFF) ${String(args[0])}`, args[1])) as { rows: { 'QUERY PLAN': string }[] };
        explained.push(`${text}\n    ${plan.rows.map((r) => r['QUERY PLAN']).join('\n    ')}`);
      }).finally(() => { explaining = false; });
    }
    return result;
  };
}
const namedQuery = PgliteNamedStatements.prototype.query;
PgliteNamedStatements.prototype.query = function (this: PgliteNamedStatements, name: string, text: string, params: unknown[], options?: object) {
  const t0 = performance.now();
  return namedQuery.call(this, name, text, params, options).then((result) => {
    statements.push(`${(performance.now() - t0).toFixed(2)} ms  ${result.rows.length} rows  [${name}] ${text.replace(/\s+/g, ' ').slice(0, 120)}`);
    return result;
  });
};
const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), DATA_DIR: path.join(scratch, 'd'), UPLOAD_DIR: path.join(scratch, 'u'), LOG_LEVEL: 'silent', PUBLIC_URL: 'http://nqi.test' });
const built = createApp({ config, database, logger: createLogger('silent') });

async function signIn(mobile: string) {
  const agent = supertest.agent(built.app);
  const page = await agent.get('/login');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
  const res = await agent.post('/login').type('form').send({ _csrf: token, identifier: mobile, password: DEMO_PASSWORD });
  if (res.status !== 302) throw new Error(`login ${mobile}: ${res.status}`);
  return agent;
}

const company = await signIn('13900000101');
const staff = await signIn('13900000011');
const admin = await signIn('13900000001');
const list = await company.get('/bookings');
const number = /href="\/bookings\/([A-Z]{2}-\d{8}-\d{4})"/.exec(list.text)![1]!;
const pages: [string, ReturnType<typeof supertest.agent>, string][] = [
  ['my bookings', company, '/bookings'],
  ['one booking', company, `/bookings/${number}`],
  ['lab queue', staff, '/lab'],
  ['lab queue, tab 已完成', staff, '/lab?tab=done'],
  ['dashboard', admin, '/admin'],
  ['ledger', company, '/instruments'],
  ['equipment', company, '/equipment'],
];
const rows = [];
for (const [label, agent, url] of pages) {
  await agent.get(url).set('Accept-Encoding', ENCODING);
  statements.length = 0;
  const res = await agent.get(url).set('Accept-Encoding', ENCODING);
  const count = statements.length;
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < 30; i++) await agent.get(url).set('Accept-Encoding', ENCODING);
  const used = process.cpuUsage(cpu);
  const ms = (performance.now() - started) / 30;
  rows.push({ page: label, url, status: res.status, statements: count, kB: Math.round(res.text.length / 1024), 'ms wall': Number(ms.toFixed(1)), 'ms CPU': Number(((used.user + used.system) / 30_000).toFixed(1)) });
  if (LOG) console.log(`\n${label} ${url}\n  ${statements.join('\n  ')}`);
  if (EXPLAIN) console.log(`\n${label} ${url}\n  ${explained.splice(0).slice(0, 12).join('\n  ')}`);
}
// A booking refused because its window is full (the burst case of bench:booking): the form again, with the message.
{
  const form = await company.get('/bookings/new?service=CAL-PG');
  const nodeId = /<option value="(\d+)"/.exec(form.text)![1]!;
  const page = await company.get(`/bookings/new?service=CAL-PG&node=${nodeId}`);
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
  const slot = /name="slot" id="[^"]+" value="([^"]+)"/.exec(page.text)![1]!;
  const [date, window] = slot.split('|');
  await database.db.execute(sql`INSERT INTO capacity_windows (node_service_id, date, "window", capacity, used)
    SELECT ns.id, ${date}::date, ${window}, 1, 1 FROM node_services ns JOIN services s ON s.id = ns.service_id WHERE s.code = 'CAL-PG' AND ns.node_id = ${Number(nodeId)}
    ON CONFLICT (node_service_id, date, "window") DO UPDATE SET used = capacity_windows.capacity`);
  const post = (i: number) =>
    company.post('/bookings').set('Accept-Encoding', ENCODING).type('form').send({
      _csrf: token, intent: 'submit', service: 'CAL-PG', node: nodeId, idempotencyKey: `benchqueries${String(i).padStart(10, '0')}`, slot, deliveryMode: 'send_in',
      'items[0][name]': '一般压力表', 'items[0][serialNo]': `Q-${i}`, 'items[0][quantity]': '1', contactName: '张伟', contactMobile: '13900000101',
    });
  await post(0);
  statements.length = 0;
  const res = await post(1);
  const count = statements.length;
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 2; i < 32; i++) await post(i);
  const used = process.cpuUsage(cpu);
  rows.push({ page: 'booking refused (window full)', url: 'POST /bookings', status: res.status, statements: count, kB: Math.round(res.text.length / 1024), 'ms wall': Number(((performance.now() - started) / 30).toFixed(1)), 'ms CPU': Number(((used.user + used.system) / 30_000).toFixed(1)) });
  if (LOG) console.log(`\nbooking refused POST /bookings\n  ${statements.join('\n  ')}`);
}
console.table(rows);
built.close();
await database.close();
rmSync(scratch, { recursive: true, force: true });
console.log(`RSS at the end of the run: ${Math.round(process.memoryUsage().rss / 1048576)} MB (this process)`);
