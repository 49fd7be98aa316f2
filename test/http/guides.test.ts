import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { parse } from 'node-html-parser';
import { services } from '../../src/db/schema.js';
import { seedReference } from '../../src/seed/reference.js';
import { findLatinProse } from '../../e2e/support/latin-prose.js';
import { agentFor, createTestApp, login, type TestApp } from '../support/app.js';
import { createUser } from '../support/factories.js';

/** What a page shows in its main part, as text, code elements left out. */
function mainText(html: string): string {
  const main = parse(html).querySelector('main')!;
  main.querySelectorAll('code, script, svg').forEach((el) => el.remove());
  return main.structuredText;
}

async function binary(t: TestApp, url: string) {
  return agentFor(t.app)
    .get(url)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
}

describe('service guides (办事指南)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t?.close());

  it('every service page is a guide in Chinese: no research note, no English prose', async () => {
    const all = await t.db.select({ code: services.code }).from(services);
    expect(all).to.have.length(62);
    for (const { code } of all) {
      const res = await agentFor(t.app).get(`/services/${code}`);
      expect(res.status, code).to.equal(200);
      const text = mainText(res.text);
      for (const section of ['用途与范围', '办理流程', '需准备的材料', '收费标准', '办结时限', '咨询电话']) expect(text, `${code} ${section}`).to.contain(section);
      expect(findLatinProse(text).map((f) => f.context), code).to.deep.equal([]);
    }
  });

  it('a compulsory-verification instrument shows the regulation wording, its period, the steps and the offering nodes’ phones', async () => {
    const text = mainText((await agentFor(t.app).get('/services/CAL-PG')).text);
    expect(text).to.contain('强检范围').and.contain('用于安全防护的压力表，按《实施强制管理的计量器具目录》实行强制检定');
    expect(text).to.contain('检定周期一般不超过 6 个月（JJG 52—2013）');
    expect(text).to.contain('网上预约').and.contain('审核签发').and.contain('领取报告');
    expect(text).to.contain('舟山市计量检定测试院（计量实验室）：').and.contain('0580-2281108');
    expect(text).to.contain('《中华人民共和国计量法》').and.contain('财税〔2017〕20号');
    expect(text).to.contain('氧气压力表请在预约时注明');
    // the category's unverified period and research note are not there
    const tape = mainText((await agentFor(t.app).get('/services/CAL-TAPE')).text);
    expect(tape).not.to.contain('12 个月').and.not.to.contain('believed');
    expect(tape).not.to.contain('强检范围'); // not on the catalogue: no such section
  });

  it('an oil service names its packages and prices, never their codes', async () => {
    const text = mainText((await agentFor(t.app).get('/services/YP-ISO8217')).text);
    expect(text).to.contain('检测套餐');
    expect(text).not.to.match(/PKG-/);
  });

  it('offers the 委托单 as DOCX for every kind and the 器具清单 as XLSX with the booking form’s columns', async () => {
    const docx = await binary(t, '/services/CAL-PG/templates/application-form.docx');
    expect(docx.status).to.equal(200);
    expect(docx.headers['content-type']).to.contain('wordprocessingml');
    expect(decodeURIComponent(docx.headers['content-disposition'] as string)).to.contain('委托单-一般压力表(弹性元件式)检定校准.docx');
    const xml = await (await JSZip.loadAsync(docx.body as Buffer)).file('word/document.xml')!.async('string');
    for (const words of ['计量器具检定 / 校准委托单', '一般压力表(弹性元件式) 检定/校准', '统一社会信用代码', '出厂编号', '强检（是/否）', '委托方声明']) expect(xml).to.contain(words);

    const oil = await binary(t, '/services/YP-ISO8217/templates/application-form.docx');
    const oilXml = await (await JSZip.loadAsync(oil.body as Buffer)).file('word/document.xml')!.async('string');
    expect(oilXml).to.contain('油品检测委托单').and.contain('铅封号').and.contain('中英文');

    const xlsx = await binary(t, '/services/CAL-PG/templates/instrument-list.xlsx');
    expect(xlsx.status).to.equal(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body as never);
    const sheet = book.getWorksheet('器具清单')!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).to.deep.equal(['器具名称（必填）', '型号规格', '出厂编号（必填）', '测量范围', '准确度等级', '数量（必填）', '强检（是/否）', '用途']);
    expect(sheet.getCell('A2').value).to.equal('一般压力表(弹性元件式)');
    // the booking form's instrument columns, as labelled there
    const form = (await agentFor(t.app).get('/services/CAL-PG')).text;
    expect(form).to.contain('href="/services/CAL-PG/templates/instrument-list.xlsx"');

    expect((await agentFor(t.app).get('/services/YP-ISO8217/templates/instrument-list.xlsx')).status).to.equal(404);
    expect((await agentFor(t.app).get('/services/CAL-PG/templates/other.exe')).status).to.equal(404);
    expect((await agentFor(t.app).get('/services/NOPE/templates/application-form.docx')).status).to.equal(404);
  });

  it('the seed replaces the research notes of a service no administrator edited and keeps an edited one', async () => {
    await t.db.update(services).set({ description: 'believed listed as 压力仪表', summary: 'old' }).where(eq(services.code, 'CAL-PPG'));
    await t.db.update(services).set({ description: '管理员写的说明', summary: '管理员写的简介', updatedAt: new Date(Date.now() + 1000) }).where(eq(services.code, 'CAL-DPG'));
    await seedReference(t.db);
    const [ppg] = await t.db.select().from(services).where(eq(services.code, 'CAL-PPG'));
    const [dpg] = await t.db.select().from(services).where(eq(services.code, 'CAL-DPG'));
    expect(ppg!.description).to.equal('');
    expect(ppg!.summary).to.match(/计量器具的检定或校准，依据 /);
    expect(ppg!.guide?.scope).to.be.a('string').and.match(/[\u4e00-\u9fff]/);
    expect(dpg!.description).to.equal('管理员写的说明');
    expect(dpg!.summary).to.equal('管理员写的简介');
  });

  it('offers the booking form only to those who may book: an administrator or lab staff sees the next free windows as text, not as links to a page refused to them', async () => {
    for (const [role, scope] of [['platform_admin', {}], ['lab_staff', { nodeCode: 'ZS-METROLOGY' }]] as const) {
      const user = await createUser(t.db, role, scope);
      const agent = agentFor(t.app);
      await login(agent, user.mobile, user.password);
      const page = await agent.get('/services/CAL-PG');
      expect(page.status).to.equal(200);
      expect(page.text, role).to.contain('最近可约').and.not.contain('href="/bookings/new');
    }
    const anonymous = await agentFor(t.app).get('/services/CAL-PG');
    expect(anonymous.text, 'a visitor may follow a window to the form (signing in first)').to.contain('href="/bookings/new?service=CAL-PG');
  });
});
