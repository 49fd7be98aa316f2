import { expect } from 'chai';
import { asc, eq } from 'drizzle-orm';
import { parse } from 'node-html-parser';
import { dayInfo, isWorkingDay, yearSource } from '../../src/calendar/workdays.js';
import { calendarDays, events } from '../../src/db/schema.js';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, csrfFrom, login, type Agent, type TestApp } from '../support/app.js';
import { MONDAY_BEFORE_NATIONAL_DAY } from '../support/bookings.js';
import { createUser, TEST_PASSWORD } from '../support/factories.js';

/**
 * The platform admin enters a year's official holiday arrangement (pasted from the State Council notice): previewed,
 * saved over the package or the estimate, audited, withdrawn. The 2027 lines below are written for the test (the
 * real notice was not out when it was written); the counts are those of the lines.
 */
const NOTICE_2027 = [
  '国务院办公厅关于2027年部分节假日安排的通知',
  '一、元旦：1月1日（周五）至3日（周日）放假，共3天。',
  '二、春节：2月5日（农历除夕、周五）至11日（农历正月初六、周四）放假调休，共7天。1月31日（周日）、2月20日（周六）上班。',
  '三、清明节：4月3日（周六）至5日（周一）放假，共3天。',
  '四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）、5月8日（周六）上班。',
  '五、端午节：6月9日（周三）放假，共1天。',
  '六、中秋节：9月15日（周三）放假，共1天。',
  '七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。',
].join('\n');

describe('calendar: the official holiday arrangement entered by the platform admin', () => {
  let t: TestApp;
  let admin: Agent;
  let adminId: number;

  const post = async (fields: Record<string, string>) => admin.post('/admin/calendar').type('form').send({ _csrf: await csrfFrom(admin, '/admin/calendar'), ...fields });
  const saved = () => t.db.select().from(calendarDays).orderBy(asc(calendarDays.date));

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    const a = await createUser(t.db, 'platform_admin', {}, { name: '日历管理员' });
    adminId = a.id;
    admin = agentFor(t.app);
    await login(admin, a.mobile, TEST_PASSWORD);
  });
  after(() => t?.close());

  it('opens on the next year still estimated, with the statutory holidays and the in-lieu days it assumes', async () => {
    const res = await admin.get('/admin/calendar');
    expect(res.status).to.equal(200);
    const html = parse(res.text);
    expect(html.querySelector('h1')!.text).to.equal('法定节假日与调休');
    expect(html.querySelector('#current-heading')!.text).to.contain('2027 年');
    expect(res.text).to.contain('预估（官方安排未发布）');
    const spring = html.querySelectorAll('tbody tr').find((tr) => tr.text.includes('春节'))!;
    expect(spring.text).to.contain('2月5日 周五 至 2月10日 周三').and.contain('其中补休：2月9日 周二、2月10日 周三');
  });

  it('shows a year the package covers with its make-up workdays, and answers 404 for a year out of range', async () => {
    const res = await admin.get('/admin/calendar?year=2026');
    expect(res.text).to.contain('国务院通知（随系统更新）');
    const national = parse(res.text).querySelectorAll('tbody tr').find((tr) => tr.text.includes('国庆节'))!;
    expect(national.text).to.contain('10月1日 周四 至 10月7日 周三').and.contain('9月20日 周日、10月10日 周六');
    expect((await admin.get('/admin/calendar?year=1999')).status).to.equal(404);
    expect((await admin.get('/admin/calendar?year=abcd')).status).to.equal(404);
  });

  it('previews what the pasted notice says, naming holidays it did not find, and saves nothing', async () => {
    const res = await post({ intent: 'preview', year: '2027', source: '国办发明电〔2026〕9号', text: NOTICE_2027.split('\n').slice(0, 3).join('\n') });
    expect(res.status).to.equal(200);
    const preview = parse(res.text).querySelector('#preview-heading')!.text;
    expect(preview).to.contain('2027 年放假 10 天，调休上班 2 天（尚未保存）');
    expect(res.text).to.contain('未读到以下法定节日的安排，请核对是否漏贴：清明节、劳动节、端午节、中秋节、国庆节').and.contain('已忽略 1 行');
    expect(await saved()).to.deep.equal([]);
  });

  it('refuses lines it cannot read with one Chinese message per line, keeps the text, saves nothing', async () => {
    const text = `${NOTICE_2027}\n八、调休：10月11日（周一）上班，共0天。\n2027-02-30 放假 坏日期`;
    const res = await post({ intent: 'save', year: '2027', source: '国办发明电〔2026〕9号', text });
    expect(res.status).to.equal(422);
    const messages = parse(res.text).querySelectorAll('#f-text-error li').map((li) => li.text);
    expect(messages).to.deep.equal(['第 9 行：没有找到“调休”的放假日期（如“10月1日至7日放假”）', '第 10 行：日期“2027-02-30”不存在']);
    expect(parse(res.text).querySelector('#f-text')!.text).to.contain('2027-02-30 放假 坏日期');
    expect(await saved()).to.deep.equal([]);
    const blank = await post({ intent: 'save', year: '2027', source: '', text: '' });
    expect(blank.status).to.equal(422);
    expect(blank.text).to.contain('请填写文件依据').and.contain('请填写放假安排');
  });

  it('saves the year over the estimate, audited, and every working day follows at once', async () => {
    expect(isWorkingDay('2027-10-06')).to.equal(true); // the estimate knows only 10-01…03 and the in-lieu 10-04/05
    const res = await post({ intent: 'save', year: '2027', source: '国办发明电〔2026〕9号', text: NOTICE_2027 });
    expect(res.status).to.equal(303);
    const rows = await saved();
    expect(rows).to.have.length(27 + 6);
    expect(rows.find((r) => r.date === '2027-10-09')).to.include({ kind: 'workday', name: '国庆节', year: 2027, source: '国办发明电〔2026〕9号', enteredBy: adminId });
    expect(yearSource(2027)).to.equal('entered');
    expect(isWorkingDay('2027-10-06')).to.equal(false);
    expect(isWorkingDay('2027-10-09')).to.equal(true); // Saturday, make-up workday
    expect(dayInfo('2027-02-10')).to.include({ working: false, estimated: false });
    const [event] = await t.db.select().from(events).where(eq(events.action, 'calendar.entered'));
    expect(event).to.include({ actorUserId: adminId, entityType: 'calendar', entityId: '2027' });
    expect(event!.note).to.equal('2027 年放假安排（国办发明电〔2026〕9号）：放假 27 天，调休上班 6 天');
    expect((event!.data as { before: unknown[]; after: unknown[] }).after).to.have.length(33);
    const page = await admin.get('/admin/calendar?year=2027');
    const current = parse(page.text).querySelector('section[aria-labelledby="current-heading"]')!.text;
    expect(current).to.contain('已录入官方安排').and.contain('日历管理员 录入于').and.not.contain('预估');
    // the form holds the saved arrangement as editable lines
    expect(parse(page.text).querySelector('#f-text')!.text).to.contain('2027-10-01 至 2027-10-07 放假 国庆节').and.contain('2027-10-09 上班 国庆节');
  });

  it('replaces a year entered again, and refuses a date another year already holds', async () => {
    const again = await post({ intent: 'save', year: '2027', source: '国办发明电〔2026〕9号（更正）', text: '国庆节：10月1日至7日放假，共7天。\n元旦：12月31日至1月2日放假，共3天。' });
    expect(again.status).to.equal(303);
    expect((await saved()).map((r) => r.date)).to.deep.equal(['2026-12-31', '2027-01-01', '2027-01-02', ...['01', '02', '03', '04', '05', '06', '07'].map((d) => `2027-10-${d}`)]);
    expect(isWorkingDay('2027-02-10')).to.equal(true); // the first entry's Spring Festival is gone with it
    const clash = await post({ intent: 'save', year: '2026', source: '测试', text: '2026-12-31 放假 元旦' });
    expect(clash.status).to.equal(422);
    expect(clash.text).to.contain('2026-12-31 已录入在 2027 年的放假安排中');
  });

  it('picks up a year entered by another process on refresh (the timer of every process)', async () => {
    await t.db.insert(calendarDays).values({ date: '2028-01-03', kind: 'holiday', name: '元旦', year: 2028, source: '另一进程录入', enteredBy: adminId });
    expect(yearSource(2028)).to.equal('estimated');
    await t.services.calendar.refresh();
    expect(yearSource(2028)).to.equal('entered');
    expect(isWorkingDay('2028-01-03')).to.equal(false);
    await t.db.delete(calendarDays).where(eq(calendarDays.year, 2028));
    await t.services.calendar.refresh();
  });

  it('withdraws an entered year: the estimate answers again, audited', async () => {
    const csrf = await csrfFrom(admin, '/admin/calendar?year=2027');
    const res = await admin.post('/admin/calendar/2027/remove').type('form').send({ _csrf: csrf });
    expect(res.status).to.equal(303);
    expect(await saved()).to.deep.equal([]);
    expect(dayInfo('2027-10-06')).to.include({ working: true, estimated: true });
    const [event] = await t.db.select().from(events).where(eq(events.action, 'calendar.removed'));
    expect(event!.note).to.equal('撤回 2027 年录入的放假安排（国办发明电〔2026〕9号（更正））');
    const nothing = await admin.post('/admin/calendar/2027/remove').type('form').send({ _csrf: csrf });
    expect(nothing.status).to.equal(303);
    expect((await admin.get(nothing.headers.location!)).text).to.contain('2027 年没有录入的放假安排');
  });

  it('is the platform admin’s page only', async () => {
    const staff = await createUser(t.db, 'node_manager', { nodeCode: 'ZS-METROLOGY' });
    const agent = agentFor(t.app);
    await login(agent, staff.mobile, TEST_PASSWORD);
    expect((await agent.get('/admin/calendar')).status).to.equal(403);
  });
});
