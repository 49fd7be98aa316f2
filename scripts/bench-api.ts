/**
 * npm run bench:api -- [--n 200] [--c 10] [--users 50]
 *
 * Fires N booking creations at once through the open API (POST /api/v1/bookings, bearer keys, each with its own
 * Idempotency-Key) at one window with capacity C, then checks the database: exactly C created (channel api), the rest
 * refused with 409, nothing oversold. Fresh database on DATABASE_URL's server (dropped afterwards) or in-memory PGlite.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { createApp } from '../src/app.js';
import type { Principal } from '../src/auth/access.js';
import { loadConfig } from '../src/config.js';
import { runMigrations } from '../src/db/migrate.js';
import { bookings, capacityWindows, enterprises, nodes, nodeServices, services, users } from '../src/db/schema.js';
import { creditCodeCheckChar } from '../src/enterprises/credit-code.js';
import { seedReference } from '../src/seed/reference.js';
import { createLogger } from '../src/shared/logger.js';
import { addDays, shanghaiDate } from '../src/shared/time.js';
import { arg, freshDatabase, percentile } from './bench-support.js';

const N = arg('n', 200);
const C = arg('c', 10);
const USERS = Math.min(arg('users', 50), N);

async function main() {
  const { database, drop, label } = await freshDatabase(process.env.DATABASE_URL);
  const scratch = mkdtempSync(path.join(tmpdir(), 'nqi-bench-api-'));
  try {
    await runMigrations(database);
    await seedReference(database.db);
    const db = database.db;
    const [offering] = await db
      .select({ id: nodeServices.id, nodeId: nodes.id })
      .from(nodeServices)
      .innerJoin(nodes, eq(nodes.id, nodeServices.nodeId))
      .innerJoin(services, eq(services.id, nodeServices.serviceId))
      .where(and(eq(nodes.code, 'ST-DINGHAI'), eq(services.code, 'CAL-PG')));
    await db.update(nodeServices).set({ capacityAm: C, capacityPm: C }).where(eq(nodeServices.id, offering!.id));

    const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: randomBytes(32).toString('hex'), DATA_DIR: path.join(scratch, 'data'), UPLOAD_DIR: path.join(scratch, 'uploads'), LOG_LEVEL: 'silent', PUBLIC_URL: 'http://localhost' });
    const { app, close, services: svc } = createApp({ config, database, logger: createLogger('silent') });

    // companies, each with one user and one API key (read + book)
    const keys: string[] = [];
    for (let i = 0; i < USERS; i++) {
      const body = `91330902MB${String(1000000 + i).slice(-7)}`;
      const [e] = await db.insert(enterprises).values({ name: `接口压测企业${i}`, creditCode: body + creditCodeCheckChar(body), address: '舟山市定海区压测路 2 号' }).returning({ id: enterprises.id });
      const [u] = await db.insert(users).values({ role: 'enterprise', name: `接口压测${i}`, mobile: `137${String(10000000 + i).slice(-8)}`, passwordHash: 'x', enterpriseId: e!.id }).returning({ id: users.id });
      const principal = (await svc.auth.loadPrincipal(u!.id)) as Principal;
      keys.push((await svc.keys.create(principal, { name: '压测', scopes: ['read', 'book'] })).secret);
    }

    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;

    // the first free morning or afternoon from tomorrow (Shanghai) on, read through the API itself
    const from = addDays(shanghaiDate(new Date()), 1);
    const windows = (await (await fetch(`${base}/availability?service=CAL-PG&node=${offering!.nodeId}&from=${from}`, { headers: { authorization: `Bearer ${keys[0]}` } })).json()) as { data: { date: string; window: string; available: boolean }[] };
    const target = windows.data.find((w) => w.available)!;
    const slot = `${target.date}|${target.window}`;

    const tally = { created: 0, refused: 0, errors: 0 };
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const t0 = performance.now();
        try {
          const res = await fetch(`${base}/bookings`, {
            method: 'POST',
            headers: { authorization: `Bearer ${keys[i % keys.length]}`, 'content-type': 'application/json', 'idempotency-key': `bench-api-${i}-${randomBytes(6).toString('hex')}` },
            body: JSON.stringify({ service: 'CAL-PG', node: String(offering!.nodeId), slot, deliveryMode: 'send_in', items: [{ name: '一般压力表', serialNo: `API-BENCH-${i}`, quantity: 1 }], contactName: '压测', contactMobile: '13900000999' }),
          });
          await res.arrayBuffer();
          latencies.push(performance.now() - t0);
          if (res.status === 201) tally.created++;
          else if (res.status === 409) tally.refused++;
          else tally.errors++;
        } catch {
          tally.errors++;
        }
      }),
    );
    const wallMs = performance.now() - started;
    latencies.sort((a, b) => a - b);

    const [window] = await db.select().from(capacityWindows).where(and(eq(capacityWindows.nodeServiceId, offering!.id), eq(capacityWindows.date, target.date), eq(capacityWindows.window, target.window)));
    const [live] = await db
      .select({ units: sql<number>`coalesce(sum(${bookings.units}), 0)::int`, n: sql<number>`count(*)::int`, api: sql<number>`count(*) FILTER (WHERE ${bookings.channel} = 'api')::int` })
      .from(bookings)
      .where(and(eq(bookings.windowId, window!.id), inArray(bookings.status, ['submitted', 'needs_info', 'accepted'])));
    const oversold = Math.max(0, live!.units - window!.capacity);
    server.close();
    close();
    console.log(`\nbench:api — ${label}`);
    console.log(`window ${slot}, capacity C=${C}, N=${N} POST /api/v1/bookings from ${USERS} API keys, all at once\n`);
    console.table({
      created: { value: tally.created, expected: C },
      refused: { value: tally.refused, expected: N - C },
      errors: { value: tally.errors, expected: 0 },
      oversold: { value: oversold, expected: 0 },
      'bookings in window (channel api)': { value: live!.api, expected: C },
      'capacity used (db)': { value: window!.used, expected: C },
      'latency p50 (ms)': { value: Math.round(percentile(latencies, 50)), expected: '' },
      'latency p99 (ms)': { value: Math.round(percentile(latencies, 99)), expected: '' },
      'wall time (ms)': { value: Math.round(wallMs), expected: '' },
    });
    const ok = tally.created === C && oversold === 0 && tally.errors === 0 && live!.api === C && window!.used === live!.units;
    console.log(ok ? `OK: ${C} created, 0 oversold` : 'FAILED: see the table above');
    process.exitCode = ok ? 0 : 1;
  } finally {
    await database.close();
    await drop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
