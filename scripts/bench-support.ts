/* What the HTTP benchmarks share: arguments, a fresh database for the run, a cookie-keeping client, percentiles. */
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

/** A new database on the server of DATABASE_URL (dropped by `drop`), or an in-memory PGlite without it. */
export async function freshDatabase(serverUrl: string | undefined): Promise<{ database: Database; drop: () => Promise<void>; label: string }> {
  if (!serverUrl) {
    return { database: await openDatabase({ kind: 'pglite-memory' }), drop: async () => undefined, label: 'PGlite (in-memory)' };
  }
  const name = `nqi_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: 'pg', url: url.toString(), poolMax: Number(process.env.DB_POOL_MAX ?? 20) });
  return {
    database,
    label: `PostgreSQL ${url.host} (pool ${process.env.DB_POOL_MAX ?? 20})`,
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A browser-like client of the app: keeps its session cookie, reads CSRF tokens from pages, signs in. */
export class Client {
  private cookie = '';
  constructor(private readonly base: string) {}

  async request(pathname: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(this.base + pathname, { ...init, redirect: 'manual', headers: { ...(init.headers ?? {}), cookie: this.cookie } });
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
  /** Response times in ms, sorted. */
  latencies: number[];
  wallMs: number;
}

/** Sends every request at once and counts the answers: 303 accepted, 409 refused, anything else (or a failure) an error. */
export async function fireAtOnce(sends: (() => Promise<Response>)[]): Promise<Burst> {
  const burst: Burst = { accepted: 0, refused: 0, errors: 0, latencies: [], wallMs: 0 };
  const started = performance.now();
  await Promise.all(
    sends.map(async (send) => {
      const t0 = performance.now();
      try {
        const res = await send();
        await res.arrayBuffer();
        burst.latencies.push(performance.now() - t0);
        if (res.status === 303) burst.accepted++;
        else if (res.status === 409) burst.refused++;
        else burst.errors++;
      } catch {
        burst.errors++;
      }
    }),
  );
  burst.wallMs = performance.now() - started;
  burst.latencies.sort((a, b) => a - b);
  return burst;
}

/** The timing rows of a result table. */
export function timingRows(burst: Pick<Burst, 'latencies' | 'wallMs'>) {
  return {
    'latency p50 (ms)': { value: Math.round(percentile(burst.latencies, 50)), expected: '' },
    'latency p99 (ms)': { value: Math.round(percentile(burst.latencies, 99)), expected: '' },
    'wall time (ms)': { value: Math.round(burst.wallMs), expected: '' },
  };
}
