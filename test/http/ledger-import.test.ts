import { expect } from 'chai';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { and, eq, sql } from 'drizzle-orm';
import { events, instrumentImports, instruments } from '../../src/db/schema.js';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, login, type Agent, type TestApp } from '../support/app.js';
import { MONDAY_BEFORE_NATIONAL_DAY, PDF, postMultipart } from '../support/bookings.js';
import { createCompanyUser, TEST_PASSWORD } from '../support/factories.js';
import { addInstrument, binary, csrfOf } from '../support/ledger.js';

type Row = (string | number | Date | null)[];

describe('instrument ledger: XLSX template and import (preview, per-row errors, all or nothing)', function () {
  this.timeout(120_000);
  let t: TestApp;
  let company: Awaited<ReturnType<typeof createCompanyUser>>;
  let agent: Agent;
  let otherAgent: Agent;
  let template: Buffer;

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    company = await createCompanyUser(t.db, { name: '浙江鱼山石化储运有限公司' });
    const other = await createCompanyUser(t.db, { name: '乙对照海运有限公司' });
    [agent, otherAgent] = [agentFor(t.app), agentFor(t.app)];
    await login(agent, company.user.mobile, TEST_PASSWORD);
    await login(otherAgent, other.user.mobile, TEST_PASSWORD);
  });
  after(() => t?.close());

  /** The template as downloaded, with rows written into its ledger sheet (as a person fills it in). */
  async function filled(rows: Row[]): Promise<Buffer> {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(template as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('计量器具台账')!;
    rows.forEach((r, i) => r.forEach((v, j) => (sheet.getCell(i + 2, j + 1).value = v)));
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  async function upload(a: Agent, buffer: Buffer, name = '台账.xlsx') {
    const csrf = await csrfOf(a, '/instruments/import');
    return postMultipart(a, '/instruments/import', { _csrf: csrf }, [{ field: 'file_instrument_list', buffer, name }]);
  }

  const count = async () => (await t.db.select({ n: sql<number>`count(*)::int` }).from(instruments).where(eq(instruments.enterpriseId, company.enterprise.id)))[0]!.n;

  //            name       category                         model   serial        maker  range  class  dept    location  强检   用途       方式  周期  状态  上次         证书        结论   下次
  const row = (o: Partial<Record<number, Row[number]>> = {}): Row => Object.assign(['可燃气体检测报警器', '可燃气体检测报警器', 'GT-200', 'CGD-0001', '汉威', '0-100%LEL', '', '罐区', '3#罐', '是', '安全防护', '', '', '在用', '2026-03-02', 'JD-01', '合格', ''], o) as Row;

  it('offers a template: instructions, the ledger sheet with drop-downs, and the category list they draw from', async () => {
    const res = await agent.get('/instruments/template.xlsx').buffer(true).parse(binary);
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.contain('spreadsheetml');
    template = res.body as Buffer;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(template as unknown as ArrayBuffer);
    expect(wb.worksheets.map((s) => s.name)).to.deep.equal(['填写说明', '计量器具台账', '器具类别']);
    const sheet = wb.getWorksheet('计量器具台账')!;
    expect(sheet.getRow(1).values).to.include('出厂编号*').and.to.include('器具类别*').and.to.include('强检用途');
    const categories = wb.getWorksheet('器具类别')!;
    expect(categories.rowCount).to.be.greaterThan(40);
    const names = Array.from({ length: categories.rowCount - 1 }, (_, i) => String(categories.getCell(i + 2, 1).value));
    expect(names).to.include('一般压力表(弹性元件式)').and.to.include('水表(饮用冷水)');
    // the category column's drop-down lists those names
    const validations = (sheet as unknown as { dataValidations: { model: Record<string, { type: string; formulae: string[] }> } }).dataValidations.model;
    // (exceljs reads a range validation back as one entry per cell)
    for (const cell of ['B2', 'B5001']) expect(validations[cell]).to.deep.include({ type: 'list', formulae: [`'器具类别'!$A$2:$A$${names.length + 1}`] });
    expect(validations['J3']!.formulae).to.deep.equal(['"是,否"']);
    expect(String(wb.getWorksheet('填写说明')!.getCell(1, 1).value)).to.contain('填写说明');
  });

  it('previews an upload with a message per row in Chinese and flags duplicates, saving nothing yet', async () => {
    const existing = await addInstrument(t, company.enterprise.id, { categoryCode: 'CAL-CGD', name: '可燃气体检测报警器', serialNo: 'CGD-OLD-1' });
    const file = await filled([
      row(), // line 2: valid
      row({ 3: '' }), // line 3: no serial
      row({ 1: '不存在的类别', 3: 'CGD-0003' }), // line 4
      row({ 3: 'CGD-0004', 14: '2026-10-08' }), // line 5: future date
      row({ 3: 'cgd-0001' }), // line 6: same as line 2
      row({ 3: 'CGD-OLD-1' }), // line 7: already in the ledger
      row({ 3: 'CGD-0007', 14: new Date(Date.UTC(2026, 2, 2)), 17: '2027/3/1' }), // line 8: Excel date and 2027/3/1
      [], // line 9: an empty row, skipped
      row({ 3: 'CGD-0009', 10: '贸易结算' }), // line 10: a use the category is not listed for
      row({ 3: 'CGD-0010', 9: '' }), // line 11: 是否强检 empty
    ]);
    const res = await upload(agent, file);
    expect(res.status, res.text.slice(0, 500)).to.equal(303);
    expect(res.headers.location).to.match(/^\/instruments\/import\/[A-Za-z0-9_-]+$/);
    expect(await count()).to.equal(1);
    const preview = await agent.get(res.headers.location!);
    expect(preview.status).to.equal(200);
    const text = preview.text;
    expect(text).to.contain('共 9 行').and.to.contain('可导入 2 行');
    expect(text).to.contain('第 3 行：出厂编号为空');
    expect(text).to.contain('第 4 行：请选择有效的器具类别');
    expect(text).to.contain('第 5 行：上次检定/校准日期不能晚于今天');
    expect(text).to.contain('第 6 行：与第 2 行重复');
    expect(text).to.contain('第 7 行：台账中已有该器具').and.to.contain(`href="/instruments/${existing.id}"`);
    expect(text).to.contain('第 10 行：“可燃气体检测报警器”列入强检目录的用途为：安全防护');
    expect(text).to.contain('第 11 行：是否强检为空');
    expect(text).to.contain('导入 2 台有效器具');
    // another company cannot see it
    expect((await otherAgent.get(res.headers.location!)).status).to.equal(404);
  });

  it('imports every valid row in one go (with one audit entry each), once', async () => {
    const pending = (await agent.get('/instruments/import')).text;
    const token = /href="\/instruments\/import\/([A-Za-z0-9_-]+)"/.exec(pending)![1]!;
    const otherCsrf = await csrfOf(otherAgent, '/instruments/import');
    expect((await otherAgent.post(`/instruments/import/${token}`).type('form').send({ _csrf: otherCsrf })).status).to.equal(404);
    const csrf = await csrfOf(agent, `/instruments/import/${token}`);
    const res = await agent.post(`/instruments/import/${token}`).type('form').send({ _csrf: csrf });
    expect(res.status).to.equal(303);
    const saved = await t.db.select().from(instruments).where(eq(instruments.enterpriseId, company.enterprise.id));
    expect(saved.map((s) => s.serialNo).sort()).to.deep.equal(['CGD-0001', 'CGD-0007', 'CGD-OLD-1']);
    const eight = saved.find((s) => s.serialNo === 'CGD-0007')!;
    expect(eight).to.include({ lastCalibrationDate: '2026-03-02', nextDueDate: '2027-03-01', dueSource: 'manual', compulsory: true, compulsoryUse: 'safety', categoryCode: 'CAL-CGD', department: '罐区' });
    const created = await t.db.select().from(events).where(and(eq(events.entityType, 'instrument'), eq(events.action, 'instrument.created')));
    expect(created.filter((e) => String(e.note).includes('导入'))).to.have.length(2);
    const again = await agent.post(`/instruments/import/${token}`).type('form').send({ _csrf: csrf });
    expect(again.status).to.equal(409);
    expect(again.text).to.contain('没有重复导入');
    expect(await count()).to.equal(3);
  });

  it('imports nothing when the ledger changed after the preview (all or nothing)', async () => {
    const res = await upload(agent, await filled([row({ 3: 'ATOM-1' }), row({ 3: 'ATOM-2' }), row({ 3: 'ATOM-3' })]));
    const token = res.headers.location!.split('/').pop()!;
    await addInstrument(t, company.enterprise.id, { categoryCode: 'CAL-CGD', serialNo: 'ATOM-2' });
    const before = await count();
    const csrf = await csrfOf(agent, `/instruments/import/${token}`);
    const confirm = await agent.post(`/instruments/import/${token}`).type('form').send({ _csrf: csrf });
    expect(confirm.status).to.equal(409);
    expect(confirm.text).to.contain('本次没有导入任何一行');
    expect(await count()).to.equal(before);
    const [draft] = await t.db.select().from(instrumentImports).where(eq(instrumentImports.token, token));
    expect(draft!.importedAt).to.equal(null);
  });

  it('refuses a file that is not XLSX by content (whatever its name), a workbook that is not the template, and no file', async () => {
    const drafts = async () => (await t.db.select({ n: sql<number>`count(*)::int` }).from(instrumentImports))[0]!.n;
    const [before, beforeDrafts] = [await count(), await drafts()];
    const pdfNamedXlsx = await upload(agent, PDF, '台账.xlsx');
    expect(pdfNamedXlsx.status).to.equal(422);
    expect(pdfNamedXlsx.text).to.contain('扩展名与内容不符');
    const csv = await upload(agent, Buffer.from('器具名称,出厂编号\n压力表,1\n'), '台账.xlsx');
    expect(csv.status).to.equal(422);
    expect(csv.text).to.contain('不是允许的类型');
    const pdf = await upload(agent, PDF, '台账.pdf');
    expect(pdf.status).to.equal(422);
    expect(pdf.text).to.contain('不是 Excel（.xlsx）文件');
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Sheet1').addRow(['名称', '编号']);
    const foreign = await upload(agent, Buffer.from(await wb.xlsx.writeBuffer()), '别的表.xlsx');
    expect(foreign.status).to.equal(422);
    expect(foreign.text).to.contain('不是本平台的台账模板');
    const csrf = await csrfOf(agent, '/instruments/import');
    const none = await postMultipart(agent, '/instruments/import', { _csrf: csrf });
    expect(none.status).to.equal(422);
    expect(none.text).to.contain('请选择要上传的 Excel');
    expect([await count(), await drafts()]).to.deep.equal([before, beforeDrafts]);
  });

  it('refuses, before building it, a small file that reaches row 1 048 576 or unpacks to hundreds of MB (it used to stall the server); saves nothing', async () => {
    const drafts = async () => (await t.db.select({ n: sql<number>`count(*)::int` }).from(instrumentImports))[0]!.n;
    const [before, beforeDrafts] = [await count(), await drafts()];
    const zip = await JSZip.loadAsync(await filled([row()]));
    const sheets = Object.keys(zip.files).filter((n) => /^xl\/worksheets\/sheet\d+\.xml$/.test(n));
    expect(sheets.length).to.be.greaterThan(0);
    // the far corner of a sheet, in every sheet (whichever holds the ledger)
    const far = new JSZip();
    for (const [name, entry] of Object.entries(zip.files)) {
      const content = await entry.async('nodebuffer');
      far.file(name, sheets.includes(name) ? content.toString('utf8').replace('</sheetData>', '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>') : content);
    }
    const corner = await far.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    expect(corner.length).to.be.below(100_000);
    const refusedCorner = await upload(agent, corner);
    expect(refusedCorner.status).to.equal(422);
    expect(refusedCorner.text).to.contain('一次最多导入 5000 行');
    // 5 000 rows of 40 empty cells each: within the rows and columns, but ~200 000 cells for the library to build
    const wide = new JSZip();
    const blankRows = Array.from({ length: 5000 }, (_, r) => `<row r="${r + 2}">${Array.from({ length: 40 }, (_, c) => `<c r="${String.fromCharCode(65 + (c % 26))}${c >= 26 ? 'A' : ''}${r + 2}"/>`).join('')}</row>`).join('');
    for (const [name, entry] of Object.entries(zip.files)) {
      const content = await entry.async('nodebuffer');
      wide.file(name, sheets.includes(name) ? content.toString('utf8').replace('</sheetData>', `${blankRows}</sheetData>`) : content);
    }
    const refusedWide = await upload(agent, await wide.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
    expect(refusedWide.status).to.equal(422);
    expect(refusedWide.text).to.contain('单元格数量超出台账模板的范围');
    // a 13 KB file whose merged range or data validation covers a million cells (the library builds each)
    for (const edit of [(x: string) => x.replace('</sheetData>', '</sheetData><mergeCells count="1"><mergeCell ref="A2:GR5001"/></mergeCells>'), (x: string) => x.replace(/sqref="B2:B5001"/, 'sqref="A2:GR5001"')]) {
      const ranged = new JSZip();
      for (const [name, entry] of Object.entries(zip.files)) {
        const content = await entry.async('nodebuffer');
        ranged.file(name, sheets.includes(name) ? edit(content.toString('utf8')) : content);
      }
      const refusedRange = await upload(agent, await ranged.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
      expect(refusedRange.status).to.equal(422);
      expect(refusedRange.text).to.contain('合并单元格或数据有效性的范围超出台账模板');
    }
    // a bomb: 60 MB of blanks that zip to a few KB
    zip.file('xl/padding.xml', ' '.repeat(60 * 1024 * 1024));
    const bomb = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    expect(bomb.length).to.be.below(1_000_000);
    const refusedBomb = await upload(agent, bomb);
    expect(refusedBomb.status).to.equal(422);
    expect(refusedBomb.text).to.contain('解压后超过');
    expect([await count(), await drafts()]).to.deep.equal([before, beforeDrafts]);
  });

  it('imports 5 000 rows in one confirm (multi-row inserts; the time is printed, not asserted — see bench:ledger)', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => row({ 0: `压力表 ${i}`, 1: '一般压力表(弹性元件式)', 3: `BULK-${String(i).padStart(5, '0')}`, 10: '安全防护', 14: '2026-05-01', 15: `JD-B-${i}` }));
    const file = await filled(rows);
    const started = Date.now();
    const res = await upload(agent, file);
    const previewed = Date.now();
    expect(res.status).to.equal(303);
    const token = res.headers.location!.split('/').pop()!;
    const csrf = await csrfOf(agent, `/instruments/import/${token}`);
    const confirm = await agent.post(`/instruments/import/${token}`).type('form').send({ _csrf: csrf });
    const done = Date.now();
    expect(confirm.status).to.equal(303);
    const bulk = await t.db.select({ n: sql<number>`count(*)::int` }).from(instruments).where(and(eq(instruments.enterpriseId, company.enterprise.id), sql`${instruments.serialNo} LIKE 'BULK-%'`));
    expect(bulk[0]!.n).to.equal(5000);
    console.log(`      5 000 rows: upload + check ${previewed - started} ms, import ${done - previewed} ms`);
  });
});
