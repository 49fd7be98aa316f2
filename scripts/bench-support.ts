/* What the HTTP benchmarks share: arguments, a fresh database for the run, a cookie-keeping client, percentiles. */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/client.js';

export const BENCH_PASSWORD = 'Bench-pass-2026';

/** `--name value` from the command line, or BENCH_NAME from the environment, or the fallback. */
export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number(process.env[`BENCH_${name.toUpperCase()}`] ?? fallback);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * A new database on the server of DATABASE_URL (dropped by `drop`), or a PGlite without it: in memory, or with
 * `folder` in a temporary folder an app process can open (`appEnv`); `reopen` opens it again after that process ended.
 */
export async function freshDatabase(
  serverUrl: string | undefined,
  opts: { folder?: boolean } = {},
): Promise<{ database: Database; drop: () => Promise<void>; label: string; appEnv: Record<string, string>; reopen: () => Promise<Database> }> {
  if (!serverUrl) {
    if (!opts.folder) {
      return { database: await openDatabase({ kind: 'pglite-memory' }), drop: async () => undefined, label: 'PGlite (in-memory)', appEnv: {}, reopen: () => Promise.reject(new Error('an in-memory database cannot be reopened')) };
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'nqi-bench-db-'));
    const dataDir = path.join(dir, 'data');
    const open = () => openDatabase({ kind: 'pglite-dir', dataDir });
    return { database: await open(), drop: async () => rmSync(dir, { recursive: true, force: true }), label: 'PGlite (embedded folder)', appEnv: { DATA_DIR: dataDir, DATABASE_URL: '' }, reopen: open };
  }
  const name = `nqi_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const open = () => openDatabase({ kind: 'pg', url: url.toString(), poolMax: Number(process.env.DB_POOL_MAX ?? 20) });
  return {
    database: await open(),
    label: `PostgreSQL ${url.host} (pool ${process.env.DB_POOL_MAX ?? 20})`,
    appEnv: { DATABASE_URL: url.toString() },
    reopen: open,
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Ends a child process with SIGTERM (the app shuts down gracefully) and waits until it has. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

/** A browser-like client of the app: keeps its session cookie, reads CSRF tokens from pages, signs in. */
export class Client {
  private cookie = '';
  /** `headers` go with every request (e.g. the client's own address through a trusted proxy). */
  constructor(
    private readonly base: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async request(pathname: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(this.base + pathname, { ...init, redirect: 'manual', headers: { ...this.headers, ...(init.headers as Record<string, string> | undefined), cookie: this.cookie } });
    const set = res.headers.getSetCookie().find((c) => c.startsWith('nqi.sid='));
    if (set) this.cookie = set.split(';')[0]!;
    return res;
  }

  async csrf(pathname: string): Promise<{ html: string; token: string }> {
    const html = await (await this.request(pathname)).text();
    return { html, token: /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '' };
  }

  async login(mobile: string): Promise<void> {
    const { token } = await this.csrf('/login');
    const res = await this.request('/login', { method: 'POST', body: new URLSearchParams({ _csrf: token, identifier: mobile, password: BENCH_PASSWORD }) });
    if (res.status !== 302) throw new Error(`login failed for ${mobile}: ${res.status}`);
  }
}

export interface Burst {
  accepted: number;
  refused: number;
  errors: number;
  /** Response times in ms, sorted: all, the accepted ones, the refused ones. */
  latencies: number[];
  acceptedLatencies: number[];
  refusedLatencies: number[];
  wallMs: number;
}

/** Sends every request at once and counts the answers: 303 accepted, 409 refused, anything else (or a failure) an error. */
export async function fireAtOnce(sends: (() => Promise<Response>)[]): Promise<Burst> {
  const burst: Burst = { accepted: 0, refused: 0, errors: 0, latencies: [], acceptedLatencies: [], refusedLatencies: [], wallMs: 0 };
  const started = performance.now();
  await Promise.all(
    sends.map(async (send) => {
      const t0 = performance.now();
      try {
        const res = await send();
        await res.arrayBuffer();
        const ms = performance.now() - t0;
        burst.latencies.push(ms);
        if (res.status === 303) {
          burst.accepted++;
          burst.acceptedLatencies.push(ms);
        } else if (res.status === 409) {
          burst.refused++;
          burst.refusedLatencies.push(ms);
        } else burst.errors++;
      } catch {
        burst.errors++;
      }
    }),
  );
  burst.wallMs = performance.now() - started;
  for (const list of [burst.latencies, burst.acceptedLatencies, burst.refusedLatencies]) list.sort((a, b) => a - b);
  return burst;
}

/** The timing rows of a result table: all answers, and accepted and refused ones apart when the burst has them. */
export function timingRows(burst: Pick<Burst, 'latencies' | 'wallMs'> & Partial<Pick<Burst, 'acceptedLatencies' | 'refusedLatencies'>>, refusalTarget = '') {
  const rows = (label: string, list: number[] | undefined, p99Target = '') =>
    list?.length
      ? {
          [`${label} p50 (ms)`]: { value: Math.round(percentile(list, 50)), expected: '' },
          [`${label} p99 (ms)`]: { value: Math.round(percentile(list, 99)), expected: p99Target },
        }
      : {};
  return {
    ...rows('latency', burst.latencies),
    ...rows('accepted', burst.acceptedLatencies),
    ...rows('refused', burst.refusedLatencies, refusalTarget),
    'wall time (ms)': { value: Math.round(burst.wallMs), expected: '' },
  };
}

/** The resident memory (MB) of an app process and its direct children (cluster workers, PGlite's). */
export function appRss(pid: number): number {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,rss='], { encoding: 'utf8' });
  const rows = out.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number) as [number, number, number]);
  const kb = rows.filter(([p, pp]) => p === pid || pp === pid).reduce((sum, [, , rss]) => sum + rss, 0);
  return Math.round(kb / 1024);
}

/** CPU time (ms, user + system) used so far by the app (with its children), by PostgreSQL's processes and by this process. */
export interface CpuSplit {
  app: number;
  postgres: number;
  bench: number;
}

/** Reads /proc (Linux): where a page's CPU goes — the app, the database server, or the load generator sharing the cores. */
export function cpuSplit(appPid: number): CpuSplit | undefined {
  const ms = 1000 / 100; // USER_HZ is 100 on Linux
  const split: CpuSplit = { app: 0, postgres: 0, bench: 0 };
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // the process ended meanwhile
    }
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' '); // fields[0] is the state (field 3)
    const pid = Number(entry);
    const ppid = Number(fields[1]);
    const used = (Number(fields[11]) + Number(fields[12])) * ms; // utime, stime
    if (pid === appPid || ppid === appPid) split.app += used;
    else if (comm.startsWith('postgres')) split.postgres += used;
    else if (pid === process.pid) split.bench += used;
  }
  return split;
}
