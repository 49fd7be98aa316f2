import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { eq } from 'drizzle-orm';
import { parse } from 'node-html-parser';
import { bookingFees, bookingItems, bookings } from '../../src/db/schema.js';
import { agentFor, createTestApp, login, type Agent, type TestApp } from '../support/app.js';
import { settableClock } from '../support/clock.js';
import { createCompanyUser, createUser, grantSignatory, nodeId, TEST_PASSWORD } from '../support/factories.js';
import { rollupDrift } from '../../src/stats/rollup.repo.js';
import { CONDITION_FIELDS, bookCalibration, bookOilTest, enterpriseAction, labAction, standardFor } from '../support/lab.js';

/**
 * Dashboard figures from a small known history: exact numbers, including turnaround in working days across the
 * National Day holiday and the satisfaction score.
 *
 * A: company X, metrology, window Tue 09-29 am, accepted Wed 09-30, reported Fri 10-09 → 2 working days, on time
 * B: company X, metrology, window Tue 09-29 pm, accepted Mon 09-28, reported Mon 10-12 → 6 working days, late
 * C: company Y, 定海站, cancelled · D: company Y, metrology, rejected · E: company X, oil lab, still submitted
 */
describe('statistics: dashboards from a known fixture', () => {
  const clock = settableClock('2026-09-28T09:00:00+08:00');
  let t: TestApp;
  let x: Awaited<ReturnType<typeof createCompanyUser>>;
  let y: Awaited<ReturnType<typeof createCompanyUser>>;
  let platform: Agent;
  let park: Agent;
  let manager: Agent;
  let approver: Agent;
  const period = 'period=custom&from=2026-09-01&to=2026-10-31';

  async function runToReport(number: string, tech: Agent, checker: Agent, acceptOn: string, reportOn: string) {
    clock.set(`${acceptOn}T10:00:00+08:00`);
    expect((await labAction(tech, number, 'accept')).status).to.equal(303);
    const items = await t.db.select().from(bookingItems).innerJoin(bookings, eq(bookings.id, bookingItems.bookingId)).where(eq(bookings.number, number));
    const labels: Record<string, string> = {};
    const results: Record<string, string> = {};
    const standard = String(await standardFor(t.db, items[0]!.bookings.nodeId));
    Object.assign(results, CONDITION_FIELDS);
    for (const it of items) {
      labels[`labels[i${it.booking_items.id}]`] = `L-${it.booking_items.id}`;
      results[`cal[i${it.booking_items.id}][standards]`] = standard;
      results[`cal[i${it.booking_items.id}][conclusion]`] = 'pass';
      results[`cal[i${it.booking_items.id}][certificateNo]`] = `C-${it.booking_items.id}`;
      results[`cal[i${it.booking_items.id}][nextDueDate]`] = '2027-03-01';
      results[`cal[i${it.booking_items.id}][mpe]`] = '±0.026';
      results[`cal[i${it.booking_items.id}][unit]`] = 'MPa';
      results[`cal[i${it.booking_items.id}][points][0][nominal]`] = '1.6';
      results[`cal[i${it.booking_items.id}][points][0][measured]`] = '1.61';
    }
    clock.set(`${reportOn}T09:00:00+08:00`);
    expect((await labAction(tech, number, 'receive', labels)).status).to.equal(303);
    expect((await labAction(tech, number, 'start')).status).to.equal(303);
    expect((await labAction(tech, number, 'submit_results', results)).status).to.equal(303);
    expect((await labAction(checker, number, 'verify')).status).to.equal(303);
    expect((await labAction(approver, number, 'issue_report')).status).to.equal(303);
  }

  before(async () => {
    t = await createTestApp({ clock });
    x = await createCompanyUser(t.db, { parkCode: 'P-DINGHAI', name: '甲船厂' });
    y = await createCompanyUser(t.db, { parkCode: 'P-PUTUO', name: '乙水产' });
    const tech = await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' });
    const mgr = await createUser(t.db, 'node_manager', { nodeCode: 'ZS-METROLOGY' });
    const signatory = await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' });
    await grantSignatory(t.db, signatory);
    const [techAgent, xAgent, yAgent] = [agentFor(t.app), agentFor(t.app), agentFor(t.app)];
    manager = agentFor(t.app);
    approver = agentFor(t.app);
    await login(approver, signatory.mobile, TEST_PASSWORD);
    await login(techAgent, tech.mobile, TEST_PASSWORD);
    await login(manager, mgr.mobile, TEST_PASSWORD);
    await login(xAgent, x.user.mobile, TEST_PASSWORD);
    await login(yAgent, y.user.mobile, TEST_PASSWORD);

    const a = await bookCalibration(t, x.user.id, { slot: '2026-09-29|am', serials: ['A-1'] });
    const b = await bookCalibration(t, x.user.id, { slot: '2026-09-29|pm', serials: ['B-1', 'B-2'] });
    const c = await bookCalibration(t, y.user.id, { nodeCode: 'ST-DINGHAI', slot: '2026-09-30|am', serials: ['C-1'] });
    const d = await bookCalibration(t, y.user.id, { slot: '2026-09-30|am', serials: ['D-1'] });
    await bookOilTest(t, x.user.id, { slot: '2026-09-30|am' });

    expect((await enterpriseAction(yAgent, c, 'cancel', { reason: '不需要了' })).status).to.equal(303);
    expect((await labAction(techAgent, d, 'reject', { reason: '超出能力范围' })).status).to.equal(303);
    await runToReport(b, techAgent, manager, '2026-09-28', '2026-10-12');
    await runToReport(a, techAgent, manager, '2026-09-30', '2026-10-09');
    clock.set('2026-10-13T10:00:00+08:00');
    for (const [number, level] of [[a, '5'], [b, '2']] as const) {
      expect((await enterpriseAction(xAgent, number, 'complete')).status).to.equal(303);
      expect((await enterpriseAction(xAgent, number, 'evaluate', { level })).status).to.equal(303);
    }
    const [ra] = await t.db.select().from(bookings).where(eq(bookings.number, a));
    const [rb] = await t.db.select().from(bookings).where(eq(bookings.number, b));
    expect(ra).to.include({ dueDate: '2026-10-10', turnaroundDays: 2, onTime: true });
    expect(rb).to.include({ dueDate: '2026-10-09', turnaroundDays: 6, onTime: false });

    platform = agentFor(t.app);
    await login(platform, (await createUser(t.db, 'platform_admin')).mobile, TEST_PASSWORD);
    park = agentFor(t.app);
    await login(park, (await createUser(t.db, 'park_admin', { parkCode: 'P-DINGHAI' })).mobile, TEST_PASSWORD);
  });
  after(() => t?.close());

  const kpi = (html: string, id: string) => new RegExp(`id="${id}">([^<]*)`).exec(html)?.[1]?.trim();

  it('the rollup the dashboards read equals the bookings after the whole history (reports, completion, evaluation)', async () => {
    expect(await rollupDrift(t.db)).to.deep.equal([]);
  });

  it('platform: exact totals, rates, turnaround (mean and p90) and satisfaction', async () => {
    const res = await platform.get(`/admin?${period}`);
    expect(res.status).to.equal(200);
    expect(kpi(res.text, 'kpi-total')).to.equal('5');
    expect(kpi(res.text, 'kpi-completion')).to.equal('66.7%'); // 2 of (5 − 1 cancelled − 1 rejected)
    expect(kpi(res.text, 'kpi-turnaround')).to.equal('4');
    expect(res.text).to.contain('90% 的预约在 5.6 个工作日内出报告（P90）'); // percentile of 2 and 6, said in words
    expect(kpi(res.text, 'kpi-ontime')).to.equal('50.0%');
    expect(kpi(res.text, 'kpi-satisfaction')).to.equal('62.5'); // (100 + 25) / 2
    expect(kpi(res.text, 'kpi-enterprises')).to.equal('2');
    expect(kpi(res.text, 'kpi-open')).to.equal('1');
  });

  it('exports each table as CSV (UTF-8 with BOM) and XLSX with exactly its rows', async () => {
    const csv = await platform.get(`/admin/export/categories.csv?${period}`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(csv.status).to.equal(200);
    expect(csv.headers['content-type']).to.contain('text/csv');
    expect(csv.headers['content-disposition']).to.match(/^attachment;/);
    const bytes = csv.body as Buffer;
    expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trim().split('\r\n');
    expect(lines).to.deep.equal(['类别,预约数,已办结', '计量,4,2', '检验检测,1,0']);

    const xlsx = await platform.get(`/admin/export/nodes.xlsx?${period}`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(xlsx.status).to.equal(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(xlsx.body as Buffer).buffer);
    const sheet = wb.worksheets[0]!;
    expect(sheet.getRow(3).values).to.include('网点').and.include('办结率');
    const metrology = sheet.getRows(4, sheet.rowCount - 3)!.find((r) => r.getCell(1).value === '舟山市计量检定测试院（计量实验室）');
    expect(metrology!.getCell(2).value).to.equal(3); // A, B, D
    expect(metrology!.getCell(3).value).to.equal(2);
    expect(metrology!.getCell(4).value).to.equal(1); // 2 of (3 − 1 rejected)
    expect(sheet.rowCount - 3).to.equal(8); // every node of the network, one row each
    expect((await platform.get(`/admin/export/nope.csv?${period}`)).status).to.equal(404);
  });

  it("park admin: only the park's companies, wherever they booked, and the park's company list", async () => {
    const res = await park.get(`/admin?${period}`);
    expect(res.status).to.equal(200);
    expect(kpi(res.text, 'kpi-total')).to.equal('3'); // A, B, E of company X
    expect(kpi(res.text, 'kpi-completion')).to.equal('66.7%');
    expect(res.text).to.contain('甲船厂').and.not.contain('乙水产');
    const csv = await park.get(`/admin/export/enterprises.csv?${period}`);
    expect(csv.text).to.contain('甲船厂').and.not.contain('乙水产');
    expect((await park.get('/admin/nodes')).status).to.equal(403);
  });

  it("node manager: the node's own figures", async () => {
    const res = await manager.get(`/admin?${period}`);
    expect(res.status).to.equal(200);
    expect(kpi(res.text, 'kpi-total')).to.equal('3'); // A, B, D at the metrology lab
    expect(kpi(res.text, 'kpi-completion')).to.equal('100.0%'); // 2 of (3 − 1 rejected)
  });

  describe('drill-down: every figure leads to the bookings behind it', () => {
    const hrefOf = (html: string, selector: string) => parse(html).querySelector(selector)!.getAttribute('href')!;
    const totalOf = (html: string) => Number(/共 (\d+) 条/.exec(html)![1]);

    it('platform: the key figures, a category bar and a node row list exactly the bookings they count', async () => {
      const page = await platform.get(`/admin?${period}`);
      const html = parse(page.text);
      const links = html.querySelectorAll('.kpi-card a').map((a) => a.getAttribute('href')!);
      const byId = (id: string) => html.querySelector(`#${id}`)!.closest('a')!.getAttribute('href')!;
      for (const [id, expected] of [['kpi-total', 5], ['kpi-completion', 2], ['kpi-turnaround', 2], ['kpi-satisfaction', 2]] as const) {
        const list = await platform.get(byId(id));
        expect(list.status, id).to.equal(200);
        expect(totalOf(list.text), id).to.equal(expected);
      }
      expect(links).to.include('/admin/bookings?status=open');
      expect(totalOf((await platform.get('/admin/bookings?status=open')).text)).to.equal(1); // E, still submitted
      const metrologyRow = html.querySelectorAll('#table-categories tbody a').find((a) => a.text === '计量')!;
      const metrology = await platform.get(metrologyRow.getAttribute('href')!);
      expect(totalOf(metrology.text)).to.equal(4);
      expect(metrology.text).to.contain('类别：计量').and.contain('提交于 2026-09-01 至 2026-10-31');
      const chart = JSON.parse(html.querySelector('[aria-labelledby="h-nodes"] [data-chart], section[aria-labelledby="h-nodes"] [data-chart]')!.getAttribute('data-chart')!) as { categories: string[]; links: string[] };
      const i = chart.categories.findIndex((c) => c.startsWith('舟山市计量检定测试院'));
      expect(totalOf((await platform.get(chart.links[i]!)).text)).to.equal(3); // A, B, D
      const month = html.querySelectorAll('#table-months tbody a').find((a) => a.text === '2026-09')!;
      expect(month.getAttribute('href')).to.equal('/admin/bookings?from=2026-09-01&to=2026-09-30');
    });

    it('park admin: the read-only list of the park’s companies only, whatever the filters say; node manager: the node’s, linked to the workbench', async () => {
      const list = await park.get('/admin/bookings?from=2026-09-01&to=2026-10-31');
      expect(list.status).to.equal(200);
      expect(totalOf(list.text)).to.equal(3);
      expect(list.text).to.contain('甲船厂').and.not.contain('乙水产');
      expect(parse(list.text).querySelectorAll('main form[method="post"]')).to.have.length(0); // read-only
      const yPark = (await t.db.select({ parkId: bookings.parkId }).from(bookings).where(eq(bookings.enterpriseId, y.enterprise.id)))[0]!.parkId;
      expect(totalOf((await park.get(`/admin/bookings?park=${yPark}`)).text)).to.equal(3); // another park's filter is no way out
      expect(totalOf((await park.get(`/admin/bookings?enterprise=${y.enterprise.id}`)).text)).to.equal(0);
      const node = await manager.get('/admin/bookings');
      expect(totalOf(node.text)).to.equal(3);
      expect(node.text).to.match(/href="\/lab\/bookings\/JL-/);
      const company = agentFor(t.app);
      await login(company, x.user.mobile, TEST_PASSWORD);
      expect((await company.get('/admin/bookings')).status).to.equal(403);
      expect(hrefOf((await park.get(`/admin?${period}`)).text, '#table-enterprises tbody a')).to.match(/^\/admin\/bookings\?enterprise=\d+$/);
    });

    it('totals the fees per node (estimate, confirmed, paid) on the page and in the export', async () => {
      const rows = await t.db.select({ nodeId: bookings.nodeId, status: bookings.status, estimate: bookingFees.estimateCents, confirmed: bookingFees.confirmedCents }).from(bookingFees).innerJoin(bookings, eq(bookings.id, bookingFees.bookingId));
      const metrologyId = await nodeId(t.db, 'ZS-METROLOGY');
      const here = rows.filter((r) => r.nodeId === metrologyId);
      const estimate = here.filter((r) => r.status !== 'rejected' && r.status !== 'cancelled').reduce((s, r) => s + (r.estimate ?? 0), 0) / 100;
      const csv = (await platform.get(`/admin/export/fees.csv?${period}`)).text;
      const lines = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
      expect(lines[0]).to.equal('网点,预约数,预估金额（元）,核定金额（元）,已缴金额（元）,核定未缴（元）');
      const line = lines.find((l) => l.startsWith('舟山市计量检定测试院'))!.split(',');
      expect(line[1]).to.equal(String(here.length));
      expect(line[2]).to.equal(estimate.toFixed(2));
      expect(lines[lines.length - 1]!.startsWith('合计,5,')).to.equal(true);
      const page = await platform.get(`/admin?${period}`);
      expect(parse(page.text).querySelector('#table-fees')!.text).to.contain(estimate.toFixed(2));
    });
  });

  it('keeps its figures for DASHBOARD_CACHE_SECONDS and says so: a minute by default, computed on every view with 0', async () => {
    // The platform's total, as the page says it, before and right after one more booking (on an app of its own).
    async function totalsAround(env: Record<string, string>) {
      const app = await createTestApp({ clock, env });
      try {
        const company = await createCompanyUser(app.db, { parkCode: 'P-DINGHAI' });
        const admin = agentFor(app.app);
        await login(admin, (await createUser(app.db, 'platform_admin')).mobile, TEST_PASSWORD);
        const first = await admin.get('/admin');
        await bookCalibration(app, company.user.id, { slot: '2026-10-14|am', serials: ['CACHE-1'] });
        return { says: /数据[^，]*(?:更新|计算)/.exec(first.text)?.[0], before: Number(kpi(first.text, 'kpi-total')), after: Number(kpi((await admin.get('/admin')).text, 'kpi-total')) };
      } finally {
        app.close();
      }
    }
    const cached = await totalsAround({});
    expect(cached.says).to.equal('数据每分钟更新');
    // The figures' HTML is reused with the figures (src/admin/figures.ts): per scope and per query, never across them.
    const exportLink = (html: string) => parse(html).querySelector('a[href^="/admin/export/months.csv"]')!.getAttribute('href');
    for (const q of [period, 'period=year', `${period}&x=1`, period]) {
      expect(exportLink((await platform.get(`/admin?${q}`)).text), q).to.equal(`/admin/export/months.csv?${new URLSearchParams(Object.fromEntries([...new URLSearchParams(q)].filter(([k]) => k !== 'x'))).toString()}`);
    }
    expect(kpi((await manager.get(`/admin?${period}`)).text, 'kpi-total')).to.equal('3');
    expect(kpi((await platform.get(`/admin?${period}`)).text, 'kpi-total')).to.not.equal('3');
    expect(cached.after).to.equal(cached.before); // within the minute
    const live = await totalsAround({ DASHBOARD_CACHE_SECONDS: '0' });
    expect(live.says).to.equal('数据实时计算');
    expect(live.after).to.equal(live.before + 1);
  });

  it('refuses other roles and an invalid custom period', async () => {
    const company = agentFor(t.app);
    await login(company, x.user.mobile, TEST_PASSWORD);
    expect((await company.get('/admin')).status).to.equal(403);
    const bad = await platform.get('/admin?period=custom&from=2026-10-31&to=2026-09-01');
    expect(bad.status).to.equal(422);
    expect(bad.text).to.contain('结束日期不能早于开始日期');
    // the message at the field, the dates as entered, 自定义 still chosen; the figures shown (this year's) export as shown
    const page = parse(bad.text);
    expect(page.querySelector('#p-to-error')!.text).to.equal('结束日期不能早于开始日期');
    expect(page.querySelector('#p-to')!.getAttribute('aria-describedby')).to.equal('p-to-error');
    expect(page.querySelector('#p-from')!.getAttribute('value')).to.equal('2026-10-31');
    expect(page.querySelector('#period-custom')!.hasAttribute('checked')).to.equal(true);
    expect(page.querySelector('a[href^="/admin/export/months.csv"]')!.getAttribute('href')).to.equal('/admin/export/months.csv');
    // a preset shows its own dates in the fields, not dates sent beside it (which it ignores)
    const quarter = parse((await platform.get('/admin?period=quarter&from=2026-03-01&to=2026-05-31')).text);
    expect(quarter.querySelector('#p-from')!.getAttribute('value')).to.equal('2026-10-01');
    expect(quarter.querySelector('#period-quarter')!.hasAttribute('checked')).to.equal(true);
  });
});
