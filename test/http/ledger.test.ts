import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { events, instruments } from '../../src/db/schema.js';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, login, type Agent, type TestApp } from '../support/app.js';
import { MONDAY_BEFORE_NATIONAL_DAY } from '../support/bookings.js';
import { createCompanyUser, createUser, TEST_PASSWORD } from '../support/factories.js';
import { addInstrument, binary, csrfOf, entryForm } from '../support/ledger.js';

describe('instrument ledger: entries, rules, list, export', () => {
  let t: TestApp;
  let company: Awaited<ReturnType<typeof createCompanyUser>>;
  let other: Awaited<ReturnType<typeof createCompanyUser>>;
  let agent: Agent;
  let colleague: Agent;
  let otherAgent: Agent;

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    company = await createCompanyUser(t.db, { name: '舟山海星船舶修造有限公司' });
    other = await createCompanyUser(t.db, { name: '乙对照海运有限公司', parkCode: 'P-PUTUO' });
    const mate = await createUser(t.db, 'enterprise', { enterpriseId: company.enterprise.id }, { name: '刘芳' });
    [agent, colleague, otherAgent] = [agentFor(t.app), agentFor(t.app), agentFor(t.app)];
    await login(agent, company.user.mobile, TEST_PASSWORD);
    await login(colleague, mate.mobile, TEST_PASSWORD);
    await login(otherAgent, other.user.mobile, TEST_PASSWORD);
  });
  after(() => t?.close());

  const entriesOf = (enterpriseId: number) => t.db.select().from(instruments).where(eq(instruments.enterpriseId, enterpriseId));

  async function post(a: Agent, path: string, fields: Record<string, string>) {
    const csrf = await csrfOf(a, '/instruments/new');
    return a.post(path).type('form').send({ _csrf: csrf, ...fields });
  }

  it('registers an instrument, computes its due date from the period, records it in the audit log, and colleagues see it', async () => {
    const res = await post(agent, '/instruments', entryForm({ serialNo: 'PG-2024-001' }));
    expect(res.status).to.equal(303);
    const [saved] = await entriesOf(company.enterprise.id);
    expect(res.headers.location).to.equal(`/instruments/${saved!.id}`);
    expect(saved).to.include({ name: '一般压力表', serialNo: 'PG-2024-001', serialKey: 'PG-2024-001', compulsory: true, compulsoryUse: 'safety', status: 'in_use' });
    // JJG 52—2013: 6 months from 2026-04-10 → due 2026-10-09 (the category's period, the entry gives none)
    expect(saved!.nextDueDate).to.equal('2026-10-09');
    expect(saved!.dueSource).to.equal('period');
    const [event] = await t.db.select().from(events).where(and(eq(events.entityType, 'instrument'), eq(events.entityId, String(saved!.id))));
    expect(event!.action).to.equal('instrument.created');
    const page = await colleague.get('/instruments');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('PG-2024-001').and.to.contain('船坞车间');
  });

  it('refuses the same instrument twice (serial compared without case, width or spaces) with a link to the existing entry, and saves nothing', async () => {
    const [existing] = await entriesOf(company.enterprise.id);
    const before = (await entriesOf(company.enterprise.id)).length;
    const res = await post(agent, '/instruments', entryForm({ serialNo: 'ｐｇ－２０２４－００１ ' }));
    expect(res.status).to.equal(409);
    expect(res.text).to.contain('不能重复登记').and.to.contain(`href="/instruments/${existing!.id}"`);
    expect(res.text).to.contain('ｐｇ－２０２４－００１'); // the input is kept
    expect((await entriesOf(company.enterprise.id)).length).to.equal(before);
    // positive control: the same serial in another category is another instrument
    const ok = await post(agent, '/instruments', entryForm({ serialNo: 'PG-2024-001', categoryCode: 'CAL-PPG', name: '精密压力表', compulsory: 'no', compulsoryUse: '' }));
    expect(ok.status).to.equal(303);
    expect((await entriesOf(company.enterprise.id)).length).to.equal(before + 1);
  });

  it('applies the category rules of the 2020 catalogue: the 强检 use must be one the category is listed for', async () => {
    const before = (await entriesOf(company.enterprise.id)).length;
    const wrongUse = await post(agent, '/instruments', entryForm({ serialNo: 'PG-RULE-1', compulsoryUse: 'trade' }));
    expect(wrongUse.status).to.equal(422);
    expect(wrongUse.text).to.contain('列入强检目录的用途为：安全防护');
    const noUse = await post(agent, '/instruments', entryForm({ serialNo: 'PG-RULE-2', compulsoryUse: '' }));
    expect(noUse.status).to.equal(422);
    expect(noUse.text).to.contain('强检器具请选择强检用途');
    const notListed = await post(agent, '/instruments', entryForm({ serialNo: 'PPG-RULE-3', categoryCode: 'CAL-PPG', name: '精密压力表', compulsory: 'yes', compulsoryUse: 'safety' }));
    expect(notListed.status).to.equal(422);
    expect(notListed.text).to.contain('不在强制检定目录内');
    // a 强检 gauge is verified every 6 months at most (JJG 52—2013); one not 强检 may be calibrated at the company's own interval
    const tooLong = await post(agent, '/instruments', entryForm({ serialNo: 'PG-RULE-4', periodMonths: '12' }));
    expect(tooLong.status).to.equal(422);
    expect(tooLong.text).to.contain('JJG 52-2013 规定“一般压力表(弹性元件式)”的检定周期不超过 6 个月').and.contain('value="12"');
    expect((await entriesOf(company.enterprise.id)).length).to.equal(before);
    const own = await post(agent, '/instruments', entryForm({ serialNo: 'PG-RULE-5', compulsory: 'no', compulsoryUse: '', periodMonths: '12' }));
    expect(own.status).to.equal(303);
    expect((await entriesOf(company.enterprise.id)).find((e) => e.serialNo === 'PG-RULE-5')).to.include({ compulsory: false, periodMonths: 12 });
  });

  it('refuses a last calibration date in the future and a due date not after it; today is accepted', async () => {
    const future = await post(agent, '/instruments', entryForm({ serialNo: 'PG-DATE-1', lastCalibrationDate: '2026-09-29' }));
    expect(future.status).to.equal(422);
    expect(future.text).to.contain('上次检定/校准日期不能晚于今天');
    const backwards = await post(agent, '/instruments', entryForm({ serialNo: 'PG-DATE-2', lastCalibrationDate: '2026-03-01', nextDueDate: '2026-02-01' }));
    expect(backwards.status).to.equal(422);
    expect(backwards.text).to.contain('下次检定/校准日期应晚于上次检定/校准日期');
    const bad = await post(agent, '/instruments', entryForm({ serialNo: 'PG-DATE-3', lastCalibrationDate: '2026-02-30' }));
    expect(bad.status).to.equal(422);
    expect((await entriesOf(company.enterprise.id)).filter((e) => e.serialNo.startsWith('PG-DATE'))).to.have.length(0);
    const today = await post(agent, '/instruments', entryForm({ serialNo: 'PG-DATE-4', lastCalibrationDate: '2026-09-28', nextDueDate: '2027-03-27' }));
    expect(today.status).to.equal(303);
    const [saved] = (await entriesOf(company.enterprise.id)).filter((e) => e.serialNo === 'PG-DATE-4');
    expect(saved).to.include({ nextDueDate: '2027-03-27', dueSource: 'manual' });
  });

  it('water meters under 首次强检 + 限期使用 fall due at the end of their use limit, never beyond the regulation', async () => {
    const meter = entryForm({ name: '冷水水表 DN20', categoryCode: 'CAL-WM', serialNo: 'WM-20-0001', compulsoryUse: 'trade', regime: 'limited_life', periodMonths: '72', lastCalibrationDate: '2021-05-20', certificateNo: '', conclusion: '' });
    const ok = await post(agent, '/instruments', meter);
    expect(ok.status).to.equal(303);
    const [saved] = (await entriesOf(company.enterprise.id)).filter((e) => e.serialNo === 'WM-20-0001');
    expect(saved).to.include({ regime: 'limited_life', periodMonths: 72, nextDueDate: '2027-05-19', dueSource: 'use_limit' });
    const tooLong = await post(agent, '/instruments', { ...meter, serialNo: 'WM-20-0002', periodMonths: '96' });
    expect(tooLong.status).to.equal(422);
    expect(tooLong.text).to.contain('使用期限不能超过 72 个月');
    const notAMeter = await post(agent, '/instruments', entryForm({ serialNo: 'PG-LIFE-1', regime: 'limited_life', periodMonths: '24' }));
    expect(notAMeter.status).to.equal(422);
    expect(notAMeter.text).to.contain('不实行首次强检、限期使用');
  });

  it('edits an entry with before/after in its history; another company cannot read, change or delete it (404)', async () => {
    const [entry] = (await entriesOf(company.enterprise.id)).filter((e) => e.serialNo === 'PG-2024-001' && e.categoryCode === 'CAL-PG');
    const id = entry!.id;
    const edit = await colleague.get(`/instruments/${id}/edit`);
    expect(edit.status).to.equal(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(edit.text)![1]!;
    const res = await colleague.post(`/instruments/${id}`).type('form').send({ _csrf: csrf, ...entryForm({ serialNo: 'PG-2024-001', department: '机修车间' }) });
    expect(res.status).to.equal(303);
    const [after] = await t.db.select().from(instruments).where(eq(instruments.id, id));
    expect(after!.department).to.equal('机修车间');
    const detail = await agent.get(`/instruments/${id}`);
    expect(detail.text).to.contain('使用部门：船坞车间 → 机修车间').and.to.contain('刘芳');

    const otherCsrf = await csrfOf(otherAgent, '/instruments/new');
    for (const url of [`/instruments/${id}`, `/instruments/${id}/edit`]) {
      const r = await otherAgent.get(url);
      expect(r.status, url).to.equal(404);
      expect(r.text).not.to.contain('PG-2024-001');
    }
    expect((await otherAgent.post(`/instruments/${id}`).type('form').send({ _csrf: otherCsrf, ...entryForm({ department: '越权' }) })).status).to.equal(404);
    expect((await otherAgent.post(`/instruments/${id}/delete`).type('form').send({ _csrf: otherCsrf })).status).to.equal(404);
    const [still] = await t.db.select().from(instruments).where(eq(instruments.id, id));
    expect(still!.department).to.equal('机修车间');
  });

  it('deletes an entry made by mistake; the audit log keeps it', async () => {
    const entry = await addInstrument(t, company.enterprise.id, { serialNo: 'TYPO-001' });
    const csrf = await csrfOf(agent, `/instruments/${entry.id}`);
    const res = await agent.post(`/instruments/${entry.id}/delete`).type('form').send({ _csrf: csrf });
    expect(res.status).to.equal(303);
    expect(await t.db.select().from(instruments).where(eq(instruments.id, entry.id))).to.have.length(0);
    const logged = await t.db.select().from(events).where(and(eq(events.entityType, 'instrument'), eq(events.entityId, String(entry.id)), eq(events.action, 'instrument.deleted')));
    expect(logged).to.have.length(1);
  });

  it('is for companies only: staff and administrators get 403', async () => {
    const staff = await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' });
    const staffAgent = agentFor(t.app);
    await login(staffAgent, staff.mobile, TEST_PASSWORD);
    expect((await staffAgent.get('/instruments')).status).to.equal(403);
    expect((await staffAgent.get('/instruments/template.xlsx')).status).to.equal(403);
  });

  describe('list: filters, sort, paging, export', () => {
    let lister: Agent;
    let firm: Awaited<ReturnType<typeof createCompanyUser>>;
    before(async () => {
      firm = await createCompanyUser(t.db, { name: '舟山恒泰机械制造有限公司' });
      lister = agentFor(t.app);
      await login(lister, firm.user.mobile, TEST_PASSWORD);
      const id = firm.enterprise.id;
      await addInstrument(t, id, { name: '氧气压力表', serialNo: 'OV-1', nextDueDate: '2026-09-01', compulsory: true, compulsoryUse: 'safety', department: '气站' });
      await addInstrument(t, id, { name: '乙炔压力表', serialNo: 'OV-2', nextDueDate: '2026-09-27', compulsory: true, compulsoryUse: 'safety', department: '气站' });
      await addInstrument(t, id, { name: '停用压力表', serialNo: 'OV-STOP', nextDueDate: '2026-08-01', status: 'stopped', department: '仓库' });
      await addInstrument(t, id, { name: '电子台秤', categoryCode: 'CAL-DIS', serialNo: 'SOON-1', nextDueDate: '2026-10-08', compulsory: true, compulsoryUse: 'trade', department: '食堂' });
      await addInstrument(t, id, { name: '数字多用表', categoryCode: 'CAL-DMM', serialNo: 'LATER-1', nextDueDate: '2026-12-20', department: '电工班' });
      await addInstrument(t, id, { name: '游标卡尺', categoryCode: 'CAL-CAL', serialNo: 'NODUE-1', nextDueDate: null, department: '' });
      for (let i = 0; i < 30; i++) await addInstrument(t, id, { name: `扭矩扳子 ${String(i).padStart(2, '0')}`, categoryCode: 'CAL-TW', serialNo: `TW-${i}`, nextDueDate: '2027-06-30', department: '装配车间' });
    });

    const serialsOn = (html: string) => [...html.matchAll(/<span class="font-monospace">([^<]+)<\/span>/g)].map((m) => m[1]);

    it('filters by due state (only instruments in use count as overdue or due), 强检, department and text', async () => {
      expect(serialsOn((await lister.get('/instruments?due=overdue')).text)).to.deep.equal(['OV-1', 'OV-2']);
      expect(serialsOn((await lister.get('/instruments?due=30')).text)).to.deep.equal(['SOON-1']);
      expect(serialsOn((await lister.get('/instruments?due=attention')).text)).to.deep.equal(['OV-1', 'OV-2', 'SOON-1']);
      expect(serialsOn((await lister.get('/instruments?due=none')).text)).to.deep.equal(['NODUE-1']);
      expect(serialsOn((await lister.get('/instruments?compulsory=yes')).text)).to.deep.equal(['OV-1', 'OV-2', 'SOON-1']);
      expect(serialsOn((await lister.get(`/instruments?department=${encodeURIComponent('气站')}`)).text)).to.deep.equal(['OV-1', 'OV-2']);
      expect(serialsOn((await lister.get(`/instruments?q=${encodeURIComponent('台秤')}`)).text)).to.deep.equal(['SOON-1']);
      expect(serialsOn((await lister.get('/instruments?status=stopped')).text)).to.deep.equal(['OV-STOP']);
      const page = await lister.get('/instruments');
      expect(page.text).to.match(/已超期<\/div><div class="fs-4 fw-semibold text-danger">2</);
      expect(page.text).to.contain('为全部到期器具一键预约');
    });

    it('sorts and pages (30 a page), and ignores unknown filter values', async () => {
      const first = await lister.get('/instruments?sort=name');
      const second = await lister.get('/instruments?sort=name&page=2');
      const all = [...serialsOn(first.text), ...serialsOn(second.text)];
      expect(all).to.have.length(36);
      expect(new Set(all).size).to.equal(36);
      expect(first.text).to.contain('共 36 台');
      expect((await lister.get('/instruments?due=bogus&sort=%27;drop&status=x&compulsory=maybe')).text).to.contain('共 36 台');
    });

    it('exports the filtered ledger as CSV (UTF-8 with BOM) and as Excel', async () => {
      const csv = await lister.get('/instruments/export/instruments.csv?due=overdue').buffer(true).parse(binary);
      expect(csv.status).to.equal(200);
      expect(csv.headers['content-type']).to.contain('text/csv');
      const body = (csv.body as Buffer).toString('utf8');
      expect(body.charCodeAt(0)).to.equal(0xfeff);
      const lines = body.trim().split('\r\n');
      expect(lines[0]).to.contain('器具名称').and.to.contain('下次检定/校准日期');
      expect(lines.slice(1).map((l) => l.split(',')[3])).to.deep.equal(['OV-1', 'OV-2']);
      expect(lines[1]).to.contain('安全防护').and.to.contain('已超期');
      const xlsx = await lister.get('/instruments/export/instruments.xlsx').buffer(true).parse(binary);
      expect(xlsx.headers['content-type']).to.contain('spreadsheetml');
      const ExcelJS = (await import('exceljs')).default;
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx.body as unknown as ArrayBuffer);
      expect(wb.worksheets[0]!.rowCount).to.equal(3 + 36);
      expect((await lister.get('/instruments/export/passwd')).status).to.equal(404);
    });
  });
});
