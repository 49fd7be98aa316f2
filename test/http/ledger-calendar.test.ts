import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { calendarFeeds, users } from '../../src/db/schema.js';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, login, type Agent, type TestApp } from '../support/app.js';
import { MONDAY_BEFORE_NATIONAL_DAY } from '../support/bookings.js';
import { createCompanyUser, TEST_PASSWORD } from '../support/factories.js';
import { bookCalibration } from '../support/lab.js';
import { addInstrument, csrfOf } from '../support/ledger.js';

describe('instrument ledger: the calendar feed (iCalendar, secret per-user address, revocable)', () => {
  let t: TestApp;
  let company: Awaited<ReturnType<typeof createCompanyUser>>;
  let other: Awaited<ReturnType<typeof createCompanyUser>>;
  let agent: Agent;
  let booking: string;
  let url: string;

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    company = await createCompanyUser(t.db, { name: '舟山海星船舶修造有限公司' });
    other = await createCompanyUser(t.db, { name: '乙对照海运有限公司' });
    agent = agentFor(t.app);
    await login(agent, company.user.mobile, TEST_PASSWORD);
    booking = await bookCalibration(t, company.user.id, { slot: '2026-09-30|pm', serials: ['CAL-FEED-1'] });
    await addInstrument(t, company.enterprise.id, { name: '氧气压力表', serialNo: 'FEED-DUE-1', nextDueDate: '2026-10-15', compulsory: true, compulsoryUse: 'safety' });
    await addInstrument(t, other.enterprise.id, { name: '别家的秤', serialNo: 'OTHER-SECRET', nextDueDate: '2026-10-15' });
  });
  after(() => t?.close());

  async function generate(): Promise<string> {
    const res = await agent.post('/instruments/calendar').type('form').send({ _csrf: await csrfOf(agent, '/instruments/settings') });
    expect(res.status).to.equal(303);
    const page = await agent.get('/instruments/settings');
    const shown = /id="calendar-url" value="([^"]+)"/.exec(page.text)?.[1];
    expect(shown, 'the new address is shown').to.be.a('string');
    // shown once only
    expect((await agent.get('/instruments/settings')).text).not.to.contain(shown!);
    return shown!;
  }

  it('gives the user a secret address (≥128 random bits) and keeps only its hash', async () => {
    url = await generate();
    const token = /\/calendar\/([A-Za-z0-9_-]+)\.ics$/.exec(url)![1]!;
    expect(Buffer.from(token, 'base64url').length * 8).to.be.at.least(128);
    const [feed] = await t.db.select().from(calendarFeeds).where(eq(calendarFeeds.userId, company.user.id));
    expect(feed!.tokenHash).to.equal(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(feed)).not.to.contain(token);
  });

  it('serves the company\'s booked windows and due dates as iCalendar, without a session, and nothing of other companies', async () => {
    const res = await agentFor(t.app).get(new URL(url).pathname);
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.contain('text/calendar');
    const ics = res.text.replace(/\r\n[ \t]/g, '');
    expect(ics).to.contain('BEGIN:VCALENDAR').and.to.contain('END:VCALENDAR');
    expect(ics).to.contain(`SUMMARY:预约 ${booking}：一般压力表(弹性元件式) 检定/校准`);
    // the 下午 window of 2026-09-30 starts at 13:30 in Zhoushan = 05:30 UTC
    expect(ics).to.contain('DTSTART:20260930T053000Z');
    expect(ics).to.contain('SUMMARY:到期：氧气压力表（FEED-DUE-1）·强检').and.to.contain('DTSTART;VALUE=DATE:20261015').and.to.contain('BEGIN:VALARM');
    expect(ics).not.to.contain('OTHER-SECRET');
    const [feed] = await t.db.select().from(calendarFeeds).where(eq(calendarFeeds.userId, company.user.id));
    expect(feed!.lastUsedAt).not.to.equal(null);
  });

  it('a new address revokes the old one; revoking ends it; unknown or malformed addresses and deactivated users get 404', async () => {
    const fresh = await generate();
    expect((await agentFor(t.app).get(new URL(url).pathname)).status).to.equal(404);
    expect((await agentFor(t.app).get(new URL(fresh).pathname)).status).to.equal(200);
    await t.db.update(users).set({ active: false }).where(eq(users.id, company.user.id));
    expect((await agentFor(t.app).get(new URL(fresh).pathname)).status).to.equal(404);
    await t.db.update(users).set({ active: true }).where(eq(users.id, company.user.id));
    const revoke = await agent.post('/instruments/calendar/revoke').type('form').send({ _csrf: await csrfOf(agent, '/instruments/settings') });
    expect(revoke.status).to.equal(303);
    expect((await agentFor(t.app).get(new URL(fresh).pathname)).status).to.equal(404);
    for (const bad of ['x.ics', `${'A'.repeat(32)}.ics`, 'nothing', '..%2F..%2Fetc%2Fpasswd']) expect((await agentFor(t.app).get(`/calendar/${bad}`)).status, bad).to.equal(404);
  });
});
