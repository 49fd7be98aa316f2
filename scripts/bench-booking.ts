/**
 * npm run bench:booking -- [--n 200] [--c 10] [--users 50]
 *
 * Fires N booking requests at once through the HTTP API of a running app server at one window with capacity C, then
 * checks the database: accepted must equal C and nothing may be oversold. Runs on a fresh database created for the
 * run on the PostgreSQL server of DATABASE_URL (dropped afterwards), or on an in-memory PGlite without it.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { createApp } from '../src/app.js';
import { hashPassword } from '../src/auth/password.js';
import { loadConfig } from '../src/config.js';
import { runMigrations } from '../src/db/migrate.js';
import { bookings, capacityWindows, enterprises, nodes, nodeServices, services, users } from '../src/db/schema.js';
import { seedReference } from '../src/seed/reference.js';
import { creditCodeCheckChar } from '../src/enterprises/credit-code.js';
import { createLogger } from '../src/shared/logger.js';
import { arg, BENCH_PASSWORD, Client, fireAtOnce, freshDatabase, percentile, timingRows } from './bench-support.js';

const N = arg('n', 200);
const C = arg('c', 10);
const USERS = Math.min(arg('users', 50), N);
const serverUrl = process.env.DATABASE_URL;

async function main() {
  const { database, drop, label } = await freshDatabase(serverUrl);
  const scratch = mkdtempSync(path.join(tmpdir(), 'nqi-bench-'));
  try {
    await runMigrations(database);
    await seedReference(database.db);
    const db = database.db;

    // one offering with capacity C per window
    const [offering] = await db
      .select({ id: nodeServices.id, nodeId: nodes.id })
      .from(nodeServices)
      .innerJoin(nodes, eq(nodes.id, nodeServices.nodeId))
      .innerJoin(services, eq(services.id, nodeServices.serviceId))
      .where(and(eq(nodes.code, 'ST-DINGHAI'), eq(services.code, 'CAL-PG')));
    await db.update(nodeServices).set({ capacityAm: C, capacityPm: C }).where(eq(nodeServices.id, offering!.id));

    // companies and users (argon2 once, shared hash)
    const hash = await hashPassword(BENCH_PASSWORD);
    const mobiles: string[] = [];
    for (let i = 0; i < USERS; i++) {
      const body = `91330902MA${String(1000000 + i).slice(-7)}`;
      const [e] = await db
        .insert(enterprises)
        .values({ name: `压测企业${i}`, creditCode: body + creditCodeCheckChar(body), address: '舟山市定海区压测路 1 号' })
        .returning({ id: enterprises.id });
      const mobile = `136${String(10000000 + i).slice(-8)}`;
      await db.insert(users).values({ role: 'enterprise', name: `压测用户${i}`, mobile, passwordHash: hash, enterpriseId: e!.id });
      mobiles.push(mobile);
    }

    const config = loadConfig({
      NODE_ENV: 'production',
      SESSION_SECRET: randomBytes(32).toString('hex'),
      DATA_DIR: path.join(scratch, 'data'),
      UPLOAD_DIR: path.join(scratch, 'uploads'),
      LOG_LEVEL: 'silent',
      PUBLIC_URL: 'http://localhost',
    });
    const { app, close } = createApp({ config, database, logger: createLogger('silent'), loginThrottle: { perIp: { limit: 100_000, windowMs: 60_000 }, perAccount: { limit: 100, windowMs: 60_000 } } });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const clients = await Promise.all(
      mobiles.map(async (m) => {
        const c = new Client(base);
        await c.login(m);
        return c;
      }),
    );
    // each request gets its own freshly rendered form (own idempotency key), as N separate users typing would
    const forms: { client: Client; token: string; key: string; slots: string[] }[] = [];
    for (let i = 0; i < N; i++) {
      const client = clients[i % clients.length]!;
      const { html, token } = await client.csrf(`/bookings/new?service=CAL-PG&node=${offering!.nodeId}`);
      const key = /name="idempotencyKey" value="([^"]+)"/.exec(html)![1]!;
      const slots = [...html.matchAll(/name="slot" id="[^"]+" value="([^"]+)"/g)].map((m) => m[1]!);
      forms.push({ client, token, key, slots });
    }
    const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
    const slot = forms[0]!.slots.find((s) => s.slice(0, 10) > today)!;

    const post = ({ client, token, key }: (typeof forms)[number], i: number) => {
      const form = new FormData();
      const fields: Record<string, string> = {
        _csrf: token,
        intent: 'submit',
        service: 'CAL-PG',
        node: String(offering!.nodeId),
        idempotencyKey: key,
        slot,
        deliveryMode: 'send_in',
        'items[0][name]': '一般压力表',
        'items[0][serialNo]': `BENCH-${i}`,
        'items[0][quantity]': '1',
        contactName: '压测',
        contactMobile: '13900000999',
      };
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      return client.request('/bookings', { method: 'POST', body: form });
    };
    const burst = await fireAtOnce(forms.map((f, i) => () => post(f, i)));
    // What one refusal costs on its own (the window is full now): the median of 20 posted one after another.
    const alone: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const res = await post({ ...forms[i]!, key: `probe${i}-${randomBytes(8).toString('hex')}` }, N + i);
      await res.arrayBuffer();
      if (res.status === 409) alone.push(performance.now() - t0);
    }
    alone.sort((a, b) => a - b);

    const [window] = await db
      .select()
      .from(capacityWindows)
      .where(and(eq(capacityWindows.nodeServiceId, offering!.id), eq(capacityWindows.date, slot.slice(0, 10)), eq(capacityWindows.window, slot.slice(11))));
    const [live] = await db
      .select({ units: sql<number>`coalesce(sum(${bookings.units}), 0)::int`, n: sql<number>`count(*)::int` })
      .from(bookings)
      .where(and(eq(bookings.windowId, window!.id), inArray(bookings.status, ['submitted', 'needs_info', 'accepted'])));
    const oversold = Math.max(0, live!.units - window!.capacity);

    const { accepted, refused, errors } = burst;
    server.close();
    close();
    console.log(`\nbench:booking — ${label}`);
    console.log(`window ${slot} at 定海工业园区服务站, capacity C=${C}, requests N=${N} from ${USERS} users, all at once over HTTP\n`);
    console.table({
      accepted: { value: accepted, expected: C },
      refused: { value: refused, expected: N - C },
      errors: { value: errors, expected: 0 },
      oversold: { value: oversold, expected: 0 },
      'bookings in window': { value: live!.n, expected: C },
      'capacity used (db)': { value: window!.used, expected: C },
      ...timingRows(burst, '< 1000'),
      'one refusal alone, median (ms)': { value: Math.round(percentile(alone, 50)), expected: '' },
    });
    const ok = accepted === C && oversold === 0 && errors === 0 && window!.used === live!.units;
    console.log(ok ? 'OK: exactly C accepted, 0 oversold' : 'FAILED: see the table above');
    process.exitCode = ok ? 0 : 1;
  } finally {
    await database.close();
    await drop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
console.log(`RSS at the end of the run: ${Math.round(process.memoryUsage().rss / 1048576)} MB (this process)`);
