import { expect } from 'chai';
import express from 'express';
import type { Agent } from '../support/app.js';
import { buildWorld, type PrincipalKey, type World } from './fixture.js';
import { POLICIES, preparePolicies, PUBLIC, type P } from './policies.js';
import { routeTable } from './routes.js';

const roleOf = (p: PrincipalKey) => p.replace(/\d$|[AB]$/, '');
const STACK_TRACE = /\bat .+\.(ts|js):\d+|node_modules\//;

/** What each query parameter is sent as, one parameter at a time: impossible dates, arrays, objects, odd numbers, huge. */
const PER_PARAMETER: ((key: string) => string)[] = [
  (k) => `${k}=9999-99-99`,
  (k) => `${k}=2026-02-30`,
  (k) => `${k}=0000-00-00`,
  (k) => `${k}=0000-01-01`,
  (k) => `${k}=9999-12-31`,
  (k) => `${k}=2026-13-01`,
  (k) => `${k}=-1`,
  (k) => `${k}=99999999999999999999`,
  (k) => `${k}[]=1&${k}[]=2`,
  (k) => `${k}=1&${k}=2`,
  (k) => `${k}[b]=1`,
  (k) => `${k}=${'x'.repeat(10_000)}`,
];
/** …and these too, but every parameter at once (each is refused or ignored the same way whichever parameter holds it). */
const ALL_AT_ONCE: ((key: string) => string)[] = [
  ...PER_PARAMETER,
  (k) => `${k}=%00`,
  (k) => `${k}=%E2%80%AE%E2%80%8B`,
  (k) => `${k}=%`,
  (k) => `${k}=%FF%FE`,
  (k) => `${k}=__proto__`,
  (k) => `${k}=%3Cscript%3Ealert(1)%3C%2Fscript%3E`,
  (k) => `${k}=0`,
  (k) => `${k}=1e308`,
  (k) => `${k}=20260101`,
];

/** URLs of the public GET routes (the policies list them without one). */
const PUBLIC_URLS: Record<string, (w: World) => string> = {
  'GET /services/:code': () => '/services/CAL-PG',
  'GET /nodes/:id': (w) => `/nodes/${w.x.nodeId}`,
};

/**
 * Records which query parameters each route reads, by watching `req.query` while the suite runs: the fuzzer then
 * attacks exactly what the code reads — a parameter added to a route tomorrow is fuzzed without anyone listing it.
 */
function watchQueryReads(): { reads: Map<string, Set<string>>; restore(): void } {
  const reads = new Map<string, Set<string>>();
  const proto = express.request as object;
  const original = Object.getOwnPropertyDescriptor(proto, 'query')!;
  Object.defineProperty(proto, 'query', {
    configurable: true,
    enumerable: true,
    get(this: express.Request) {
      const parsed = original.get!.call(this) as Record<string, unknown>;
      const routeOf = () => (this as { route?: { path: string } }).route;
      const method = this.method;
      return new Proxy(parsed, {
        get(target, key, receiver) {
          const route = routeOf();
          if (typeof key === 'string' && route) {
            const id = `${method} ${route.path}`;
            if (!reads.has(id)) reads.set(id, new Set());
            reads.get(id)!.add(key);
          }
          return Reflect.get(target, key, receiver);
        },
      });
    },
  });
  return { reads, restore: () => Object.defineProperty(proto, 'query', original) };
}

describe('security: every GET route × every query parameter it reads, fuzzed (dates, arrays, objects, NUL, huge)', function () {
  this.timeout(300_000);
  let w: World;
  let watcher: ReturnType<typeof watchQueryReads>;
  const targets: { key: string; url: string; who: PrincipalKey[] }[] = [];

  before(async () => {
    w = await buildWorld();
    await preparePolicies(w);
    watcher = watchQueryReads();
    for (const r of routeTable(w.t.app).filter((x) => x.method === 'GET')) {
      const key = `GET ${r.path}`;
      const policy = POLICIES[key];
      if (policy === undefined) continue; // the access matrix fails on a route without a policy
      const url = policy === PUBLIC ? (PUBLIC_URLS[key]?.(w) ?? r.path) : policy.url(w);
      // One principal per role that may use the route (what differs between two of a role is only their scope).
      const all: P[] = policy === PUBLIC ? ['anon', 'entA'] : [...policy.sees, ...(policy.reach ?? [])];
      const who = all.filter((p, i) => all.findIndex((q) => roleOf(q) === roleOf(p)) === i);
      targets.push({ key, url, who });
    }
    // Discovery: every route once as each principal who may use it, with its usual query.
    for (const t of targets) for (const p of t.who) await agentOf(p).get(t.url);
  });
  after(() => {
    watcher?.restore();
    return w?.t.close();
  });

  const agentOf = (p: PrincipalKey): Agent => (p === 'anon' ? w.anon() : w.agents[p]);

  it('found the filter parameters of the list pages (the discovery works)', () => {
    const read = (k: string) => [...(watcher.reads.get(k) ?? [])];
    expect(read('GET /bookings')).to.include.members(['from', 'to', 'status', 'page', 'q']);
    expect(read('GET /admin')).to.include.members(['period', 'from', 'to']);
    expect(read('GET /lab')).to.include.members(['from', 'to', 'tab', 'page']);
    expect(read('GET /admin/audit')).to.include.members(['from', 'to']);
  });

  it('never answers 500 or shows a stack trace, for any route, parameter, value and principal', async () => {
    const problems: string[] = [];
    let sent = 0;
    for (const t of targets) {
      const [path, usual = ''] = t.url.split('?') as [string, string?];
      const read = [...new Set([...(watcher.reads.get(t.key) ?? []), ...new URLSearchParams(usual).keys()])];
      // a route that reads no parameter still gets every value once, under a name it ignores
      const keys = read.length ? read : ['x'];
      const queries: string[] = [];
      for (const bad of PER_PARAMETER) for (const k of keys) queries.push([usual, bad(k)].filter(Boolean).join('&'));
      // every parameter at once (a custom period with impossible bounds reaches the date arithmetic)
      for (const bad of ALL_AT_ONCE) queries.push([keys.includes('period') ? 'period=custom' : '', ...keys.filter((k) => k !== 'period').map(bad)].filter(Boolean).join('&'));
      for (const p of t.who) {
        const agent = agentOf(p);
        for (const q of queries) {
          const res = await agent.get(`${path}?${q}`);
          sent++;
          const where = `${p} GET ${path}?${q.slice(0, 120)} → ${res.status}`;
          if (res.status >= 500) problems.push(where);
          if (STACK_TRACE.test(res.text ?? '')) problems.push(`${where}: stack trace`);
        }
      }
    }
    expect(sent).to.be.greaterThan(1000);
    expect(problems, problems.slice(0, 30).join('\n')).to.deep.equal([]);
  });
});
