import { expect } from 'chai';
import { eq, sql } from 'drizzle-orm';
import { events, outbox, users } from '../../src/db/schema.js';
import { enqueue, makeOutbox } from '../../src/outbox/outbox.service.js';
import { makeEmailSender } from '../../src/outbox/email.js';
import { createLogger } from '../../src/shared/logger.js';
import { agentFor, createTestApp, login, type TestApp } from '../support/app.js';
import { settableClock } from '../support/clock.js';
import { onPostgresServer } from '../support/db.js';
import { createCompanyUser, createUser, TEST_PASSWORD } from '../support/factories.js';
import { addInstrument, csrfOf } from '../support/ledger.js';
import { startSmtp, subjectOf } from '../support/smtp.js';

const DAY = '2026-09-28';

describe('outbox: e-mail reminders through a real SMTP server, retries with back-off, failures visible', function () {
  this.timeout(60_000);
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let t: TestApp;
  let optedIn: Awaited<ReturnType<typeof createCompanyUser>>;
  let silent: Awaited<ReturnType<typeof createCompanyUser>>;

  before(async () => {
    smtp = await startSmtp();
    t = await createTestApp({ clock: settableClock(`${DAY}T08:00:00+08:00`), env: { SMTP_URL: smtp.url, MAIL_FROM: '舟山质量平台 <noreply@nqi.test>' } });
    optedIn = await createCompanyUser(t.db, { name: '舟山海星船舶修造有限公司' });
    silent = await createCompanyUser(t.db, { name: '普陀东港水产食品有限公司' });
    await t.db.update(users).set({ email: 'zhang.wei@haixing.test' }).where(eq(users.id, optedIn.user.id));
    await t.db.update(users).set({ email: 'ma.li@donggang.test' }).where(eq(users.id, silent.user.id));
    await createUser(t.db, 'enterprise', { enterpriseId: optedIn.enterprise.id }, { name: '无邮箱同事' });
    await addInstrument(t, optedIn.enterprise.id, { serialNo: 'MAIL-1', nextDueDate: '2026-09-20' });
    await addInstrument(t, silent.enterprise.id, { serialNo: 'MAIL-2', nextDueDate: '2026-09-20' });
  });
  after(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('a company opts in on its settings page (audited)', async () => {
    const agent = agentFor(t.app);
    await login(agent, optedIn.user.mobile, TEST_PASSWORD);
    const page = await agent.get('/instruments/settings');
    expect(page.text).not.to.contain('平台暂未开通邮件发送');
    const res = await agent.post('/instruments/settings').type('form').send({ _csrf: await csrfOf(agent, '/instruments/settings'), emailReminders: 'on' });
    expect(res.status).to.equal(303);
    const logged = await t.db.select().from(events).where(eq(events.action, 'ledger.settings_changed'));
    expect(logged).to.have.length(1);
  });

  it('writes the e-mail in the job\'s transaction and sends it after commit; the message arrives at the SMTP server', async () => {
    const result = await t.services.ledger.runDailyJob(DAY);
    expect(result).to.deep.include({ ran: true });
    const rows = await t.db.select().from(outbox);
    // the opted-in company's one colleague with an address; not the other company, which did not opt in
    expect(rows.map((r) => (r.payload as { to: string }).to)).to.deep.equal(['zhang.wei@haixing.test']);
    expect(rows[0]).to.include({ kind: 'email', status: 'pending', attempts: 0 });
    expect(smtp.received).to.have.length(0);
    const tally = await t.services.outbox.deliverDue();
    expect(tally).to.deep.include({ claimed: 1, sent: 1 });
    expect(smtp.received).to.have.length(1);
    const mail = smtp.received[0]!;
    expect(mail.to).to.deep.equal(['zhang.wei@haixing.test']);
    expect(mail.from).to.equal('noreply@nqi.test');
    expect(subjectOf(mail.raw)).to.equal('计量器具到期提醒：1 台已超期');
    const [sent] = await t.db.select().from(outbox);
    expect(sent).to.include({ status: 'sent', attempts: 1, lastError: null });
    expect((await t.services.outbox.deliverDue()).claimed).to.equal(0);
  });

  it('retries a refused delivery with back-off, gives up after the last attempt, shows it to the platform admin, who can retry it', async () => {
    const refusing = await startSmtp({ refuse: true });
    const logger = createLogger('silent');
    const worker = makeOutbox({ db: t.db, logger });
    worker.register('email', makeEmailSender(refusing.url, 'noreply@nqi.test').send);
    try {
      await enqueue(t.db, { kind: 'email', payload: { to: 'nobody@nqi.test', subject: '退信测试', text: '…' } });
      await t.db.update(outbox).set({ maxAttempts: 2 }).where(eq(outbox.status, 'pending'));
      const first = await worker.deliverDue();
      expect(first).to.deep.include({ claimed: 1, retried: 1 });
      const [pending] = await t.db.select().from(outbox).where(eq(outbox.status, 'pending'));
      expect(pending!.attempts).to.equal(1);
      expect(pending!.lastError).to.contain('550');
      const waitSeconds = (pending!.nextAttemptAt.getTime() - Date.now()) / 1000;
      expect(waitSeconds).to.be.within(40, 80); // first back-off: about a minute
      expect((await worker.deliverDue()).claimed).to.equal(0); // not due yet
      await t.db.update(outbox).set({ nextAttemptAt: sql`now()` }).where(eq(outbox.id, pending!.id));
      expect(await worker.deliverDue()).to.deep.include({ claimed: 1, failed: 1 });
      const [failed] = await t.db.select().from(outbox).where(eq(outbox.id, pending!.id));
      expect(failed).to.include({ status: 'failed', attempts: 2 });

      const admin = await createUser(t.db, 'platform_admin');
      const agent = agentFor(t.app);
      await login(agent, admin.mobile, TEST_PASSWORD);
      const page = await agent.get('/admin/outbox?status=failed');
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('nobody@nqi.test').and.to.contain('550').and.to.contain('退信测试');
      const retry = await agent.post(`/admin/outbox/${failed!.id}/retry`).type('form').send({ _csrf: await csrfOf(agent, '/admin/outbox?status=failed') });
      expect(retry.status).to.equal(303);
      const [requeued] = await t.db.select().from(outbox).where(eq(outbox.id, failed!.id));
      expect(requeued).to.include({ status: 'pending', attempts: 0 });
      expect(requeued!.lastError).to.contain('550');
      const again = await agent.post(`/admin/outbox/${failed!.id}/retry`).type('form').send({ _csrf: await csrfOf(agent, '/admin/outbox') });
      expect(again.status).to.equal(409);
      const company = agentFor(t.app);
      await login(company, optedIn.user.mobile, TEST_PASSWORD);
      expect((await company.get('/admin/outbox')).status).to.equal(403);
    } finally {
      await refusing.close();
    }
  });

  it('without SMTP_URL nothing is sent and nothing fails: no e-mail is written, reminders still arrive in the app', async () => {
    const plain = await createTestApp({ clock: settableClock(`${DAY}T08:00:00+08:00`) });
    try {
      const c = await createCompanyUser(plain.db);
      await plain.db.update(users).set({ email: 'x@nqi.test' }).where(eq(users.id, c.user.id));
      const agent = agentFor(plain.app);
      await login(agent, c.user.mobile, TEST_PASSWORD);
      const page = await agent.get('/instruments/settings');
      expect(page.text).to.contain('平台暂未开通邮件发送');
      await agent.post('/instruments/settings').type('form').send({ _csrf: await csrfOf(agent, '/instruments/settings'), emailReminders: 'on' });
      await addInstrument(plain, c.enterprise.id, { nextDueDate: '2026-09-01' });
      const result = await plain.services.ledger.runDailyJob(DAY);
      expect(result).to.deep.equal({ ran: true, stats: { reminders: 1, companies: 1, emails: 0 } });
      expect(await plain.db.select().from(outbox)).to.have.length(0);
      // a message another feature wrote waits, untouched
      await enqueue(plain.db, { kind: 'email', payload: { to: 'x@nqi.test', subject: 's', text: 't' } });
      expect((await plain.services.outbox.deliverDue()).claimed).to.equal(0);
      const [waiting] = await plain.db.select().from(outbox);
      expect(waiting).to.include({ status: 'pending', attempts: 0 });
    } finally {
      await plain.close();
    }
  });

  it('delivers each message once when several workers run at the same time (FOR UPDATE SKIP LOCKED)', async function () {
    if (!onPostgresServer) this.skip(); // PGlite runs one transaction at a time: no real concurrency to test
    const logger = createLogger('silent');
    const before = smtp.received.length;
    await enqueue(t.db, Array.from({ length: 60 }, (_, i) => ({ kind: 'email' as const, payload: { to: `w${i}@nqi.test`, subject: `并发 ${i}`, text: '…' } })));
    const workers = [0, 1, 2].map(() => {
      const w = makeOutbox({ db: t.db, logger });
      w.register('email', makeEmailSender(smtp.url, 'noreply@nqi.test').send);
      return w;
    });
    const drain = async (w: (typeof workers)[number]) => {
      while ((await w.deliverDue()).claimed > 0);
    };
    await Promise.all(workers.map(drain));
    // (the message requeued by the admin in the test above goes out too: count this test's own)
    const got = smtp.received.slice(before).flatMap((m) => m.to).filter((to) => /^w\d+@nqi\.test$/.test(to));
    expect(got).to.have.length(60);
    expect(new Set(got).size).to.equal(60);
  });
});
