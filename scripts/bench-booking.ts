/**
 * npm run bench:booking -- [--n 200] [--c 10] [--users 50] [--workers 1]
 *
 * Fires N booking requests at once at one window with capacity C, through HTTP, at the real app server (compiled,
 * production mode, in its own process as `npm start` runs it, so the clients' work is not counted as the server's),
 * then checks the database: accepted must equal C and nothing may be oversold. Runs on a fresh database created for
 * the run on the PostgreSQL server of DATABASE_URL (dropped afterwards; --workers N app processes), or on a fresh
 * PGlite folder without it. BENCH_APP_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the app.
 */
import { BUNDLE_ENTRY, bundleServer } from './bundle.js';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { hashPassword } from '../src/auth/password.js';
import type { Database } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { bookings, capacityWindows, enterprises, nodes, nodeServices, services, users } from '../src/db/schema.js';
import { seedReference } from '../src/seed/reference.js';
import { creditCodeCheckChar } from '../src/enterprises/credit-code.js';
import { projectRoot } from '../src/shared/paths.js';
import { freePort, waitUntilAnswering } from '../test/support/processes.js';
import { appRss, arg, BENCH_PASSWORD, Client, fireAtOnce, freshDatabase, percentile, stopProcess, timingRows } from './bench-support.js';

const N = arg('n', 200);
const C = arg('c', 10);
const USERS = Math.min(arg('users', 50), N);
const WORKERS = arg('workers', 1);
const serverUrl = process.env.DATABASE_URL;
const root = projectRoot();

/** CPU time (user + system) a process and its children have used so far, in ms (Linux /proc; 0 elsewhere). */
function processCpuMs(pid: number): number {
  const tick = 10; // USER_HZ = 100 on Linux
  try {
    const ids = [pid, ...readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number)];
    return ids.reduce((sum, id) => {
      const fields = readFileSync(`/proc/${id}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return sum + (Number(fields[11]) + Number(fields[12])) * tick;
    }, 0);
  } catch {
    return 0;
  }
}

/** Bundles the app (what `npm start` runs) and starts it on the bench's database; the app's own process, production mode. */
async function startApp(env: Record<string, string>) {
  await bundleServer(); // what npm start runs (made from the sources: no tsc needed)
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const appArgs = (process.env.BENCH_APP_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...appArgs, BUNDLE_ENTRY], {
    cwd: root,
    // Each bench user signs in from its own address (X-Forwarded-For through a trusted proxy, as behind a load
    // balancer), so the per-address sign-in throttle sees 50 companies, not one attacker.
    env: { ...process.env, ...env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: base, SESSION_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: 'info', TRUST_PROXY: 'loopback', WEB_CONCURRENCY: String(WORKERS) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitUntilAnswering(`${base}/healthz`, child, 120_000);
  return { base, child };
}

async function main() {
  const fresh = await freshDatabase(serverUrl, { folder: true });
  const { drop, label } = fresh;
  let database: Database | undefined = fresh.database;
  let app: Awaited<ReturnType<typeof startApp>> | undefined;
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
    // The app takes the database over (an embedded folder is locked to one process); the checks reopen it afterwards.
    await database.close();
    database = undefined;
    app = await startApp({ ...fresh.appEnv, UPLOAD_DIR: path.join(scratch, 'uploads') });
    const base = app.base;

    const clients = await Promise.all(
      mobiles.map(async (m, i) => {
        const c = new Client(base, { 'x-forwarded-for': `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}` });
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
    const cpuBefore = { bench: process.cpuUsage(), app: processCpuMs(app.child.pid!) };
    const burst = await fireAtOnce(forms.map((f, i) => () => post(f, i)));
    const benchCpu = process.cpuUsage(cpuBefore.bench);
    const cpu = { app: processCpuMs(app.child.pid!) - cpuBefore.app, bench: (benchCpu.user + benchCpu.system) / 1000 };
    // What one refusal costs on its own (the window is full now): the median of 20 posted one after another.
    const alone: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const res = await post({ ...forms[i]!, key: `probe${i}-${randomBytes(8).toString('hex')}` }, N + i);
      await res.arrayBuffer();
      if (res.status === 409) alone.push(performance.now() - t0);
    }
    alone.sort((a, b) => a - b);

    const rss = appRss(app.child.pid!);
    await stopProcess(app.child);
    database = await fresh.reopen();
    const [window] = await database.db
      .select()
      .from(capacityWindows)
      .where(and(eq(capacityWindows.nodeServiceId, offering!.id), eq(capacityWindows.date, slot.slice(0, 10)), eq(capacityWindows.window, slot.slice(11))));
    const [live] = await database.db
      .select({ units: sql<number>`coalesce(sum(${bookings.units}), 0)::int`, n: sql<number>`count(*)::int` })
      .from(bookings)
      .where(and(eq(bookings.windowId, window!.id), inArray(bookings.status, ['submitted', 'needs_info', 'accepted'])));
    const oversold = Math.max(0, live!.units - window!.capacity);

    const { accepted, refused, errors } = burst;
    console.log(`\nbench:booking — ${label}, ${WORKERS} app process${WORKERS > 1 ? 'es' : ''}`);
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
      'CPU during the burst: app (ms)': { value: Math.round(cpu.app), expected: '' },
      'CPU during the burst: these clients (ms)': { value: Math.round(cpu.bench), expected: '' },
    });
    const ok = accepted === C && oversold === 0 && errors === 0 && window!.used === live!.units;
    console.log(ok ? 'OK: exactly C accepted, 0 oversold' : 'FAILED: see the table above');
    console.log(`RSS of the app after the run: ${rss} MB (all its processes)`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    if (app) await stopProcess(app.child);
    await database?.close();
    await drop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
