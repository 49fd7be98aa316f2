import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { and, eq, sql } from 'drizzle-orm';
import supertest from 'supertest';
import { events, instrumentImports, instruments } from '../../src/db/schema.js';
import type { Principal } from '../../src/auth/access.js';
import { fixedClock } from '../../src/shared/time.js';
import { settableClock } from '../support/clock.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { apiKeyFor, contractValidator } from '../support/api.js';
import { EXE, MONDAY_BEFORE_NATIONAL_DAY, PDF } from '../support/bookings.js';
import { createCompanyUser, createUser } from '../support/factories.js';
import { addInstrument } from '../support/ledger.js';
import { stateDigest } from '../security/fixture.js';

type Row = (string | number | Date | null)[];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The ledger import through the open API: the web import's template, rules, preview and all-or-nothing confirm, with bearer keys. */
describe('open API: instrument import (XLSX or JSON rows → preview → confirm)', function () {
  this.timeout(120_000);
  let t: TestApp;
  let check: ReturnType<typeof contractValidator>;
  let company: Awaited<ReturnType<typeof createCompanyUser>>;
  let keyA: string;
  let readOnlyA: string;
  let keyB: string;
  let nodeKey: string;
  let template: Buffer;

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    company = await createCompanyUser(t.db, { name: '浙江鱼山石化储运有限公司' });
    const other = await createCompanyUser(t.db, { name: '乙对照海运有限公司' });
    keyA = (await apiKeyFor(t, company.user.id, ['read', 'book'])).secret;
    readOnlyA = (await apiKeyFor(t, company.user.id, ['read'])).secret;
    keyB = (await apiKeyFor(t, other.user.id, ['read', 'book'])).secret;
    const manager = await createUser(t.db, 'node_manager', { nodeCode: 'ZS-METROLOGY' });
    nodeKey = (await apiKeyFor(t, manager.id, ['read', 'lab'])).secret;
    check = contractValidator((await supertest(t.app).get('/api/v1/openapi.json')).body as Record<string, unknown>);
    template = await t.services.ledger.template((await t.services.auth.loadPrincipal(company.user.id)) as Principal);
    // every key used once, so its last-used time does not change the state digests below
    for (const key of [keyA, readOnlyA, keyB, nodeKey]) await supertest(t.app).get('/api/v1/services').set('Authorization', `Bearer ${key}`);
  });
  after(() => t?.close());

  async function filled(rows: Row[]): Promise<Buffer> {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(template as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('计量器具台账')!;
    rows.forEach((r, i) => r.forEach((v, j) => (sheet.getCell(i + 2, j + 1).value = v)));
    return Buffer.from(await wb.xlsx.writeBuffer());
  }
  //            name       category                         model   serial        maker  range  class  dept    location  强检   用途       方式  周期  状态  上次         证书        结论   下次
  const row = (o: Partial<Record<number, Row[number]>> = {}): Row => Object.assign(['可燃气体检测报警器', '可燃气体检测报警器', 'GT-200', 'CGD-0001', '汉威', '0-100%LEL', '', '罐区', '3#罐', '是', '安全防护', '', '', '在用', '2026-03-02', 'JD-01', '合格', ''], o) as Row;

  const upload = async (key: string, buffer: Buffer, name = '台账.xlsx', type = XLSX) => {
    const res = await supertest(t.app).post('/api/v1/instruments/imports').set('Authorization', `Bearer ${key}`).attach('file', buffer, { filename: name, contentType: type });
    check('/instruments/imports', 'post', res);
    return res;
  };
  const sendRows = async (key: string, body: unknown) => {
    const res = await supertest(t.app).post('/api/v1/instruments/imports').set('Authorization', `Bearer ${key}`).send(body as object);
    check('/instruments/imports', 'post', res);
    return res;
  };
  const confirm = async (key: string, token: string) => {
    const res = await supertest(t.app).post(`/api/v1/instruments/imports/${token}/confirm`).set('Authorization', `Bearer ${key}`).send({});
    check('/instruments/imports/{token}/confirm', 'post', res);
    return res;
  };
  const preview = async (key: string, token: string) => {
    const res = await supertest(t.app).get(`/api/v1/instruments/imports/${token}`).set('Authorization', `Bearer ${key}`);
    check('/instruments/imports/{token}', 'get', res);
    return res;
  };
  const serials = async () => (await t.db.select({ s: instruments.serialNo }).from(instruments).where(eq(instruments.enterpriseId, company.enterprise.id))).map((r) => r.s).sort();

  it('previews the web template’s XLSX: every row checked by the ledger rules, field errors in Chinese, duplicates, a token and its expiry — nothing imported yet', async () => {
    const existing = await addInstrument(t, company.enterprise.id, { categoryCode: 'CAL-CGD', name: '可燃气体检测报警器', serialNo: 'CGD-OLD-1' });
    const file = await filled([
      row(), // line 2: valid
      row({ 3: '' }), // line 3: no serial
      row({ 1: '不存在的类别', 3: 'CGD-0003' }), // line 4
      row({ 3: 'cgd-0001' }), // line 5: same as line 2
      row({ 3: 'CGD-OLD-1' }), // line 6: already in the ledger
      row({ 3: 'CGD-0006', 14: new Date(Date.UTC(2026, 2, 2)), 17: '2027/3/1' }), // line 7: valid
    ]);
    const before = await serials();
    const res = await upload(keyA, file);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const p = res.body;
    expect(res.headers.location).to.equal(`/api/v1/instruments/imports/${p.token}`);
    expect(p).to.include({ status: 'preview', fileName: '台账.xlsx', total: 6, valid: 2, invalid: 4, duplicates: 2, importedAt: null });
    expect(new Date(p.expiresAt).getTime() - new Date(p.createdAt).getTime()).to.equal(7 * 86_400_000);
    const byLine = Object.fromEntries(p.rows.map((r: { line: number }) => [r.line, r]));
    expect(byLine[2]).to.include({ importable: true, serialNo: 'CGD-0001', category: 'CAL-CGD' });
    expect(byLine[2].errors).to.deep.equal([]);
    expect(byLine[3].errors).to.deep.equal([{ field: 'serialNo', message: '出厂编号为空' }]);
    expect(byLine[4].errors).to.deep.include({ field: 'categoryCode', message: '请选择有效的器具类别' });
    expect(byLine[5]).to.include({ importable: false, duplicateLine: 2 });
    expect(byLine[5].errors[0].message).to.contain('与第 2 行重复');
    expect(byLine[6].duplicateOf).to.deep.equal({ id: existing.id, name: '可燃气体检测报警器', serialNo: 'CGD-OLD-1' });
    expect(byLine[6].errors[0]).to.deep.equal({ field: 'serialNo', message: '台账中已有该器具：可燃气体检测报警器（CGD-OLD-1）' });
    for (const r of p.rows) for (const e of r.errors) expect(e.message).to.match(/[\u4e00-\u9fa5]/);
    expect(await serials()).to.deep.equal(before);
    // the same preview again by its token
    const again = await preview(keyA, p.token);
    expect(again.status).to.equal(200);
    expect(again.body).to.deep.equal(p);
  });

  it('imports exactly the previewed valid rows in one go, once; another company’s key gets 404 for the token and changes nothing', async () => {
    const res = await upload(keyA, await filled([row({ 3: 'EXACT-1' }), row({ 3: '' }), row({ 3: 'EXACT-3', 0: '气体报警器 3#' })]));
    const token = res.body.token as string;
    const previewed = res.body.rows.filter((r: { importable: boolean }) => r.importable).map((r: { serialNo: string }) => r.serialNo).sort();
    expect(previewed).to.deep.equal(['EXACT-1', 'EXACT-3']);

    const state = await stateDigest(t);
    expect((await preview(keyB, token)).status).to.equal(404);
    const foreign = await confirm(keyB, token);
    expect(foreign.status).to.equal(404);
    expect(foreign.headers['content-type']).to.match(/^application\/problem\+json/);
    expect((await confirm(readOnlyA, token)).status).to.equal(403);
    expect((await confirm(nodeKey, token)).status).to.equal(403);
    expect(await stateDigest(t)).to.deep.equal(state);

    const before = await serials();
    const done = await confirm(keyA, token);
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    expect(done.body).to.deep.equal({ token, imported: 2 });
    expect(await serials()).to.deep.equal([...before, ...previewed].sort());
    const audited = await t.db.select().from(events).where(and(eq(events.action, 'instrument.created'), sql`${events.note} LIKE '%从“台账.xlsx”第%'`));
    expect(audited.map((e) => e.note).filter((n) => String(n).includes('EXACT'))).to.have.length(2);
    const after = await preview(keyA, token);
    expect(after.body).to.include({ status: 'imported', importedCount: 2 });
    const twice = await confirm(keyA, token);
    expect(twice.status).to.equal(409);
    expect(twice.body.detail).to.contain('没有重复导入');
    expect(await serials()).to.deep.equal([...before, ...previewed].sort());
  });

  it('takes the rows as JSON too (template fields, codes or the Chinese choices), with the same rules', async () => {
    const rows = [
      { name: '一般压力表', categoryCode: 'CAL-PG', serialNo: 'JSON-1', compulsory: true, compulsoryUse: 'safety', periodMonths: 6, lastCalibrationDate: '2026-05-01' },
      { name: '可燃气体检测报警器', categoryCode: '可燃气体检测报警器', serialNo: 'JSON-2', compulsory: '是', compulsoryUse: '安全防护', status: '在用', lastCalibrationDate: '2026/3/2' },
      { name: '一般压力表', categoryCode: 'CAL-PG', serialNo: 'JSON-3', compulsory: true, lastCalibrationDate: '2026-13-45' },
    ];
    const res = await sendRows(keyA, { fileName: 'ERP 台账同步', rows });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ fileName: 'ERP 台账同步', total: 3, valid: 2 });
    expect(res.body.rows.map((r: { line: number; importable: boolean }) => [r.line, r.importable])).to.deep.equal([[1, true], [2, true], [3, false]]);
    const fields = res.body.rows[2].errors.map((e: { field: string }) => e.field);
    expect(fields).to.include('lastCalibrationDate').and.to.include('compulsoryUse');
    const done = await confirm(keyA, res.body.token);
    expect(done.body.imported).to.equal(2);
    const [two] = await t.db.select().from(instruments).where(and(eq(instruments.enterpriseId, company.enterprise.id), eq(instruments.serialNo, 'JSON-2')));
    expect(two).to.include({ categoryCode: 'CAL-CGD', compulsory: true, compulsoryUse: 'safety', lastCalibrationDate: '2026-03-02' });
  });

  it('refuses disguised, oversized, foreign and malformed uploads with a problem — and saves nothing', async () => {
    const state = await stateDigest(t);
    const pdfNamedXlsx = await upload(keyA, PDF, '台账.xlsx');
    expect(pdfNamedXlsx.status).to.equal(422);
    expect(pdfNamedXlsx.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(pdfNamedXlsx.body.errors[0]).to.include({ field: 'file' });
    expect(pdfNamedXlsx.body.errors[0].message).to.contain('扩展名与内容不符');
    expect((await upload(keyA, EXE, '台账.xlsx')).status).to.equal(422);
    const pdf = await upload(keyA, PDF, '台账.pdf', 'application/pdf');
    expect(pdf.body.errors[0].message).to.contain('不是 Excel（.xlsx）文件');
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Sheet1').addRow(['名称', '编号']);
    const foreign = await upload(keyA, Buffer.from(await wb.xlsx.writeBuffer()), '别的表.xlsx');
    expect(foreign.status).to.equal(422);
    expect(foreign.body.errors[0].message).to.contain('不是本平台的台账模板');
    const big = await upload(keyA, Buffer.concat([template, Buffer.alloc(10 * 1024 * 1024)]), '大文件.xlsx');
    expect(big.status).to.equal(413);
    expect(big.body.detail).to.contain('10 MB');
    const noFile = await supertest(t.app).post('/api/v1/instruments/imports').set('Authorization', `Bearer ${keyA}`).field('note', 'x');
    check('/instruments/imports', 'post', noFile);
    expect(noFile.status).to.equal(422);
    expect(noFile.body.errors[0].message).to.contain('请选择要上传的 Excel');
    const text = await supertest(t.app).post('/api/v1/instruments/imports').set('Authorization', `Bearer ${keyA}`).set('Content-Type', 'text/plain').send('名称,编号');
    check('/instruments/imports', 'post', text);
    expect(text.status).to.equal(415);
    const badJson = await sendRows(keyA, { rows: [{ name: '压力表', colour: '红' }] });
    expect(badJson.status).to.equal(422);
    expect(badJson.body.errors[0].field).to.equal('rows.0');
    expect(badJson.body.errors[0].message).to.contain('colour');
    expect((await sendRows(keyA, { rows: [] })).status).to.equal(422);
    expect((await sendRows(keyA, { rows: Array.from({ length: 5001 }, (_, i) => ({ name: '压力表', serialNo: `X-${i}` })) })).body.errors[0].message).to.contain('5000');
    // keys without the book scope never reach the upload
    expect((await upload(readOnlyA, await filled([row({ 3: 'RO-1' })]))).status).to.equal(403);
    expect((await upload(nodeKey, await filled([row({ 3: 'NODE-1' })]))).status).to.equal(403);
    expect(await stateDigest(t)).to.deep.equal(state);
  });

  it('imports nothing when the ledger changed after the preview (409, all or nothing)', async () => {
    const res = await upload(keyA, await filled([row({ 3: 'ATOM-1' }), row({ 3: 'ATOM-2' }), row({ 3: 'ATOM-3' })]));
    await addInstrument(t, company.enterprise.id, { categoryCode: 'CAL-CGD', serialNo: 'ATOM-2' });
    const before = await serials();
    const refused = await confirm(keyA, res.body.token);
    expect(refused.status).to.equal(409);
    expect(refused.body.detail).to.contain('本次没有导入任何一行');
    expect(await serials()).to.deep.equal(before);
    const [draft] = await t.db.select().from(instrumentImports).where(eq(instrumentImports.token, res.body.token));
    expect(draft!.importedAt).to.equal(null);
  });
});

describe('open API: an import preview expires after 7 days', function () {
  this.timeout(60_000);
  it('answers 404 for a preview past its expiry, and imports nothing', async () => {
    const clock = settableClock(new Date().toISOString());
    const t = await createTestApp({ clock });
    try {
      const company = await createCompanyUser(t.db);
      const key = (await apiKeyFor(t, company.user.id, ['read', 'book'])).secret;
      const rows = [{ name: '一般压力表', categoryCode: 'CAL-PG', serialNo: 'OLD-1', compulsory: false }];
      const res = await supertest(t.app).post('/api/v1/instruments/imports').set('Authorization', `Bearer ${key}`).send({ rows });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      clock.set(new Date(new Date(res.body.expiresAt).getTime() + 1000).toISOString());
      const late = await supertest(t.app).post(`/api/v1/instruments/imports/${res.body.token}/confirm`).set('Authorization', `Bearer ${key}`);
      expect(late.status).to.equal(404);
      expect(late.body.detail).to.contain('已过期');
      expect(await t.db.$count(instruments, eq(instruments.enterpriseId, company.enterprise.id))).to.equal(0);
    } finally {
      await t.close();
    }
  });
});
