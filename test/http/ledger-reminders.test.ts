import { expect } from 'chai';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { jobRuns, notifications, remindersSent, instruments } from '../../src/db/schema.js';
import { addDays } from '../../src/shared/time.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { settableClock } from '../support/clock.js';
import { createCompanyUser, createUser } from '../support/factories.js';
import { addInstrument } from '../support/ledger.js';

const DAY = '2026-09-28';

describe('instrument ledger: the daily reminder job (one run a day, grouped per company, each reminder once)', () => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof createCompanyUser>>;
  let b: Awaited<ReturnType<typeof createCompanyUser>>;
  let colleague: Awaited<ReturnType<typeof createUser>>;
  const clock = settableClock(`${DAY}T08:00:00+08:00`);

  before(async () => {
    t = await createTestApp({ clock });
    a = await createCompanyUser(t.db, { name: '舟山海星船舶修造有限公司' });
    b = await createCompanyUser(t.db, { name: '普陀东港水产食品有限公司', parkCode: 'P-PUTUO' });
    colleague = await createUser(t.db, 'enterprise', { enterpriseId: a.enterprise.id }, { name: '刘芳' });
    const id = a.enterprise.id;
    await addInstrument(t, id, { serialNo: 'D+40', nextDueDate: addDays(DAY, 40) });
    await addInstrument(t, id, { serialNo: 'D+30', nextDueDate: addDays(DAY, 30) });
    await addInstrument(t, id, { serialNo: 'D+10', nextDueDate: addDays(DAY, 10) });
    await addInstrument(t, id, { serialNo: 'D+7', nextDueDate: addDays(DAY, 7) });
    await addInstrument(t, id, { serialNo: 'D+0', nextDueDate: DAY });
    await addInstrument(t, id, { serialNo: 'D-3', nextDueDate: addDays(DAY, -3) });
    await addInstrument(t, id, { serialNo: 'STOPPED', nextDueDate: addDays(DAY, -30), status: 'stopped' });
    await addInstrument(t, id, { serialNo: 'SCRAPPED', nextDueDate: addDays(DAY, -30), status: 'scrapped' });
    await addInstrument(t, b.enterprise.id, { name: '电子台秤', categoryCode: 'CAL-DIS', serialNo: 'B-OVERDUE', nextDueDate: addDays(DAY, -100) });
  });
  after(() => t?.close());

  const inbox = (userId: number) => t.db.select().from(notifications).where(eq(notifications.userId, userId));
  const sentOn = async (day: string) =>
    (await t.db.select({ serial: instruments.serialNo, threshold: remindersSent.threshold }).from(remindersSent).innerJoin(instruments, eq(instruments.id, remindersSent.instrumentId)).where(eq(remindersSent.sentOn, day)))
      .map((r) => `${r.serial}:${r.threshold}`)
      .sort();

  it('sends each company one message listing its instruments at 30, 7, 0 days and overdue, to every colleague', async () => {
    const result = await t.services.ledger.runDailyJob(DAY);
    expect(result).to.deep.include({ ran: true });
    expect(await sentOn(DAY)).to.deep.equal(['B-OVERDUE:overdue', 'D+0:0', 'D+10:30', 'D+30:30', 'D+7:7', 'D-3:overdue']);
    for (const user of [a.user, colleague]) {
      const [message, ...more] = await inbox(user.id);
      expect(more).to.have.length(0);
      expect(message!.title).to.equal('计量器具到期提醒：1 台已超期，1 台今天到期，1 台 7 天内到期，2 台 30 天内到期');
      expect(message!.body).to.contain('D-3').and.to.contain('已超期 3 天').and.to.contain('D+0').and.to.contain('就是今天').and.to.contain('D+30').and.not.to.contain('D+40');
      expect(message!.body).not.to.contain('STOPPED').and.not.to.contain('SCRAPPED');
      expect(message!.link).to.equal('/instruments?due=attention');
    }
    const [other] = await inbox(b.user.id);
    expect(other!.title).to.equal('计量器具到期提醒：1 台已超期');
    expect(other!.body).to.contain('B-OVERDUE').and.not.to.contain('D-3');
  });

  it('runs once a day whatever runs it (job_runs), and a forced second run sends nothing (reminders_sent)', async () => {
    const before = (await inbox(a.user.id)).length;
    const [again, concurrent] = await Promise.all([t.services.ledger.runDailyJob(DAY), t.services.ledger.runDailyJob(DAY)]);
    expect(again.ran).to.equal(false);
    expect(concurrent.ran).to.equal(false);
    const forced = await t.services.ledger.runDailyJob(DAY, { force: true });
    expect(forced).to.deep.equal({ ran: true, stats: { reminders: 0, companies: 0, emails: 0 } });
    expect((await inbox(a.user.id)).length).to.equal(before);
    const [run] = await t.db.select().from(jobRuns).where(and(eq(jobRuns.job, 'ledger.reminders'), eq(jobRuns.day, DAY)));
    expect(run!.finishedAt).not.to.equal(null);
    expect(run!.stats).to.deep.equal({ reminders: 6, companies: 2, emails: 0 });
  });

  it('the next day sends only thresholds newly reached', async () => {
    await t.services.ledger.runDailyJob(addDays(DAY, 1));
    expect(await sentOn(addDays(DAY, 1))).to.deep.equal(['D+0:overdue']);
  });

  it('catches up after downtime: the first run afterwards sends what was reached meanwhile, once', async () => {
    const back = addDays(DAY, 12); // 2026-10-10: D+10 and D+7 are overdue now, D+40 is 28 days away, D+30 18 (sent)
    await t.services.ledger.runDailyJob(back);
    expect(await sentOn(back)).to.deep.equal(['D+10:overdue', 'D+40:30', 'D+7:overdue']);
    await t.services.ledger.runDailyJob(addDays(DAY, 23)); // 7 days before D+30
    expect(await sentOn(addDays(DAY, 23))).to.deep.equal(['D+30:7']);
  });

  it('a new due date (a new certificate) starts its own reminders', async () => {
    await t.db.update(instruments).set({ nextDueDate: addDays(DAY, 60) }).where(and(eq(instruments.enterpriseId, a.enterprise.id), inArray(instruments.serialNo, ['D-3'])));
    await t.services.ledger.runDailyJob(addDays(DAY, 30)); // D-3 is now due in 30 days, under its new date
    expect(await sentOn(addDays(DAY, 30))).to.deep.equal(['D+30:0', 'D-3:30']);
    const count = await t.db.select({ n: sql<number>`count(*)::int` }).from(remindersSent);
    expect(count[0]!.n).to.equal(13);
  });
});
