import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { and, count, eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { attachments, bookingItems, bookings, capacityWindows, closures, events, notifications, services } from '../../src/db/schema.js';
import { dueDateFrom } from '../../src/bookings/progress.js';
import { fixedClock, formatDate } from '../../src/shared/time.js';
import { agentFor, createTestApp, login, type Agent, type TestApp } from '../support/app.js';
import {
  calibrationFields,
  EXE,
  filesUnder,
  MONDAY_BEFORE_NATIONAL_DAY,
  nodeServiceOf,
  oilFields,
  openBookingForm,
  PDF,
  PNG,
  postMultipart,
  setCapacity,
} from '../support/bookings.js';
import { createCompanyUser, createUser, TEST_PASSWORD, type TestUser } from '../support/factories.js';
import { labAction } from '../support/lab.js';

describe('booking across the network', () => {
  let t: TestApp;
  let company: Awaited<ReturnType<typeof createCompanyUser>>;
  let agent: Agent;
  let metrologyId: number;
  let oilLabId: number;
  let metrologyStaff: TestUser;

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    company = await createCompanyUser(t.db, { name: '舟山海星船舶修造有限公司' });
    agent = agentFor(t.app);
    await login(agent, company.user.mobile, TEST_PASSWORD);
    metrologyId = (await nodeServiceOf(t.db, 'ZS-METROLOGY', 'CAL-PG')).nodeId;
    oilLabId = (await nodeServiceOf(t.db, 'ZS-OILLAB', 'YP-ISO8217')).nodeId;
    metrologyStaff = await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' });
  });
  after(() => t?.close());

  async function counts() {
    const [b] = await t.db.select({ n: count() }).from(bookings);
    const [a] = await t.db.select({ n: count() }).from(attachments);
    const [i] = await t.db.select({ n: count() }).from(bookingItems);
    return { bookings: b!.n, attachments: a!.n, items: i!.n, files: filesUnder(t.uploadDir).length };
  }

  async function windowUse(nodeServiceId: number, date: string, window: string) {
    const [row] = await t.db
      .select()
      .from(capacityWindows)
      .where(and(eq(capacityWindows.nodeServiceId, nodeServiceId), eq(capacityWindows.date, date), eq(capacityWindows.window, window)));
    return row?.used ?? 0;
  }

  describe('the form', () => {
    it('offers the bookable windows of the chosen node with the contact prefilled', async () => {
      const page = await openBookingForm(agent, 'CAL-PG', metrologyId);
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('JJG 52-2013');
      expect(page.text).to.contain(`value="${company.user.mobile}"`);
      // Monday 09:00: the morning has started, the afternoon is open; National Day is closed; Saturday 10-10 is a make-up workday.
      expect(page.slots[0]).to.equal('2026-09-28|pm');
      expect(page.slots).not.to.include('2026-09-28|am');
      expect(page.slots.some((s) => s.startsWith('2026-10-0') && s < '2026-10-08')).to.equal(false);
      expect(page.slots).to.include('2026-10-10|am');
      expect(page.slots).not.to.include('2026-10-11|am');
    });

    it('sends anonymous visitors to login and refuses other roles', async () => {
      const anonymous = await agentFor(t.app).get(`/bookings/new?service=CAL-PG&node=${metrologyId}`);
      expect(anonymous.status).to.equal(302);
      expect(anonymous.headers.location).to.match(/^\/login\?next=/);
      const staffAgent = agentFor(t.app);
      await login(staffAgent, metrologyStaff.mobile, TEST_PASSWORD);
      expect((await staffAgent.get(`/bookings/new?service=CAL-PG&node=${metrologyId}`)).status).to.equal(403);
    });

    it('answers 404 for an unknown service', async () => {
      expect((await agent.get('/bookings/new?service=NOPE&node=1')).status).to.equal(404);
    });
  });

  describe('calibration: review, then submit', () => {
    it('reviews, keeps the file as a draft, submits one booking with items, attachment, event and notification', async () => {
      const ns = await nodeServiceOf(t.db, 'ZS-METROLOGY', 'CAL-PG');
      const page = await openBookingForm(agent, 'CAL-PG', metrologyId);
      const fields = calibrationFields(page, metrologyId, { intent: 'review' });
      const review = await postMultipart(agent, '/bookings', fields, [{ field: 'file_instrument_list', buffer: PDF, name: '器具清单.pdf' }]);
      expect(review.status).to.equal(200);
      expect(review.text).to.contain('确认预约信息').and.contain('PG-2024-001').and.contain('器具清单.pdf');
      expect(await t.db.$count(bookings)).to.equal(0);
      expect(filesUnder(t.uploadDir)).to.have.length(1);

      const csrf = /name="_csrf" value="([^"]+)"/.exec(review.text)![1]!;
      const hidden = Object.fromEntries([...review.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replace(/&#34;/g, '"').replace(/&amp;/g, '&')]));
      const submit = await postMultipart(agent, '/bookings', { ...hidden, _csrf: csrf, intent: 'submit' });
      expect(submit.status).to.equal(303);
      expect(submit.headers.location).to.equal('/bookings/JL-20260928-0001');

      const [booking] = await t.db.select().from(bookings).where(eq(bookings.number, 'JL-20260928-0001'));
      expect(booking).to.include({ status: 'submitted', units: 2, date: '2026-09-28', window: 'pm', deliveryMode: 'send_in', enterpriseId: company.enterprise.id, nodeId: metrologyId });
      const items = await t.db.select().from(bookingItems).where(eq(bookingItems.bookingId, booking!.id));
      expect(items.map((i) => i.serialNo)).to.deep.equal(['PG-2024-001', 'PG-2024-002']);
      expect(items[0]).to.include({ compulsory: true, accuracyClass: '1.6', quantity: 1 });
      expect(items[1]).to.include({ compulsory: false });
      const [file] = await t.db.select().from(attachments).where(eq(attachments.bookingId, booking!.id));
      expect(file).to.include({ originalName: '器具清单.pdf', mimeType: 'application/pdf', sizeBytes: PDF.length, draftToken: null });
      expect(file!.sha256).to.equal(createHash('sha256').update(PDF).digest('hex'));
      expect(await windowUse(ns.ns.id, '2026-09-28', 'pm')).to.equal(2);
      const [event] = await t.db.select().from(events).where(and(eq(events.entityType, 'booking'), eq(events.entityId, String(booking!.id))));
      expect(event).to.include({ action: 'booking.submitted', toState: 'submitted', actorUserId: company.user.id });
      const staffMessages = await t.db.select().from(notifications).where(eq(notifications.userId, metrologyStaff.id));
      expect(staffMessages.map((n) => n.title)).to.include('新预约 JL-20260928-0001');

      const detail = await agent.get('/bookings/JL-20260928-0001');
      expect(detail.status).to.equal(200);
      expect(detail.text).to.contain('提交预约').and.contain(company.user.name).and.contain('器具清单.pdf');
    });

    it('downloads an attachment as a file, with its original name, only in scope', async () => {
      const [file] = await t.db.select().from(attachments);
      const [booking] = await t.db.select().from(bookings).where(eq(bookings.id, file!.bookingId!));
      const res = await agent.get(`/bookings/${booking!.number}/attachments/${file!.id}`).buffer(true);
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.equal('application/pdf');
      expect(res.headers['content-disposition']).to.match(/^attachment;/).and.contain("filename*=UTF-8''%E5%99%A8");
      expect(Buffer.compare(res.body as Buffer, PDF)).to.equal(0);

      const other = await createCompanyUser(t.db);
      const otherAgent = agentFor(t.app);
      await login(otherAgent, other.user.mobile, TEST_PASSWORD);
      expect((await otherAgent.get(`/bookings/${booking!.number}/attachments/${file!.id}`)).status).to.equal(404);
      expect((await otherAgent.get(`/bookings/${booking!.number}`)).status).to.equal(404);
      expect((await otherAgent.get(`/bookings/${booking!.number}/receipt`)).status).to.equal(404);
      // an attachment id of another booking under my own booking number: 404 as well
      expect((await agent.get(`/bookings/${booking!.number}/attachments/999999`)).status).to.equal(404);
    });

    it('prints a receipt with a QR code that opens the public progress lookup with the number filled in', async () => {
      const res = await agent.get('/bookings/JL-20260928-0001/receipt');
      expect(res.status).to.equal(200);
      // not yet accepted: it acknowledges the booking (a 受理回执 once the node accepts it, below)
      expect(res.text).to.contain('<h1>预约回执</h1>').and.contain('<svg').and.contain('http://nqi.test/track?no=JL-20260928-0001').and.not.contain('受理回执');
    });
  });

  describe('oil test and consultation', () => {
    it('books an RMG 380 sample with the full residual package at the oil lab', async () => {
      const page = await openBookingForm(agent, 'YP-ISO8217', oilLabId);
      expect(page.text).to.contain('RMG 380').and.contain('ISO 8217:2017（第 6 版）');
      // 2024 is named as not yet bookable (no verified limits), never offered as a choice
      expect(page.text).to.contain('暂不受理：ISO 8217:2024（第 7 版）').and.not.contain('<option value="ISO 8217:2024"');
      const res = await postMultipart(agent, '/bookings', oilFields(page, oilLabId), [{ field: 'file_sample_photo', buffer: PNG, name: 'seal.png' }]);
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.match(/^\/bookings\/YP-20260928-0001$/);
      const [booking] = await t.db.select().from(bookings).where(eq(bookings.number, 'YP-20260928-0001'));
      expect(booking).to.include({ kind: 'oil_test', units: 2, nodeId: oilLabId });
      const [item] = await t.db.select().from(bookingItems).where(eq(bookingItems.bookingId, booking!.id));
      expect(item).to.include({ gradeCode: 'ISO8217-RMG380', specEdition: 'ISO 8217:2017', gradeVariant: null, sulphurRequirement: 'global', bdnNo: 'BDN-20260927-018', packageCode: 'PKG-RM-FULL', sealNo: 'ZS-0001234', sourceType: 'barge' });
      expect(item!.testItemCodes).to.include('OIL-DEN15').and.include('OIL-S-PCT').and.have.length(16);
    });

    it('books individual test items that apply to the grade', async () => {
      const page = await openBookingForm(agent, 'YP-ISO8217', oilLabId);
      const res = await postMultipart(agent, '/bookings', oilFields(page, oilLabId, { testMode: 'items', packageCode: '', 'testItems[]': ['OIL-S-PCT', 'OIL-KV50', 'OIL-S-PCT'] }));
      expect(res.status).to.equal(303);
      const [item] = await t.db.select().from(bookingItems).innerJoin(bookings, eq(bookings.id, bookingItems.bookingId)).where(eq(bookings.number, 'YP-20260928-0002'));
      expect(item!.booking_items.testItemCodes).to.deep.equal(['OIL-S-PCT', 'OIL-KV50']);
    });

    it('books a standards consultation in a timed slot at the centre', async () => {
      const centre = await nodeServiceOf(t.db, 'ZS-CENTRE', 'BZ-ENTSTD');
      const page = await openBookingForm(agent, 'BZ-ENTSTD', centre.nodeId);
      expect(page.slots[0]).to.equal('2026-09-28|09:00'.replace('09:00', '10:00'));
      const res = await postMultipart(agent, '/bookings', {
        _csrf: page.csrf,
        service: 'BZ-ENTSTD',
        node: String(centre.nodeId),
        idempotencyKey: page.key,
        slot: page.slots[0],
        deliveryMode: 'on_site',
        topic: '船用阀门企业标准编制',
        description: '计划为新型船用蝶阀制定企业标准并自我声明公开，需要指导技术指标设置。',
        participants: '2',
        contactName: '张伟',
        contactMobile: '13900000101',
      });
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal('/bookings/BZ-20260928-0001');
      expect(await windowUse(centre.ns.id, '2026-09-28', '10:00')).to.equal(1);
    });
  });

  describe('tracking', () => {
    it("lists the company's bookings across nodes newest first; colleagues see the same; others see none", async () => {
      const list = await agent.get('/bookings');
      expect(list.status).to.equal(200);
      const numbers = [...list.text.matchAll(/font-monospace">((?:JL|YP|BZ)-\d{8}-\d{4})</g)].map((m) => m[1]);
      expect(numbers).to.deep.equal(['BZ-20260928-0001', 'YP-20260928-0002', 'YP-20260928-0001', 'JL-20260928-0001']);

      const colleague = await createUser(t.db, 'enterprise', { enterpriseId: company.enterprise.id });
      const colleagueAgent = agentFor(t.app);
      await login(colleagueAgent, colleague.mobile, TEST_PASSWORD);
      const theirs = await colleagueAgent.get('/bookings');
      expect(theirs.text).to.contain('JL-20260928-0001').and.contain('YP-20260928-0002');

      const stranger = await createCompanyUser(t.db);
      const strangerAgent = agentFor(t.app);
      await login(strangerAgent, stranger.user.mobile, TEST_PASSWORD);
      const empty = await strangerAgent.get('/bookings');
      expect(empty.text).not.to.contain('JL-20260928-0001');
      expect(empty.text).to.contain('暂无预约');
    });

    it('filters by node, status and number', async () => {
      const byNode = await agent.get(`/bookings?node=${oilLabId}`);
      expect(byNode.text).to.contain('YP-20260928-0001').and.not.contain('JL-20260928-0001');
      const byNumber = await agent.get('/bookings?q=JL-2026');
      expect(byNumber.text).to.contain('JL-20260928-0001').and.not.contain('YP-20260928-0001');
      const byStatus = await agent.get('/bookings?status=cancelled');
      expect(byStatus.text).to.contain('暂无预约');
      const junk = await agent.get('/bookings?status[]=x&node=abc&from=not-a-date&page=-3');
      expect(junk.status).to.equal(200);
    });
  });

  describe('double submit', () => {
    it('creates one booking for the same form sent twice, one after the other and at once', async () => {
      const page = await openBookingForm(agent, 'CAL-PG', metrologyId);
      const fields = calibrationFields(page, metrologyId, { slot: '2026-09-29|am' });
      const before = await counts();
      const first = await postMultipart(agent, '/bookings', fields);
      const again = await postMultipart(agent, '/bookings', fields);
      expect(first.status).to.equal(303);
      expect(again.status).to.equal(303);
      expect(again.headers.location).to.equal(first.headers.location);
      expect((await counts()).bookings).to.equal(before.bookings + 1);

      const page2 = await openBookingForm(agent, 'CAL-PG', metrologyId);
      const raced = calibrationFields(page2, metrologyId, { slot: '2026-09-29|am' });
      const results = await Promise.all([1, 2, 3].map(() => postMultipart(agent, '/bookings', raced)));
      expect(results.map((r) => r.status)).to.deep.equal([303, 303, 303]);
      expect(new Set(results.map((r) => r.headers.location)).size).to.equal(1);
      expect((await counts()).bookings).to.equal(before.bookings + 2);
      const ns = await nodeServiceOf(t.db, 'ZS-METROLOGY', 'CAL-PG');
      expect(await windowUse(ns.ns.id, '2026-09-29', 'am')).to.equal(4);
    });
  });

  describe('windows that cannot be booked', () => {
    const cases: [string, string, RegExp][] = [
      ['the morning that has started', '2026-09-28|am', /该时段已过/],
      ['a National Day holiday', '2026-10-03|am', /法定节假日或周末不办理/],
      ['a Sunday', '2026-10-11|pm', /法定节假日或周末不办理/],
      ['a date beyond the 60-day horizon', '2026-11-30|am', /超出可预约范围/],
      ['a date in the past', '2026-09-01|am', /该时段已过/],
      ['a made-up window name', '2026-09-29|noon', /请选择有效的预约时段/],
      ['an impossible date', '2026-02-30|am', /请选择有效的预约时段/],
    ];
    for (const [label, slot, message] of cases) {
      it(`refuses ${label} (422), saves no booking, keeps the input and the file (as a draft of the form)`, async () => {
        const page = await openBookingForm(agent, 'CAL-PG', metrologyId);
        const before = await counts();
        const res = await postMultipart(agent, '/bookings', calibrationFields(page, metrologyId, { slot }), [{ field: 'file_other', buffer: PDF, name: 'a.pdf' }]);
        expect(res.status).to.equal(422);
        expect(res.text).to.match(message);
        expect(res.text).to.contain('PG-2024-001'); // the input is kept
        expect(res.text).to.contain('a.pdf'); // and the file, shown as kept
        const drafts = await t.db.select().from(attachments).where(eq(attachments.draftToken, page.key));
        expect(drafts.map((d) => [d.originalName, d.bookingId])).to.deep.equal([['a.pdf', null]]);
        expect(await counts()).to.deep.equal({ ...before, attachments: before.attachments + 1, files: before.files + 1 });
      });
    }

    it('refuses a day the node is closed (typhoon) and accepts the make-up Saturday', async () => {
      await t.db.insert(closures).values({ nodeId: metrologyId, startDate: '2026-10-09', endDate: '2026-10-09', reason: '台风“梅花”停工' });
      const page = await openBookingForm(agent, 'CAL-PG', metrologyId);
      expect(page.text).to.contain('台风“梅花”停工');
      expect(page.slots).not.to.include('2026-10-09|am');
      const closed = await postMultipart(agent, '/bookings', calibrationFields(page, metrologyId, { slot: '2026-10-09|am' }));
      expect(closed.status).to.equal(422);
      expect(closed.text).to.contain('该网点当日暂停服务');
      const saturday = await postMultipart(agent, '/bookings', calibrationFields(page, metrologyId, { slot: '2026-10-10|am' }));
      expect(saturday.status).to.equal(303);
    });

    it('says "刚刚约满" with the next free windows when the window filled up, and saves nothing', async () => {
      const ns = await nodeServiceOf(t.db, 'ST-DINGHAI', 'CAL-PG');
      await setCapacity(t.db, ns.ns.id, 2);
      const page = await openBookingForm(agent, 'CAL-PG', ns.nodeId);
      const slot = '2026-09-30|am';
      const first = await postMultipart(agent, '/bookings', calibrationFields(page, ns.nodeId, { slot }));
      expect(first.status).to.equal(303);
      const before = await counts();
      const page2 = await openBookingForm(agent, 'CAL-PG', ns.nodeId);
      expect(page2.slots).not.to.include(slot);
      const late = await postMultipart(agent, '/bookings', calibrationFields(page2, ns.nodeId, { slot }));
      expect(late.status).to.equal(409);
      expect(late.text).to.contain('这个时段刚刚约满').and.contain('9月30日 周三 下午');
      expect(await counts()).to.deep.equal(before);
      expect(await windowUse(ns.ns.id, '2026-09-30', 'am')).to.equal(2);
    });
  });

  describe('uploads', () => {
    const refusals: [string, { field: string; buffer: Buffer; name: string }[], RegExp][] = [
      ['an executable named .pdf', [{ field: 'file_other', buffer: EXE, name: 'list.pdf' }], /不是允许的类型/],
      ['a double extension', [{ field: 'file_other', buffer: PDF, name: 'list.pdf.exe' }], /扩展名与内容不符/],
      ['a PDF named .png', [{ field: 'file_other', buffer: PDF, name: 'photo.png' }], /扩展名与内容不符/],
      ['an empty file', [{ field: 'file_other', buffer: Buffer.alloc(0), name: 'empty.pdf' }], /空文件/],
      ['a file over 10 MB', [{ field: 'file_instrument_list', buffer: Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]), name: 'big.pdf' }], /超过 10 MB/],
      ['a path in the file name', [{ field: 'file_other', buffer: PDF, name: '../../etc/passwd.pdf' }], /含有路径或不允许的字符/],
      ['six files', [1, 2, 3, 4, 5, 6].map((i) => ({ field: 'file_other', buffer: PDF, name: `f${i}.pdf` })), /最多上传 5 个文件/],
    ];
    for (const [label, files, message] of refusals) {
      it(`refuses ${label}: 422, message, no booking and no file left`, async () => {
        const page = await openBookingForm(agent, 'CAL-PG', metrologyId);
        const before = await counts();
        const res = await postMultipart(agent, '/bookings', calibrationFields(page, metrologyId, { slot: '2026-10-08|am' }), files);
        expect(res.status).to.equal(422);
        expect(res.text).to.match(message);
        expect(await counts()).to.deep.equal(before);
      });
    }

    it('names a refused file next to a field error (a program named .pdf is not dropped silently), keeping the good file as a draft', async () => {
      const page = await openBookingForm(agent, 'CAL-PG', metrologyId);
      const before = await counts();
      const res = await postMultipart(agent, '/bookings', calibrationFields(page, metrologyId, { slot: '2026-10-08|am', contactName: '' }), [
        { field: 'file_other', buffer: EXE, name: 'list.pdf' },
        { field: 'file_instrument_list', buffer: PDF, name: '清单.pdf' },
      ]);
      expect(res.status).to.equal(422);
      expect(res.text).to.contain('请填写联系人').and.match(/不是允许的类型/);
      expect(res.text, 'the good file is kept for the corrected form').to.contain('清单.pdf');
      const after = await counts();
      expect(after.bookings).to.equal(before.bookings);
      expect(after.attachments - before.attachments, 'one draft: the PDF, not the program').to.equal(1);
      const drafts = await t.db.select().from(attachments).where(eq(attachments.draftToken, page.key));
      expect(drafts.map((d) => d.originalName)).to.deep.equal(['清单.pdf']);
    });

    it('accepts a real XLSX and a Chinese name, storing them under random names', async () => {
      const workbook = new ExcelJS.Workbook();
      workbook.addWorksheet('器具清单').addRow(['名称', '出厂编号']);
      const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());
      const page = await openBookingForm(agent, 'CAL-PG', metrologyId);
      const res = await postMultipart(agent, '/bookings', calibrationFields(page, metrologyId, { slot: '2026-10-08|pm' }), [
        { field: 'file_instrument_list', buffer: xlsx, name: '清单.xlsx' },
        { field: 'file_other', buffer: PDF, name: '封面 (1).pdf' },
      ]);
      expect(res.status).to.equal(303);
      const number = res.headers.location!.split('/').pop()!;
      const [booking] = await t.db.select().from(bookings).where(eq(bookings.number, number));
      const files = await t.db.select().from(attachments).where(eq(attachments.bookingId, booking!.id));
      expect(files.map((f) => f.originalName)).to.deep.equal(['清单.xlsx', '封面 (1).pdf']);
      expect(files[0]!.mimeType).to.equal('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      for (const f of files) expect(f.storedName).to.match(/^[a-f0-9]{32}$/);
    });
  });

  describe('every invalid field', () => {
    const calibrationCases: [string, Record<string, string | string[] | undefined>, string][] = [
      ['no instrument name', { 'items[0][name]': '' }, '请填写器具名称'],
      ['no serial number', { 'items[1][serialNo]': '' }, '请填写出厂编号'],
      ['quantity 0', { 'items[0][quantity]': '0' }, '数量至少为 1'],
      ['quantity not a number', { 'items[0][quantity]': 'abc' }, '数量应为正整数'],
      ['quantity far too large (a number, not a malformed one)', { 'items[0][quantity]': '99999' }, '数量不能超过'],
      ['on-site without address', { deliveryMode: 'on_site', onsiteAddress: '' }, '上门服务请填写详细地址'],
      ['unknown delivery mode', { deliveryMode: 'drone' }, '请选择有效的服务方式'],
      ['bad mobile', { contactMobile: '0580-123' }, '联系电话应为 11 位中国大陆手机号'],
      ['no contact', { contactName: '' }, '请填写联系人'],
      ['no window', { slot: undefined }, '请选择预约时段'],
      ['garbled idempotency key', { idempotencyKey: 'x' }, '页面已失效'],
      ['remarks too long', { remarks: '长'.repeat(1001) }, '备注不能超过 1000 个字'],
    ];
    for (const [label, change, message] of calibrationCases) {
      it(`calibration: ${label} → 422 with the message, nothing saved`, async () => {
        const page = await openBookingForm(agent, 'CAL-PG', metrologyId);
        const before = await counts();
        const res = await postMultipart(agent, '/bookings', calibrationFields(page, metrologyId, { slot: '2026-10-12|am', ...change }));
        expect(res.status).to.equal(422);
        expect(res.text).to.contain(message);
        expect(await counts()).to.deep.equal(before);
      });
    }

    it('calibration: no instrument rows at all → 422', async () => {
      const page = await openBookingForm(agent, 'CAL-PG', metrologyId);
      const fields = Object.fromEntries(Object.entries(calibrationFields(page, metrologyId)).filter(([k]) => !k.startsWith('items')));
      const res = await postMultipart(agent, '/bookings', fields);
      expect(res.status).to.equal(422);
      expect(res.text).to.contain('请至少填写一台（件）计量器具');
    });

    const oilCases: [string, Record<string, string | string[] | undefined>, string][] = [
      ['a grade this service does not test', { gradeCode: 'GB17930-VIA-92#' }, '请选择本项服务可检测的产品牌号'],
      ['an edition of another family', { specEdition: 'GB 19147-2016' }, '请选择与产品牌号对应的规格版本'],
      ['a sampling date in the future', { samplingDate: '2026-10-01' }, '取样日期不能晚于今天'],
      ['a malformed sampling date', { samplingDate: '27/09/2026' }, '取样日期格式应为 年-月-日'],
      ['no items in item mode', { testMode: 'items', packageCode: '' }, '请至少选择一个检测项目'],
      ['an item that does not apply to the grade', { testMode: 'items', 'testItems[]': ['OIL-RON'] }, '有不适用于该牌号的项目'],
      ['a package for another family', { packageCode: 'PKG-DM-FULL' }, '不适用于'],
      ['no seal number', { sealNo: '' }, '请填写铅封号'],
      ['21 samples', { quantity: '21' }, '样品数量不能超过 20'],
      ['an unknown source type', { sourceType: 'pipeline' }, '请选择有效的样品来源'],
    ];
    for (const [label, change, message] of oilCases) {
      it(`oil test: ${label} → 422 with the message, nothing saved`, async () => {
        const page = await openBookingForm(agent, 'YP-ISO8217', oilLabId);
        const before = await counts();
        const res = await postMultipart(agent, '/bookings', oilFields(page, oilLabId, { slot: '2026-10-12|am', ...change }));
        expect(res.status).to.equal(422);
        expect(res.text).to.contain(message);
        expect(await counts()).to.deep.equal(before);
      });
    }
  });

  describe('cancel, reschedule, resubmit', () => {
    async function book(slot: string): Promise<string> {
      const page = await openBookingForm(agent, 'CAL-PG', metrologyId);
      const res = await postMultipart(agent, '/bookings', calibrationFields(page, metrologyId, { slot }));
      expect(res.status).to.equal(303);
      return res.headers.location!.split('/').pop()!;
    }
    async function csrfOf(path: string) {
      return /name="_csrf" value="([^"]+)"/.exec((await agent.get(path)).text)![1]!;
    }

    it('cancels with a reason and gives the units back; without a reason nothing changes', async () => {
      const ns = await nodeServiceOf(t.db, 'ZS-METROLOGY', 'CAL-PG');
      const number = await book('2026-10-13|am');
      expect(await windowUse(ns.ns.id, '2026-10-13', 'am')).to.equal(2);
      const noReason = await agent.post(`/bookings/${number}/cancel`).type('form').send({ _csrf: await csrfOf(`/bookings/${number}`), reason: '' });
      expect(noReason.status).to.equal(422);
      expect(noReason.text).to.contain('请填写原因');
      expect(await windowUse(ns.ns.id, '2026-10-13', 'am')).to.equal(2);

      const res = await agent.post(`/bookings/${number}/cancel`).type('form').send({ _csrf: await csrfOf(`/bookings/${number}`), reason: '设备临时调拨，改下月送检' });
      expect(res.status).to.equal(303);
      const [b] = await t.db.select().from(bookings).where(eq(bookings.number, number));
      expect(b!.status).to.equal('cancelled');
      expect(b!.closedAt).to.be.instanceOf(Date);
      expect(await windowUse(ns.ns.id, '2026-10-13', 'am')).to.equal(0);
      const detail = await agent.get(`/bookings/${number}`);
      expect(detail.text).to.contain('取消预约').and.contain('设备临时调拨，改下月送检');
      const staffMessages = await t.db.select().from(notifications).where(and(eq(notifications.userId, metrologyStaff.id), eq(notifications.bookingId, b!.id)));
      expect(staffMessages.map((n) => n.title)).to.include(`${number} 取消预约`);
      // and the company's inbox says who cancelled it and why (the 已提交 message before it names the old window)
      const own = await t.db.select().from(notifications).where(and(eq(notifications.userId, company.user.id), eq(notifications.bookingId, b!.id)));
      expect(own.find((n) => n.title === `${number} 已取消`)?.body).to.contain('设备临时调拨，改下月送检').and.contain('名额已释放');

      const twice = await agent.post(`/bookings/${number}/cancel`).type('form').send({ _csrf: await csrfOf(`/bookings/${number}`), reason: '再取消一次' });
      expect(twice.status).to.equal(409);
      expect(await windowUse(ns.ns.id, '2026-10-13', 'am')).to.equal(0);
    });

    it('refuses to cancel once the instruments were received', async () => {
      const number = await book('2026-10-13|pm');
      await t.db.update(bookings).set({ status: 'received' }).where(eq(bookings.number, number));
      const res = await agent.post(`/bookings/${number}/cancel`).type('form').send({ _csrf: await csrfOf(`/bookings/${number}`), reason: '不需要了' });
      expect(res.status).to.equal(409);
      expect(res.text).to.contain('不能执行“取消预约”');
      const [b] = await t.db.select().from(bookings).where(eq(bookings.number, number));
      expect(b!.status).to.equal('received');
    });

    it('reschedules atomically: new units taken, old ones given back; a full window changes nothing', async () => {
      const ns = await nodeServiceOf(t.db, 'ZS-METROLOGY', 'CAL-PG');
      const number = await book('2026-10-14|am');
      const page = await agent.get(`/bookings/${number}/reschedule`);
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('当前预约');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const moved = await agent.post(`/bookings/${number}/reschedule`).type('form').send({ _csrf: csrf, slot: '2026-10-15|pm' });
      expect(moved.status).to.equal(303);
      expect(await windowUse(ns.ns.id, '2026-10-14', 'am')).to.equal(0);
      expect(await windowUse(ns.ns.id, '2026-10-15', 'pm')).to.equal(2);
      const [b] = await t.db.select().from(bookings).where(eq(bookings.number, number));
      expect(b).to.include({ date: '2026-10-15', window: 'pm' });
      const told = await t.db.select().from(notifications).where(and(eq(notifications.userId, company.user.id), eq(notifications.bookingId, b!.id)));
      expect(told.find((n) => n.title === `${number} 已改期`)?.body, 'the company\'s inbox has the new window').to.contain('10月15日');

      // fill 2026-10-16 am completely, then try to move there
      await t.db.insert(capacityWindows).values({ nodeServiceId: ns.ns.id, date: '2026-10-16', window: 'am', capacity: 40, used: 39 });
      const full = await agent.post(`/bookings/${number}/reschedule`).type('form').send({ _csrf: csrf, slot: '2026-10-16|am' });
      expect(full.status).to.equal(409);
      expect(full.text).to.contain('10月16日 周五 上午：这个时段只剩 1 个名额').and.not.contain('分次预约'); // a booking moves whole
      expect(full.text).to.contain('form="reschedule-form"'); // the windows offered instead are choices of the form
      expect(await windowUse(ns.ns.id, '2026-10-15', 'pm')).to.equal(2);
      expect(await windowUse(ns.ns.id, '2026-10-16', 'am')).to.equal(39);

      const same = await agent.post(`/bookings/${number}/reschedule`).type('form').send({ _csrf: csrf, slot: '2026-10-15|pm' });
      expect(same.status).to.equal(422);
      const holiday = await agent.post(`/bookings/${number}/reschedule`).type('form').send({ _csrf: csrf, slot: '2026-10-05|pm' });
      expect(holiday.status).to.equal(422);
      expect(holiday.text).to.contain('法定节假日');
    });

    it('moving an accepted booking counts its due date again from the new window, says so on the timeline and tells the lab', async () => {
      const number = await book('2026-10-14|am');
      const staffAgent = agentFor(t.app);
      await login(staffAgent, metrologyStaff.mobile, TEST_PASSWORD);
      expect((await labAction(staffAgent, number, 'accept')).status).to.equal(303);
      const [accepted] = await t.db.select().from(bookings).where(eq(bookings.number, number));
      const [service] = await t.db.select({ days: services.turnaroundDays }).from(services).where(eq(services.id, accepted!.serviceId));
      expect(accepted!.dueDate).to.equal(dueDateFrom('2026-10-14', '2026-09-28', service!.days));
      const page = await agent.get(`/bookings/${number}/reschedule`);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      expect((await agent.post(`/bookings/${number}/reschedule`).type('form').send({ _csrf: csrf, slot: '2026-10-21|am' })).status).to.equal(303);
      const [moved] = await t.db.select().from(bookings).where(eq(bookings.number, number));
      expect(moved).to.include({ status: 'accepted', date: '2026-10-21', dueDate: dueDateFrom('2026-10-21', '2026-09-28', service!.days) });
      expect(moved!.dueDate! > accepted!.dueDate!).to.equal(true);
      const [event] = await t.db.select().from(events).where(and(eq(events.entityId, String(moved!.id)), eq(events.action, 'booking.rescheduled')));
      expect(event!.note).to.contain('应完成日期').and.contain(formatDate(accepted!.dueDate)).and.contain(formatDate(moved!.dueDate));
      const told = await t.db.select().from(notifications).where(and(eq(notifications.userId, metrologyStaff.id), eq(notifications.bookingId, moved!.id)));
      expect(told.map((n) => n.body).join('\n')).to.contain('应完成日期');
    });

    it('resubmits after a request for corrections, with added documents', async () => {
      const number = await book('2026-10-19|am');
      await t.db.update(bookings).set({ status: 'needs_info' }).where(eq(bookings.number, number));
      const detail = await agent.get(`/bookings/${number}`);
      expect(detail.text).to.contain('提交补正材料');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(detail.text)![1]!;
      const bad = await postMultipart(agent, `/bookings/${number}/resubmit`, { _csrf: csrf, note: '' }, [{ field: 'file_correction', buffer: EXE, name: 'x.pdf' }]);
      expect(bad.status).to.equal(422);
      const res = await postMultipart(agent, `/bookings/${number}/resubmit`, { _csrf: csrf, note: '已补充上次检定证书' }, [{ field: 'file_correction', buffer: PDF, name: '上次证书.pdf' }]);
      expect(res.status).to.equal(303);
      const [b] = await t.db.select().from(bookings).where(eq(bookings.number, number));
      expect(b!.status).to.equal('submitted');
      const files = await t.db.select().from(attachments).where(eq(attachments.bookingId, b!.id));
      expect(files.map((f) => [f.purpose, f.originalName])).to.deep.equal([['correction', '上次证书.pdf']]);
      const notAgain = await postMultipart(agent, `/bookings/${number}/resubmit`, { _csrf: csrf, note: '再交一次' });
      expect(notAgain.status).to.equal(409);
    });
  });
  describe('oil desk rules', () => {
    it('asks a DMA sample for its quality (winter/summer) and a marine fuel for its sulphur requirement; refuses an edition without verified limits', async () => {
      const page = await openBookingForm(agent, 'YP-ISO8217', oilLabId);
      const before = await t.db.$count(bookings);
      const dma = oilFields(page, oilLabId, { gradeCode: 'ISO8217-DMA', packageCode: 'PKG-DM-FULL', gradeVariant: '', sulphurRequirement: '' });
      const res = await postMultipart(agent, '/bookings', dma);
      expect(res.status).to.equal(422);
      expect(res.text).to.contain('请选择DMA的品质（冬季品质 / 夏季品质）').and.contain('请选择硫含量按哪项法定要求判定');
      const old = await postMultipart(agent, '/bookings', oilFields(page, oilLabId, { specEdition: 'ISO 8217:2024' }));
      expect(old.status).to.equal(422);
      expect(old.text).to.contain('本实验室暂未开展按 ISO 8217:2024 判定的检测，暂不受理');
      expect(await t.db.$count(bookings)).to.equal(before);
      const winter = await postMultipart(agent, '/bookings', { ...dma, gradeVariant: 'winter', sulphurRequirement: 'eca' });
      expect(winter.status).to.equal(303);
      const number = winter.headers.location!.split('/').pop()!;
      const [item] = await t.db.select().from(bookingItems).innerJoin(bookings, eq(bookings.id, bookingItems.bookingId)).where(eq(bookings.number, number));
      expect(item!.booking_items).to.include({ gradeCode: 'ISO8217-DMA', gradeVariant: 'winter', sulphurRequirement: 'eca' });
    });

    it('lists the oil rules\' messages in the same answer as the form\'s own (a missing package beside a wrong mobile number and an empty sample name), input kept, nothing saved', async () => {
      const page = await openBookingForm(agent, 'YP-ISO8217', oilLabId);
      const before = await t.db.$count(bookings);
      const res = await postMultipart(agent, '/bookings', oilFields(page, oilLabId, { packageCode: '', contactMobile: '1390000', sampleName: '', gradeVariant: '', sulphurRequirement: '' }));
      expect(res.status).to.equal(422);
      expect(res.text).to.contain('请选择检测套餐').and.contain('应为 11 位中国大陆手机号').and.contain('请选择硫含量按哪项法定要求判定').and.contain('value="1390000"');
      // a package for another family is named as such in the same answer
      const wrong = await postMultipart(agent, '/bookings', oilFields(page, oilLabId, { packageCode: 'PKG-DM-FULL', contactMobile: '' }));
      expect(wrong.status).to.equal(422);
      expect(wrong.text).to.contain('不适用于').and.contain('联系电话');
      expect(await t.db.$count(bookings)).to.equal(before);
    });

    it('carries a request for a bilingual report to the booking page, the receipt and the lab\'s workbench', async () => {
      const page = await openBookingForm(agent, 'YP-ISO8217', oilLabId);
      const res = await postMultipart(agent, '/bookings', oilFields(page, oilLabId, { bilingual: '1', slot: '2026-10-13|am' }));
      expect(res.status).to.equal(303);
      const number = res.headers.location!.split('/').pop()!;
      const [booking] = await t.db.select().from(bookings).where(eq(bookings.number, number));
      expect(booking!.bilingualReport).to.equal(true);
      const staff = await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-OILLAB' });
      const staffAgent = agentFor(t.app);
      await login(staffAgent, staff.mobile, TEST_PASSWORD);
      for (const [who, path] of [[agent, `/bookings/${number}`], [agent, `/bookings/${number}/receipt`], [staffAgent, `/lab/bookings/${number}`]] as const) {
        const shown = await who.get(path);
        expect(shown.status, path).to.equal(200);
        expect(shown.text, path).to.contain('报告语言').and.contain('中英文双语');
      }
      expect((await agent.get('/bookings/YP-20260928-0001')).text).to.not.contain('中英文双语');
      // accepted, the receipt is the node's 受理回执, and counts the oil samples as 份
      expect((await labAction(staffAgent, number, 'accept')).status).to.equal(303);
      expect((await agent.get(`/bookings/${number}/receipt`)).text).to.contain('<h1>预约受理回执</h1>');
      expect((await staffAgent.get(`/lab/bookings/${number}`)).text).to.match(new RegExp(`${booking!.units} 份</p>`));
    });
});

describe('draft uploads of abandoned booking forms', () => {
  it('are removed with their files after a day', async () => {
    const t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    try {
      const { user } = await createCompanyUser(t.db);
      const agent = agentFor(t.app);
      await login(agent, user.mobile, TEST_PASSWORD);
      const nodeId = (await nodeServiceOf(t.db, 'ZS-METROLOGY', 'CAL-PG')).nodeId;
      const page = await openBookingForm(agent, 'CAL-PG', nodeId);
      const review = await postMultipart(agent, '/bookings', calibrationFields(page, nodeId, { intent: 'review' }), [{ field: 'file_other', buffer: PDF, name: 'draft.pdf' }]);
      expect(review.status).to.equal(200);
      expect(filesUnder(t.uploadDir)).to.have.length(1);
      expect(await t.services.bookings.sweepStaleDrafts()).to.equal(0); // fresh drafts stay
      await t.db.update(attachments).set({ createdAt: new Date(Date.now() - 25 * 3600_000) });
      expect(await t.services.bookings.sweepStaleDrafts()).to.equal(1);
      expect(await t.db.$count(attachments)).to.equal(0);
      expect(filesUnder(t.uploadDir)).to.have.length(0);
    } finally {
      await t.close();
    }
  });

  });
});
