import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { expect } from 'chai';
import { and, eq, sql } from 'drizzle-orm';
import supertest from 'supertest';
import type { Principal } from '../../src/auth/access.js';
import { outbox, webhookDeliveries } from '../../src/db/schema.js';
import { fixedClock } from '../../src/shared/time.js';
import { isPrivateAddress } from '../../src/api/ssrf.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { apiKeyFor } from '../support/api.js';
import { MONDAY_BEFORE_NATIONAL_DAY, nodeServiceOf } from '../support/bookings.js';
import { createCompanyUser } from '../support/factories.js';
import { bookCalibration } from '../support/lab.js';
import { addInstrument } from '../support/ledger.js';

interface Received {
  headers: IncomingMessage['headers'];
  raw: string;
}

/** A real HTTP receiver on a free port: records what arrives, answers `status` (or is stopped). */
async function startReceiver(port = 0) {
  const received: Received[] = [];
  const state = { status: 200 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = state.status;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return { received, state, port: actual, url: `http://127.0.0.1:${actual}/hooks`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** What a receiver does: recompute the HMAC over "<timestamp>.<raw body>" and compare in constant time. */
function verifies(secret: string, r: Received, raw = r.raw): boolean {
  const ts = String(r.headers['x-nqi-timestamp']);
  const given = String(r.headers['x-nqi-signature']).replace(/^v1=/, '');
  const expected = createHmac('sha256', secret).update(`${ts}.${raw}`).digest('hex');
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

describe('webhooks', () => {
  let t: TestApp;
  let company: Awaited<ReturnType<typeof createCompanyUser>>;
  let user: Principal;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let secret: string;
  let subscriptionId: number;

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    company = await createCompanyUser(t.db);
    user = (await t.services.auth.loadPrincipal(company.user.id)) as Principal;
    receiver = await startReceiver();
    const created = await t.services.webhooks.create(user, { url: receiver.url, events: ['booking.created', 'booking.status_changed'] });
    secret = created.secret;
    subscriptionId = created.id;
  });
  after(async () => {
    await receiver?.close();
    await t?.close();
  });

  const pending = () => t.db.select().from(outbox).where(and(eq(outbox.kind, 'webhook'), eq(outbox.status, 'pending')));

  it('queues booking.created with the booking (same transaction) and delivers it signed after commit', async () => {
    const number = await bookCalibration(t, company.user.id, { serials: ['WH-1'] });
    const queued = await pending();
    expect(queued).to.have.length(1);
    expect((queued[0]!.payload as { event: string }).event).to.equal('booking.created');
    expect(receiver.received).to.have.length(0);
    const tally = await t.services.outbox.deliverDue();
    expect(tally.sent).to.equal(1);
    expect(receiver.received).to.have.length(1);
    const got = receiver.received[0]!;
    expect(got.headers['x-nqi-event']).to.equal('booking.created');
    const body = JSON.parse(got.raw) as { type: string; data: { number: string; channel: string } };
    expect(body.type).to.equal('booking.created');
    expect(body.data.number).to.equal(number);
    expect(verifies(secret, got)).to.equal(true);
    // a tampered body (or another secret) does not verify
    expect(verifies(secret, got, got.raw.replace(number, 'ZS-FAKE-0001'))).to.equal(false);
    expect(verifies('whsec_other', got)).to.equal(false);
    const [log] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, subscriptionId));
    expect(log).to.include({ responseStatus: 200, error: null, event: 'booking.created', attempt: 1 });
  });

  it('writes nothing for another company’s booking, and nothing when the change is refused', async () => {
    const other = await createCompanyUser(t.db);
    await bookCalibration(t, other.user.id, { serials: ['WH-OTHER'] });
    expect(await pending()).to.have.length(0);
  });

  it('retries with back-off while the receiver fails, then delivers; the log keeps each response code', async () => {
    receiver.state.status = 503;
    const number = await bookCalibration(t, company.user.id, { serials: ['WH-2'] });
    const first = await t.services.outbox.deliverDue();
    expect(first.retried).to.equal(1);
    const [row] = await pending();
    expect(row!.attempts).to.equal(1);
    expect(row!.nextAttemptAt.getTime()).to.be.greaterThan(Date.now() + 30_000);
    // not due yet: nothing is sent
    expect((await t.services.outbox.deliverDue()).claimed).to.equal(0);
    receiver.state.status = 200;
    await t.db.update(outbox).set({ nextAttemptAt: sql`now()` }).where(eq(outbox.id, row!.id));
    expect((await t.services.outbox.deliverDue()).sent).to.equal(1);
    const logs = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.outboxId, row!.id));
    expect(logs.map((l) => [l.attempt, l.responseStatus])).to.deep.equal([
      [1, 503],
      [2, 200],
    ]);
    const bodies = receiver.received.slice(-2).map((r) => JSON.parse(r.raw) as { id: string; data: { number: string } });
    expect(bodies[0]!.data.number).to.equal(number);
    expect(bodies[0]!.id).to.equal(bodies[1]!.id); // the same event id on each attempt: receivers de-duplicate
  });

  it('retries when the receiver is down, and loses nothing when the app restarts before delivery', async () => {
    await receiver.close();
    const port = receiver.port;
    const number = await bookCalibration(t, company.user.id, { serials: ['WH-3'] });
    expect((await t.services.outbox.deliverDue()).retried).to.equal(1);
    // "restart": a new app process on the same database, the receiver back on its port
    const restarted = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY), database: t.database });
    receiver = await startReceiver(port);
    await t.db.update(outbox).set({ nextAttemptAt: sql`now()` }).where(eq(outbox.status, 'pending'));
    expect((await restarted.services.outbox.deliverDue()).sent).to.equal(1);
    expect(JSON.parse(receiver.received[0]!.raw).data.number).to.equal(number);
    expect(await pending()).to.have.length(0);
    const logs = await t.db.select().from(webhookDeliveries);
    expect(logs.some((l) => l.responseStatus === null && /无法连接/.test(l.error ?? ''))).to.equal(true);
  });

  it('sends a status change of an API booking, ping answers at once, redeliver sends the same event again', async () => {
    const key = (await apiKeyFor(t, company.user.id, ['read', 'book'])).secret;
    const { nodeId } = await nodeServiceOf(t.db, 'ZS-METROLOGY', 'CAL-PG');
    const created = await supertest(t.app)
      .post('/api/v1/bookings')
      .set('Authorization', `Bearer ${key}`)
      .set('Idempotency-Key', 'erp-webhook-0001-abcdef')
      .send({ service: 'CAL-PG', node: String(nodeId), slot: '2026-09-29|pm', deliveryMode: 'send_in', items: [{ name: '一般压力表', serialNo: 'WH-API', quantity: 1 }], contactName: '张伟', contactMobile: '13900000101' });
    expect(created.status).to.equal(201);
    await supertest(t.app).post(`/api/v1/bookings/${created.body.number}/cancel`).set('Authorization', `Bearer ${key}`).send({ reason: '计划调整' });
    await t.services.outbox.deliverDue();
    // Deliveries go out in parallel: on PostgreSQL the two may arrive in either order (receivers order by createdAt).
    const events = receiver.received
      .map((r) => JSON.parse(r.raw) as { type: string; data: { number: string; channel?: string; to?: string } })
      .filter((b) => b.data.number === created.body.number)
      .sort((a, b) => a.type.localeCompare(b.type));
    expect(events.map((e) => e.type)).to.deep.equal(['booking.created', 'booking.status_changed']);
    expect(events[0]!.data.channel).to.equal('api');
    expect(events[1]!.data.to).to.equal('cancelled');

    const ping = await t.services.webhooks.ping(user, subscriptionId);
    expect(ping).to.deep.equal({ status: 200, error: null });
    expect(JSON.parse(receiver.received.at(-1)!.raw).type).to.equal('ping');

    const [delivered] = await t.db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.event, 'booking.status_changed'), eq(webhookDeliveries.responseStatus, 200)));
    const before = receiver.received.length;
    await t.services.webhooks.redeliver(user, delivered!.id);
    await t.services.outbox.deliverDue();
    expect(receiver.received.length).to.equal(before + 1);
    expect(JSON.parse(receiver.received.at(-1)!.raw).id).to.equal(delivered!.eventId);
  });

  it('announces instruments coming due from the daily reminder job (instrument.due), to the company that subscribed', async () => {
    const dueCompany = await createCompanyUser(t.db);
    const owner = (await t.services.auth.loadPrincipal(dueCompany.user.id)) as Principal;
    const hook = await t.services.webhooks.create(owner, { url: receiver.url, events: ['instrument.due'] });
    const entry = await addInstrument(t, dueCompany.enterprise.id, { name: '氧气压力表', serialNo: 'DUE-7', nextDueDate: '2026-10-05', compulsory: true, compulsoryUse: 'safety' });
    await t.services.ledger.runDailyJob('2026-09-28');
    await t.services.outbox.deliverDue();
    const got = receiver.received.map((r) => ({ r, body: JSON.parse(r.raw) as { type: string; data: { instruments: { id: number; serialNo: string }[] } } })).filter((x) => x.body.type === 'instrument.due');
    expect(got).to.have.length(1);
    expect(got[0]!.body.data.instruments.map((i) => i.id)).to.include(entry.id);
    expect(verifies(hook.secret, got[0]!.r)).to.equal(true);
  });

  it('keeps subscriptions in their owner’s scope', async () => {
    const other = await createCompanyUser(t.db);
    const stranger = (await t.services.auth.loadPrincipal(other.user.id)) as Principal;
    let status = 0;
    await t.services.webhooks.ping(stranger, subscriptionId).catch((err: Error) => (status = err.name === 'NotFoundError' ? 404 : 500));
    expect(status).to.equal(404);
  });
});

describe('webhook targets (SSRF)', () => {
  it('knows private, loopback and link-local addresses', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.5.4', '192.168.1.1', '169.254.169.254', '::1', 'fd00::1', '::ffff:127.0.0.1', '0.0.0.0', '64:ff9b::7f00:1', '2002:7f00:1::', '::127.0.0.1', '2001:0:4136:e378:8000:63bf:3fff:fdd2']) expect(isPrivateAddress(a), a).to.equal(true);
    for (const a of ['8.8.8.8', '202.96.134.133', '2400:3200::1']) expect(isPrivateAddress(a), a).to.equal(false);
  });

  it('refuses a loopback or private target unless the setting allows it', async () => {
    const t = await createTestApp({ env: { WEBHOOK_ALLOW_PRIVATE: '0' } });
    try {
      const company = await createCompanyUser(t.db);
      const user = (await t.services.auth.loadPrincipal(company.user.id)) as Principal;
      for (const url of ['http://127.0.0.1:9/x', 'http://10.0.0.8/hook', 'http://[::1]/x', 'ftp://example.com/x']) {
        let fields: Record<string, string> = {};
        await t.services.webhooks.create(user, { url, events: ['booking.created'] }).catch((err: { fieldErrors?: Record<string, string> }) => (fields = err.fieldErrors ?? {}));
        expect(fields.url, url).to.be.a('string');
      }
    } finally {
      await t.close();
    }
  });
});
