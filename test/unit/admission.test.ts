import { expect } from 'chai';
import express from 'express';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { admissionGate } from '../../src/http/admission.js';

/** A server whose GET /slow/:id answers only when the test says so; records the order handlers started in. */
async function gatedServer(limit: number) {
  const started: string[] = [];
  const finishers = new Map<string, () => void>();
  const app = express();
  app.use(admissionGate(limit));
  app.get('/slow/:id', (req, res) => {
    started.push(req.params.id);
    finishers.set(req.params.id, () => res.send(`done ${req.params.id}`));
  });
  app.post('/post', (_req, res) => {
    started.push('post');
    res.send('posted');
  });
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(check()).to.equal(true);
  };
  return { base, started, finish: (id: string) => finishers.get(id)!(), until, close: () => new Promise((r) => { server.close(r); server.closeAllConnections(); }) };
}

describe('admission gate (embedded database): reads in arrival order, a few at a time', () => {
  it('lets `limit` reads in, queues the rest in arrival order and admits the next when a response starts', async () => {
    const s = await gatedServer(2);
    try {
      const answers = ['a', 'b', 'c', 'd'].map((id, i) => new Promise((r) => setTimeout(r, i * 30)).then(() => fetch(`${s.base}/slow/${id}`)).then((r) => r.text()));
      await s.until(() => s.started.length === 2);
      await new Promise((r) => setTimeout(r, 150));
      expect(s.started).to.deep.equal(['a', 'b']); // c and d wait
      s.finish('b');
      await s.until(() => s.started.length === 3);
      expect(s.started[2]).to.equal('c'); // the first to arrive, not the last
      s.finish('a');
      await s.until(() => s.started.length === 4);
      s.finish('c');
      s.finish('d');
      expect(await Promise.all(answers)).to.deep.equal(['done a', 'done b', 'done c', 'done d']);
    } finally {
      await s.close();
    }
  });

  it('never holds a form post (a body may trickle in slowly)', async () => {
    const s = await gatedServer(1);
    try {
      const first = fetch(`${s.base}/slow/a`);
      await s.until(() => s.started.length === 1);
      const post = await fetch(`${s.base}/post`, { method: 'POST' });
      expect(await post.text()).to.equal('posted');
      s.finish('a');
      await first;
    } finally {
      await s.close();
    }
  });

  it('gives the place back when a client hangs up, so the next read runs', async () => {
    const s = await gatedServer(1);
    try {
      const abort = new AbortController();
      const gone = fetch(`${s.base}/slow/a`, { signal: abort.signal }).catch(() => 'aborted');
      await s.until(() => s.started.length === 1);
      const next = fetch(`${s.base}/slow/b`).then((r) => r.text());
      abort.abort();
      expect(await gone).to.equal('aborted');
      await s.until(() => s.started.length === 2);
      s.finish('b');
      expect(await next).to.equal('done b');
    } finally {
      await s.close();
    }
  });
});
