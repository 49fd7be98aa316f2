/**
 * npm run bench:equipment -- [--n 200] [--ranges 10] [--users 50]
 *
 * Fires N booking requests for one shared instrument at once through the HTTP form, spread over R disjoint one-hour
 * ranges of one day (every request of a range asks for exactly the same hours), then checks the database: exactly one
 * booking per range, and no two rows of the instrument overlap. What decides is the exclusion constraint on
 * equipment_bookings. Runs on a fresh database on the PostgreSQL server of DATABASE_URL (dropped afterwards), or on
 * an in-memory PGlite without it.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { createApp } from '../src/app.js';
import { hashPassword } from '../src/auth/password.js';
import { dayInfo } from '../src/calendar/workdays.js';
import { loadConfig } from '../src/config.js';
import { rowsOf } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { enterprises, equipment, equipmentBookings, nodes, users } from '../src/db/schema.js';
import { creditCodeCheckChar } from '../src/enterprises/credit-code.js';
import { seedReference } from '../src/seed/reference.js';
import { createLogger } from '../src/shared/logger.js';
import { addDays, shanghaiDate } from '../src/shared/time.js';
import { arg, BENCH_PASSWORD, Client, fireAtOnce, freshDatabase, timingRows } from './bench-support.js';

const N = arg('n', 200);
const R = Math.min(arg('ranges', 10), 10);
const USERS = Math.min(arg('users', 50), N);
const serverUrl = process.env.DATABASE_URL;
const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;

async function main() {
  const { database, drop, label } = await freshDatabase(serverUrl);
  const scratch = mkdtempSync(path.join(tmpdir(), 'nqi-bench-'));
  try {
    await runMigrations(database);
    await seedReference(database.db);
    const db = database.db;
    const [node] = await db.select({ id: nodes.id }).from(nodes).where(eq(nodes.code, 'ST-DINGHAI'));
    const [instrument] = await db
      .insert(equipment)
      .values({ code: 'BENCH-EQ-1', nodeId: node!.id, name: '压测用气相色谱质谱联用仪', category: '色谱质谱', modes: ['assisted'], rates: { park: { assisted: 20_000 }, other: { assisted: 25_000 }, research: { assisted: 14_000 } }, openFrom: '08:00', openUntil: '18:00', minNoticeHours: 0, maxHours: 10, horizonDays: 60 })
      .returning({ id: equipment.id });

    const hash = await hashPassword(BENCH_PASSWORD);
    const mobiles: string[] = [];
    for (let i = 0; i < USERS; i++) {
      const body = `91330902MB${String(1000000 + i).slice(-7)}`;
      const [e] = await db.insert(enterprises).values({ name: `压测企业${i}`, creditCode: body + creditCodeCheckChar(body), address: '舟山市定海区压测路 1 号' }).returning({ id: enterprises.id });
      const mobile = `135${String(10000000 + i).slice(-8)}`;
      await db.insert(users).values({ role: 'enterprise', name: `压测用户${i}`, mobile, passwordHash: hash, enterpriseId: e!.id });
      mobiles.push(mobile);
    }

    const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: randomBytes(32).toString('hex'), DATA_DIR: path.join(scratch, 'data'), UPLOAD_DIR: path.join(scratch, 'uploads'), LOG_LEVEL: 'silent', PUBLIC_URL: 'http://localhost' });
    const { app, close } = createApp({ config, database, logger: createLogger('silent'), loginThrottle: { perIp: { limit: 100_000, windowMs: 60_000 }, perAccount: { limit: 100, windowMs: 60_000 } } });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const clients = await Promise.all(mobiles.map(async (m) => {
      const c = new Client(base);
      await c.login(m);
      return c;
    }));

    // the next working day after today: every range is in the future and bookable
    let date = addDays(shanghaiDate(new Date()), 1);
    while (!dayInfo(date).working) date = addDays(date, 1);
    const forms = [];
    for (let i = 0; i < N; i++) {
      const client = clients[i % clients.length]!;
      const { html, token } = await client.csrf(`/equipment/${instrument!.id}`);
      forms.push({ client, token, key: /name="idempotencyKey" value="([^"]+)"/.exec(html)![1]!, range: i % R });
    }

    const { accepted, refused, errors, latencies, wallMs } = await fireAtOnce(
      forms.map(({ client, token, key, range }, i) => () => {
        const body = new URLSearchParams({ _csrf: token, idempotencyKey: key, date, startTime: hh(8 + range), endTime: hh(9 + range), mode: 'assisted', purpose: `压测 ${i}`, contactName: '压测', contactMobile: '13900000999' });
        return client.request(`/equipment/${instrument!.id}/bookings`, { method: 'POST', body });
      }),
    );

    const perRange = rowsOf<{ start: string; n: number }>(await db.execute(sql`SELECT to_char(starts_at AT TIME ZONE 'Asia/Shanghai', 'HH24:MI') AS start, count(*)::int AS n FROM equipment_bookings WHERE equipment_id = ${instrument!.id} GROUP BY 1`));
    const [overlaps] = rowsOf<{ n: number }>(await db.execute(sql`SELECT count(*)::int AS n FROM ${equipmentBookings} x JOIN ${equipmentBookings} y ON x.id < y.id AND x.equipment_id = y.equipment_id AND tstzrange(x.starts_at, x.ends_at) && tstzrange(y.starts_at, y.ends_at) WHERE x.equipment_id = ${instrument!.id}`));
    const rangesWithOne = perRange.filter((r) => r.n === 1).length;

    server.close();
    close();
    console.log(`\nbench:equipment — ${label}`);
    console.log(`one instrument at 定海工业园区服务站, ${date}: N=${N} requests from ${USERS} companies, all at once over HTTP, for R=${R} disjoint hours (${N / R} requests per hour)\n`);
    console.table({
      accepted: { value: accepted, expected: R },
      'refused (409 时段已被占用)': { value: refused, expected: N - R },
      errors: { value: errors, expected: 0 },
      'ranges with exactly one booking': { value: rangesWithOne, expected: R },
      'overlapping rows in the table': { value: overlaps!.n, expected: 0 },
      ...timingRows({ latencies, wallMs }),
    });
    const ok = accepted === R && rangesWithOne === R && overlaps!.n === 0 && errors === 0;
    console.log(ok ? 'OK: exactly one booking per range, 0 overlaps' : 'FAILED: see the table above');
    process.exitCode = ok ? 0 : 1;
  } finally {
    await database.close();
    await drop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
console.log(`RSS at the end of the run: ${Math.round(process.memoryUsage().rss / 1048576)} MB (this process)`);
