import { expect } from 'chai';
import { and, eq, isNull } from 'drizzle-orm';
import { existsSync } from 'node:fs';
import { parse } from 'node-html-parser';
import { attachments, bookings, enterprises, oilLimits } from '../../src/db/schema.js';
import { fixedClock } from '../../src/shared/time.js';
import { FileStorage } from '../../src/uploads/storage.js';
import { agentFor, createTestApp, csrfFrom, login, type Agent, type TestApp } from '../support/app.js';
import { calibrationFields, EXE, MONDAY_BEFORE_NATIONAL_DAY, nodeServiceOf, openBookingForm, PDF, PNG, postMultipart, setCapacity } from '../support/bookings.js';
import { createCompanyUser, createUser, TEST_PASSWORD, validCreditCode } from '../support/factories.js';
import { bookOilTest, labAction } from '../support/lab.js';

/** Forms that never lose input: files of a refused submit, every sign-up error at once, results judged as typed. */
describe('forms that never lose input', () => {
  let t: TestApp;
  let company: Agent;
  let owner: Awaited<ReturnType<typeof createCompanyUser>>;
  let metrology: Awaited<ReturnType<typeof nodeServiceOf>>;

  const storagePath = (storedName: string) => new FileStorage(t.uploadDir).pathOf(storedName);
  const draftsOf = (key: string) => t.db.select().from(attachments).where(and(eq(attachments.draftToken, key), isNull(attachments.bookingId)));

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    owner = await createCompanyUser(t.db);
    company = agentFor(t.app);
    await login(company, owner.user.mobile, TEST_PASSWORD);
    metrology = await nodeServiceOf(t.db, 'ZS-METROLOGY', 'CAL-PG');
  });
  after(() => t?.close());

  describe('attachments survive a refused direct submit', () => {
    it('keeps the files of a submit refused for a missing field as drafts, shows them, and submits them with the corrected form', async () => {
      const page = await openBookingForm(company, 'CAL-PG', metrology.nodeId);
      const refused = await postMultipart(company, '/bookings', calibrationFields(page, metrology.nodeId, { 'items[0][serialNo]': '' }), [
        { field: 'file_instrument_list', buffer: PDF, name: '器具清单.pdf' },
        { field: 'file_other', buffer: PNG, name: '铭牌.png' },
      ]);
      expect(refused.status).to.equal(422);
      const kept = await draftsOf(page.key);
      expect(kept.map((d) => d.originalName).sort()).to.deep.equal(['器具清单.pdf', '铭牌.png']);
      for (const d of kept) expect(existsSync(storagePath(d.storedName))).to.equal(true);
      const list = parse(refused.text).querySelector('#kept-drafts')!.text;
      expect(list).to.contain('器具清单.pdf').and.contain('铭牌.png');
      // the corrected form, sent without choosing the files again, carries them; 铭牌.png is ticked for removal
      const png = kept.find((d) => d.originalName === '铭牌.png')!;
      const ok = await postMultipart(company, '/bookings', { ...calibrationFields(page, metrology.nodeId), 'removeDraft[]': String(png.id) });
      expect(ok.status).to.equal(303);
      const number = ok.headers.location!.split('/').pop()!;
      const [booking] = await t.db.select().from(bookings).where(eq(bookings.number, number));
      const files = await t.db.select().from(attachments).where(eq(attachments.bookingId, booking!.id));
      expect(files.map((f) => f.originalName)).to.deep.equal(['器具清单.pdf']);
      expect(existsSync(storagePath(png.storedName))).to.equal(false);
      expect(await draftsOf(page.key)).to.deep.equal([]);
    });

    it('keeps the good file when another one is refused by its content, and says which', async () => {
      const page = await openBookingForm(company, 'CAL-PG', metrology.nodeId);
      const refused = await postMultipart(company, '/bookings', calibrationFields(page, metrology.nodeId), [
        { field: 'file_instrument_list', buffer: PDF, name: '清单.pdf' },
        { field: 'file_other', buffer: EXE, name: '扫描件.pdf' },
      ]);
      expect(refused.status).to.equal(422);
      expect(parse(refused.text).querySelector('#attachments-error')!.text).to.contain('扫描件.pdf');
      expect((await draftsOf(page.key)).map((d) => d.originalName)).to.deep.equal(['清单.pdf']);
    });

    it('keeps them when the window filled up meanwhile (409), and on the way back from review', async () => {
      const station = await nodeServiceOf(t.db, 'ST-SHENGSI', 'CAL-PG');
      await setCapacity(t.db, station.ns.id, 1);
      const page = await openBookingForm(company, 'CAL-PG', station.nodeId);
      const full = await postMultipart(company, '/bookings', calibrationFields(page, station.nodeId, { slot: page.slots[0] }), [{ field: 'file_other', buffer: PDF, name: '委托书.pdf' }]);
      expect(full.status).to.equal(409);
      expect((await draftsOf(page.key)).map((d) => d.originalName)).to.deep.equal(['委托书.pdf']);
      const back = await postMultipart(company, '/bookings', calibrationFields(page, station.nodeId, { intent: 'edit' }), [{ field: 'file_other', buffer: PNG, name: '补充.png' }]);
      expect(back.status).to.equal(200);
      expect((await draftsOf(page.key)).map((d) => d.originalName).sort()).to.deep.equal(['委托书.pdf', '补充.png']);
    });
  });

  it('refuses 强检 on an instrument a service only calibrates (its basis is a JJF), at that row, nothing booked', async () => {
    const xincheng = await nodeServiceOf(t.db, 'ST-XINCHENG', 'CAL-DMM');
    const page = await openBookingForm(company, 'CAL-DMM', xincheng.nodeId);
    const fields = { ...calibrationFields(page, xincheng.nodeId), service: 'CAL-DMM', 'items[0][name]': '数字多用表', 'items[1][compulsory]': '' };
    const before = await t.db.$count(bookings);
    const refused = await postMultipart(company, '/bookings', fields, []);
    expect(refused.status).to.equal(422);
    expect(refused.text).to.contain('本服务依据校准规范 JJF 1587-2016 只作校准，不属强制检定').and.contain('id="item-0-compulsory" data-field="compulsory" name="items[0][compulsory]" checked aria-invalid="true"');
    expect(await t.db.$count(bookings)).to.equal(before);
    // without the tick the same form books
    expect((await postMultipart(company, '/bookings', { ...fields, 'items[0][compulsory]': '' }, [])).status).to.equal(303);
  });

  it('refuses 强检 on an instrument the 2020 catalogue does not list (working weights), at that row, nothing booked', async () => {
    const metrology = await nodeServiceOf(t.db, 'ZS-METROLOGY', 'CAL-WT');
    const page = await openBookingForm(company, 'CAL-WT', metrology.nodeId);
    expect(page.text, 'the form says so before').to.contain('本类器具作为工作计量器具不在强制检定目录内');
    const fields = { ...calibrationFields(page, metrology.nodeId), service: 'CAL-WT', 'items[0][name]': '砝码', 'items[0][intendedUse]': '贸易结算', 'items[1][compulsory]': '' };
    const before = await t.db.$count(bookings);
    const refused = await postMultipart(company, '/bookings', fields, []);
    expect(refused.status).to.equal(422);
    expect(refused.text).to.contain('“砝码”作为工作计量器具不在强制检定目录内');
    expect(await t.db.$count(bookings)).to.equal(before);
  });

  it('registration names every problem at once: fields, the two passwords, the agreement and a mobile already taken', async () => {
    const visitor = agentFor(t.app);
    const csrf = await csrfFrom(visitor, '/register');
    const res = await visitor.post('/register').type('form').send({ _csrf: csrf, companyName: '', creditCode: validCreditCode(), address: '短', contactName: '王', mobile: owner.user.mobile, password: 'Harbour-2026', passwordConfirm: 'Harbour-2025' });
    expect(res.status).to.equal(422);
    const html = parse(res.text);
    const message = (field: string) => html.querySelector(`#f-${field}-error`)?.text.trim();
    expect(message('companyName')).to.equal('请填写企业名称');
    expect(message('address')).to.equal('企业地址至少 5 个字');
    expect(message('contactName')).to.equal('联系人姓名至少 2 个字');
    expect(message('mobile')).to.contain('该手机号已注册');
    expect(message('passwordConfirm')).to.equal('两次输入的密码不一致');
    expect(res.text).to.contain('请阅读并同意平台服务协议与隐私政策');
    expect(await t.db.$count(enterprises)).to.equal(1); // only the test company
  });

  it('carries the verified numeric limits on the results form for live judgement — and only those', async () => {
    const tech = await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-OILLAB' });
    const staff = agentFor(t.app);
    await login(staff, tech.mobile, TEST_PASSWORD);
    const oilCompany = await createCompanyUser(t.db, { parkCode: 'P-FTZ' });
    const number = await bookOilTest(t, oilCompany.user.id, { items: ['OIL-DEN15', 'OIL-ULO'] });
    await labAction(staff, number, 'accept');
    const inputs = parse((await staff.get(`/lab/bookings/${number}`)).text).querySelectorAll('input[name^="labels["]');
    await labAction(staff, number, 'receive', Object.fromEntries(inputs.map((i) => [i.getAttribute('name')!, i.getAttribute('value')!])));
    await labAction(staff, number, 'start');
    const html = parse((await staff.get(`/lab/bookings/${number}`)).text);
    const density = html.querySelector('input[name$="[OIL-DEN15]"]')!;
    const [limit] = await t.db.select().from(oilLimits).where(and(eq(oilLimits.itemCode, 'OIL-DEN15'), eq(oilLimits.gradeCode, 'ISO8217-RMG380'), eq(oilLimits.edition, 'ISO 8217:2017')));
    expect(limit).to.include({ kind: 'max', verified: true });
    expect(density.getAttribute('data-limit-kind')).to.equal('max');
    expect(Number(density.getAttribute('data-limit-max'))).to.equal(limit!.maxValue);
    expect(html.querySelector(`#${density.getAttribute('data-judgement')}`)!.getAttribute('aria-live')).to.equal('polite');
    // ULO is three elements judged on submit by the standard's rule, never live
    for (const element of ['ca', 'zn', 'p']) expect(html.querySelector(`input[name$="[OIL-ULO][${element}]"]`)!.hasAttribute('data-limit-kind')).to.equal(false);
  });
});
