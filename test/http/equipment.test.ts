import { expect } from 'chai';
import { and, eq, sql } from 'drizzle-orm';
import { pgErrorCode, rowsOf } from '../../src/db/client.js';
import { closures, equipment, equipmentBookings, equipmentSuspensions, events, notifications } from '../../src/db/schema.js';
import { agentFor, createTestApp, login, type Agent, type TestApp } from '../support/app.js';
import { EXE, filesUnder, MONDAY_BEFORE_NATIONAL_DAY, PDF, PNG, postMultipart } from '../support/bookings.js';
import { settableClock } from '../support/clock.js';
import { createCompanyUser, createUser, nodeId, TEST_PASSWORD, type TestUser } from '../support/factories.js';
import { bookViaForm, createEquipment, equipmentAction, openEquipmentPage, trainUser } from '../support/equipment.js';

/*
 * Open sharing, as a company and a node use it. "Now" is Monday 2026-09-28 09:00 in Zhoushan: National Day
 * (10-01 … 10-07) is ahead, Saturday 10-10 is a make-up workday (调休). Each test books its own instrument.
 */

const numberOf = (res: { headers: Record<string, unknown> }) => String(res.headers.location).split('/').pop()!;

async function rowsOfEquipment(t: TestApp, equipmentId: number) {
  return t.db.select().from(equipmentBookings).where(eq(equipmentBookings.equipmentId, equipmentId));
}

async function signedIn(t: TestApp, user: TestUser): Promise<Agent> {
  const agent = agentFor(t.app);
  await login(agent, user.mobile, TEST_PASSWORD);
  return agent;
}

describe('open sharing: shared equipment booked by the hour', function () {
  this.timeout(60_000);
  const clock = settableClock(MONDAY_BEFORE_NATIONAL_DAY);
  let t: TestApp;
  let parkCompany: Awaited<ReturnType<typeof createCompanyUser>>;
  let outsider: Awaited<ReturnType<typeof createCompanyUser>>;
  let a: Agent;
  let b: Agent;
  let staff: Agent;
  let otherStaff: Agent;

  before(async () => {
    t = await createTestApp({ clock });
    parkCompany = await createCompanyUser(t.db, { name: '舟山园区测试船舶有限公司', parkCode: 'P-DINGHAI' });
    outsider = await createCompanyUser(t.db, { name: '舟山园区外测试贸易有限公司', parkCode: null });
    a = await signedIn(t, parkCompany.user);
    b = await signedIn(t, outsider.user);
    staff = await signedIn(t, await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' }, { name: '仪器管理员甲' }));
    otherStaff = await signedIn(t, await createUser(t.db, 'lab_staff', { nodeCode: 'ST-DINGHAI' }));
  });
  afterEach(() => clock.set(MONDAY_BEFORE_NATIONAL_DAY));
  after(() => t?.close());

  describe('the public pages', () => {
    it('lists an instrument and shows its rates per user category and mode, its rules and its week', async () => {
      const e = await createEquipment(t.db, { name: '气相色谱质谱联用仪（公开页）', methods: ['HJ 644-2013 挥发性有机物的测定'] });
      const list = await agentFor(t.app).get('/equipment');
      expect(list.status).to.equal(200);
      expect(list.text).to.contain('气相色谱质谱联用仪（公开页）').and.contain('市计量院');
      const page = await agentFor(t.app).get(`/equipment/${e.id}`);
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('HJ 644-2013').and.contain('园区企业').and.contain('¥200.00').and.contain('¥150.00').and.contain('科研院所').and.contain('¥80.00');
      expect(page.text).to.contain('开放时间：网点工作日 08:30–17:00').and.contain('至少提前 24 小时');
      // National Day is shown as closed; anonymous visitors are asked to sign in, with no form
      expect(page.text).to.contain('不开放（法定节假日）');
      expect(page.text).to.contain('请先 <a href="/login').and.not.contain('action="/equipment/');
      expect((await agentFor(t.app).get('/equipment/999999')).status).to.equal(404);
    });
  });

  describe('time rules: each refusal says what to change, next to the field', () => {
    const cases: [string, Record<string, string>, string, string][] = [
      ['a past date', { date: '2026-09-27' }, 'date', '不能预约已经过去的日期'],
      ['a time already past today', { date: '2026-09-28', startTime: '08:30', endTime: '09:30' }, 'startTime', '开始时间已过'],
      ['less than the minimum notice', { date: '2026-09-28', startTime: '14:00', endTime: '15:00' }, 'startTime', '须至少提前 24 小时预约，当前最早可约 2026-09-29 09:00'],
      ['a range across midnight', { startTime: '16:30', endTime: '00:30' }, 'endTime', '预约不能跨越午夜'],
      ['an end not after the start', { startTime: '10:00', endTime: '10:00' }, 'endTime', '结束时间须晚于开始时间'],
      ['a start before opening', { startTime: '07:00', endTime: '09:00' }, 'startTime', '开始时间不在开放时间内（08:30–17:00）'],
      ['an end after closing', { startTime: '16:00', endTime: '18:00' }, 'endTime', '结束时间超出开放时间（08:30–17:00）'],
      ['beyond the horizon', { date: '2026-10-29' }, 'date', '最远只能预约 30 天内的时段（至 2026-10-28）'],
      ['a statutory holiday', { date: '2026-10-02' }, 'date', '2026-10-02 是法定节假日'],
      ['a weekend', { date: '2026-10-11' }, 'date', '2026-10-11 是周末'],
      ['a time off the half-hour grid', { startTime: '09:15' }, 'startTime', '开始时间须为整点或半点'],
      ['longer than the maximum', { startTime: '09:00', endTime: '13:30' }, 'endTime', '单次最多预约 4 小时'],
      ['a date that is no date', { date: '2026-02-30' }, 'date', '请选择预约日期'],
    ];
    for (const [what, fields, field, message] of cases) {
      it(`refuses ${what} (422, message at “${field}”, nothing saved)`, async () => {
        const e = await createEquipment(t.db);
        const res = await bookViaForm(a, e.id, fields);
        expect(res.status).to.equal(422);
        const error = new RegExp(`id="f-${field}-error">([^<]*)<`).exec(res.text)?.[1] ?? '';
        expect(error).to.contain(message);
        expect(res.text).to.contain('船用燃料油闪点测定'); // the input is kept
        expect(await rowsOfEquipment(t, e.id)).to.have.length(0);
      });
    }

    it("refuses a day the node closed itself (typhoon), naming the closure", async () => {
      const e = await createEquipment(t.db);
      await t.db.insert(closures).values({ nodeId: e.nodeId, startDate: '2026-10-09', endDate: '2026-10-09', reason: '台风停业' });
      const res = await bookViaForm(a, e.id, { date: '2026-10-09' });
      expect(res.status).to.equal(422);
      expect(res.text).to.contain('网点暂停服务（台风停业）');
      expect(await rowsOfEquipment(t, e.id)).to.have.length(0);
    });

    it('accepts the make-up Saturday (调休) and the earliest time the notice allows: the positive control', async () => {
      const e = await createEquipment(t.db);
      const saturday = await bookViaForm(a, e.id, { date: '2026-10-10', startTime: '08:30', endTime: '12:30' });
      expect(saturday.status).to.equal(303);
      const earliest = await bookViaForm(a, e.id, { date: '2026-09-29', startTime: '09:00', endTime: '10:00' });
      expect(earliest.status).to.equal(303);
      const rows = await rowsOfEquipment(t, e.id);
      expect(rows.map((r) => r.startsAt.toISOString()).sort()).to.deep.equal(['2026-09-29T01:00:00.000Z', '2026-10-10T00:30:00.000Z']);
    });
  });

  describe('never double-booked', () => {
    it('is refused by the database itself: an overlapping row inserted directly with SQL violates the exclusion constraint', async () => {
      const e = await createEquipment(t.db);
      const insert = (from: string, to: string, status = 'approved') =>
        t.db.execute(sql`INSERT INTO equipment_bookings (number, kind, equipment_id, node_id, starts_at, ends_at, status, purpose)
                         VALUES (${`WX-SQL-${Math.random().toString(36).slice(2, 8)}`}, 'maintenance', ${e.id}, ${e.nodeId}, ${from}::timestamptz, ${to}::timestamptz, ${status}::equipment_booking_status, '直接写入')`);
      await insert('2026-10-08 09:00+08', '2026-10-08 11:00+08');
      let refused: unknown;
      try {
        await insert('2026-10-08 10:30+08', '2026-10-08 12:00+08', 'requested');
      } catch (err) {
        refused = err;
      }
      expect(pgErrorCode(refused), 'SQLSTATE of the overlapping insert').to.equal('23P01');
      expect(String((refused as { cause?: { constraint?: string } }).cause?.constraint ?? (refused as { constraint?: string }).constraint)).to.equal('equipment_bookings_no_overlap');
      // touching ends do not overlap ([) ranges), released rows do not hold, another instrument is free
      await insert('2026-10-08 11:00+08', '2026-10-08 12:00+08');
      await insert('2026-10-08 09:30+08', '2026-10-08 10:30+08', 'cancelled');
      const other = await createEquipment(t.db);
      await t.db.execute(sql`INSERT INTO equipment_bookings (number, kind, equipment_id, node_id, starts_at, ends_at, status, purpose) VALUES ('WX-SQL-OTHER', 'maintenance', ${other.id}, ${other.nodeId}, '2026-10-08 09:00+08', '2026-10-08 11:00+08', 'approved', '另一台')`);
      expect(await rowsOfEquipment(t, e.id)).to.have.length(3);
    });

    it('answers the second company 409 at the start time with the next free slots, and keeps one booking', async () => {
      const e = await createEquipment(t.db);
      expect((await bookViaForm(a, e.id, { date: '2026-09-29', startTime: '09:00', endTime: '11:00' })).status).to.equal(303);
      const res = await bookViaForm(b, e.id, { date: '2026-09-29', startTime: '10:00', endTime: '12:00' });
      expect(res.status).to.equal(409);
      expect(/id="f-startTime-error">([^<]*)</.exec(res.text)?.[1]).to.contain('2026-09-29 10:00–12:00 已被其他预约或设备维护占用');
      expect(res.text).to.contain('最近可预约的同样时长').and.contain('start=11:00&amp;end=13:00');
      const rows = await rowsOfEquipment(t, e.id);
      expect(rows).to.have.length(1);
      expect(rows[0]!.enterpriseId).to.equal(parkCompany.enterprise.id);
    });

    it('lets exactly one of 200 simultaneous requests for the same hours through, and never two overlapping of 200 mixed ones', async function () {
      this.timeout(120_000);
      const e = await createEquipment(t.db, { maxHours: 8 });
      const companies = await Promise.all(Array.from({ length: 10 }, () => createCompanyUser(t.db)));
      const principals = await Promise.all(companies.map((c) => t.services.auth.loadPrincipal(c.user.id)));
      const body = (i: number, start: string, end: string) => ({ date: '2026-10-08', startTime: start, endTime: end, mode: 'assisted', purpose: `并发 ${i}`, contactName: '并发测试', contactMobile: '13900000999', idempotencyKey: `eq-concurrent-${String(i).padStart(6, '0')}-aaaa` });
      const same = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => t.services.equipment.book(principals[i % 10]!, e.id, body(i, '10:00', '12:00'))));
      const won = same.filter((r) => r.status === 'fulfilled');
      const taken = same.filter((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'slot_taken');
      expect(same.filter((r) => r.status === 'rejected' && (r.reason as { code?: string }).code !== 'slot_taken').map((r) => String((r as PromiseRejectedResult).reason))).to.deep.equal([]);
      expect(won).to.have.length(1);
      expect(taken).to.have.length(199);

      // 200 random ranges on another day: what was accepted never overlaps, and every refusal overlaps an accepted one
      const grid = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${m % 60 ? '30' : '00'}`;
      const ranges = Array.from({ length: 200 }, (_, i) => {
        const start = 510 + 30 * ((i * 7919) % 15);
        return [grid(start), grid(Math.min(1020, start + 30 * (1 + ((i * 31) % 6))))] as const;
      });
      const mixed = await Promise.allSettled(ranges.map(([s, f], i) => t.services.equipment.book(principals[i % 10]!, e.id, { ...body(1000 + i, s, f), date: '2026-10-12' })));
      expect(mixed.filter((r) => r.status === 'rejected' && (r.reason as { code?: string }).code !== 'slot_taken').map((r) => String((r as PromiseRejectedResult).reason))).to.deep.equal([]);
      const [overlaps] = rowsOf<{ n: number }>(await t.db.execute(sql`SELECT count(*)::int AS n FROM equipment_bookings x JOIN equipment_bookings y ON x.id < y.id AND x.equipment_id = y.equipment_id
        AND tstzrange(x.starts_at, x.ends_at) && tstzrange(y.starts_at, y.ends_at) WHERE x.equipment_id = ${e.id}`));
      expect(overlaps!.n).to.equal(0);
      const accepted = (await rowsOfEquipment(t, e.id)).filter((r) => r.startsAt.toISOString().startsWith('2026-10-12'));
      expect(accepted.length).to.equal(mixed.filter((r) => r.status === 'fulfilled').length).and.to.be.greaterThan(0);
      const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
      for (const [i, r] of mixed.entries()) {
        if (r.status === 'fulfilled') continue;
        const [s, f] = ranges[i]!;
        const from = new Date(`2026-10-12T${s}:00+08:00`).getTime();
        const to = from + (toMinutes(f) - toMinutes(s)) * 60_000;
        expect(accepted.some((x) => x.startsAt.getTime() < to && x.endsAt.getTime() > from), `refused ${s}–${f} overlaps an accepted booking`).to.equal(true);
      }
    });
  });

  describe('training, approval and rejection', () => {
    it('refuses 机时自主使用 without a training record (message at the mode), and accepts it with one', async () => {
      const e = await createEquipment(t.db);
      // the form starts on what this person may choose: 委托操作 until a training record is in force
      const checkedMode = async () => /<input[^>]*name="mode"[^>]*value="(\w+)"[^>]* checked/.exec((await a.get(`/equipment/${e.id}`)).text)?.[1];
      expect(await checkedMode()).to.equal('assisted');
      const refused = await bookViaForm(a, e.id, { mode: 'self' });
      expect(refused.status).to.equal(422);
      expect(/id="f-mode-error">([^<]*)</.exec(refused.text)?.[1]).to.contain('机时自主使用须持有该设备在预约当天有效的操作培训记录');
      expect(await rowsOfEquipment(t, e.id)).to.have.length(0);
      await trainUser(t.db, e.id, parkCompany.user.id);
      expect(await checkedMode()).to.equal('self');
      const ok = await bookViaForm(a, e.id, { mode: 'self' });
      expect(ok.status).to.equal(303);
      const [row] = await rowsOfEquipment(t, e.id);
      expect(row).to.include({ mode: 'self', status: 'requested', rateCents: 12_000, userCategory: 'park' });
    });

    it('confirms at once when the instrument auto-approves trained users; others still wait for the node', async () => {
      const e = await createEquipment(t.db, { autoApprove: true });
      await trainUser(t.db, e.id, parkCompany.user.id);
      const trained = await bookViaForm(a, e.id, { mode: 'self', startTime: '09:00', endTime: '10:00' });
      expect(trained.status).to.equal(303);
      expect((await a.get(trained.headers.location!)).text).to.contain('预约已确认');
      const untrained = await bookViaForm(b, e.id, { mode: 'assisted', startTime: '10:00', endTime: '11:00' });
      expect(untrained.status).to.equal(303);
      const rows = await rowsOfEquipment(t, e.id);
      expect(rows.find((r) => r.enterpriseId === parkCompany.enterprise.id)!.status).to.equal('approved');
      expect(rows.find((r) => r.enterpriseId === outsider.enterprise.id)!.status).to.equal('requested');
    });

    it("lets the node's staff approve (the company is told), refuses other nodes (404) and the company itself (403)", async () => {
      const e = await createEquipment(t.db);
      const number = numberOf(await bookViaForm(a, e.id, {}));
      expect((await otherStaff.get(`/equipment/bookings/${number}`)).status).to.equal(404);
      expect((await otherStaff.post(`/equipment/bookings/${number}/approve`).type('form').send({ _csrf: (await openEquipmentPage(otherStaff, e.id)).csrf })).status).to.equal(404);
      expect((await equipmentAction(a, number, 'approve')).status).to.equal(403);
      expect((await rowsOfEquipment(t, e.id))[0]!.status).to.equal('requested');
      const desk = await staff.get('/equipment/desk?tab=requested');
      expect(desk.text).to.contain(number).and.contain('舟山园区测试船舶有限公司');
      expect((await equipmentAction(staff, number, 'approve')).status).to.equal(303);
      expect((await rowsOfEquipment(t, e.id))[0]!.status).to.equal('approved');
      const messages = await t.db.select().from(notifications).where(eq(notifications.userId, parkCompany.user.id));
      expect(messages.some((m) => m.title === `${number} 审批通过` && m.link === `/equipment/bookings/${number}`)).to.equal(true);
      const [event] = await t.db.select().from(events).where(and(eq(events.entityType, 'equipment_booking'), eq(events.action, 'equipment_booking.approve'), eq(events.entityId, String((await rowsOfEquipment(t, e.id))[0]!.id))));
      expect(event).to.include({ fromState: 'requested', toState: 'approved' });
    });

    it('requires a reason to reject (422 at the field); a rejected booking frees its hours', async () => {
      const e = await createEquipment(t.db);
      const number = numberOf(await bookViaForm(a, e.id, {}));
      const bare = await equipmentAction(staff, number, 'reject');
      expect(bare.status).to.equal(422);
      expect(/id="f-reject-reason-error">([^<]*)</.exec(bare.text)?.[1]).to.contain('请填写不予通过的原因');
      expect((await equipmentAction(staff, number, 'reject', { reason: '样品不适用于该设备' })).status).to.equal(303);
      expect((await rowsOfEquipment(t, e.id))[0]).to.include({ status: 'rejected', closeReason: '样品不适用于该设备' });
      expect((await bookViaForm(b, e.id, {})).status).to.equal(303);
    });

    it('lets the company cancel before the start, and not after it', async () => {
      const e = await createEquipment(t.db);
      const first = numberOf(await bookViaForm(a, e.id, { startTime: '09:00', endTime: '10:00' }));
      const second = numberOf(await bookViaForm(a, e.id, { startTime: '10:00', endTime: '11:00' }));
      expect((await equipmentAction(a, first, 'cancel', { reason: '计划变更' })).status).to.equal(303);
      clock.set('2026-09-29T10:05:00+08:00');
      const late = await equipmentAction(a, second, 'cancel');
      expect(late.status).to.equal(409);
      expect(late.text).to.contain('预约时段已开始，不能再在线取消');
      const rows = await rowsOfEquipment(t, e.id);
      expect(rows.map((r) => `${r.number}:${r.status}`).sort()).to.deep.equal([`${first}:cancelled`, `${second}:requested`].sort());
    });
  });

  describe('price frozen at booking time, billed at check-out', () => {
    it('keeps the rate of the booking after the node raises it; bills actual use rounded up to the half hour', async () => {
      const e = await createEquipment(t.db);
      const number = numberOf(await bookViaForm(a, e.id, { date: '2026-09-29', startTime: '09:00', endTime: '11:00' }));
      expect((await rowsOfEquipment(t, e.id))[0]).to.include({ rateCents: 20_000, estimateCents: 40_000, billing: 'actual' });
      // the node raises the park rate for assisted use to 300 ¥/h
      await t.db.update(equipment).set({ rates: { park: { self: 12_000, assisted: 30_000 }, other: { self: 15_000, assisted: 25_000 }, research: { self: 8_000, assisted: 14_000 } } }).where(eq(equipment.id, e.id));
      const later = numberOf(await bookViaForm(a, e.id, { date: '2026-09-29', startTime: '13:00', endTime: '14:00' }));
      expect((await equipmentAction(staff, number, 'approve')).status).to.equal(303);
      const early = await equipmentAction(staff, number, 'check_in');
      expect(early.status).to.equal(409);
      expect(early.text).to.contain('开始前 30 分钟起才能签到');
      clock.set('2026-09-29T09:05:00+08:00');
      expect((await equipmentAction(staff, number, 'check_in')).status).to.equal(303);
      clock.set('2026-09-29T10:45:00+08:00');
      const future = await equipmentAction(staff, number, 'check_out', { actualStart: '09:05', actualEnd: '11:30' });
      expect(future.status).to.equal(422);
      expect(future.text).to.contain('实际结束时间不能晚于现在');
      expect((await equipmentAction(staff, number, 'check_out', { actualStart: '09:05', actualEnd: '10:40' })).status).to.equal(303);
      const rows = await rowsOfEquipment(t, e.id);
      // 95 minutes used → 120 billed at the frozen 200 ¥/h = 400 ¥; the later booking has the new rate
      expect(rows.find((r) => r.number === number)).to.include({ status: 'checked_out', chargedMinutes: 120, amountCents: 40_000, rateCents: 20_000 });
      expect(rows.find((r) => r.number === later)).to.include({ rateCents: 30_000 });
      // the company's page of a finished booking no longer asks it to come and check in (a waiting one still does)
      expect((await a.get(`/equipment/bookings/${number}`)).text).to.contain('已完成').and.not.contain('请在预约开始前到达网点签到');
      expect((await a.get(`/equipment/bookings/${later}`)).text).to.contain('请在预约开始前到达网点签到');
      const statement = await a.get(`/equipment/statements/${parkCompany.enterprise.id}/2026-09`);
      expect(statement.status).to.equal(200);
      expect(statement.text).to.contain(number).and.contain('实际 09:05–10:40').and.contain('¥400.00').and.contain('2 小时');
      const xlsx = await a.get(`/equipment/statements/${parkCompany.enterprise.id}/2026-09/xlsx`);
      expect(xlsx.status).to.equal(200);
      expect(String(xlsx.headers['content-type'])).to.contain('spreadsheetml');
      // another company cannot open it
      expect((await b.get(`/equipment/statements/${parkCompany.enterprise.id}/2026-09`)).status).to.equal(404);
    });

    it('charges each user category its own rate: a company outside the parks, and a research institute', async () => {
      const e = await createEquipment(t.db);
      expect((await bookViaForm(b, e.id, { startTime: '09:00', endTime: '10:00' })).status).to.equal(303);
      const institute = await createCompanyUser(t.db, { name: '舟山测试海洋研究所', parkCode: 'P-DINGHAI' });
      await t.db.execute(sql`UPDATE enterprises SET org_type = 'institute' WHERE id = ${institute.enterprise.id}`);
      expect((await bookViaForm(await signedIn(t, institute.user), e.id, { startTime: '10:00', endTime: '11:00' })).status).to.equal(303);
      const rows = await rowsOfEquipment(t, e.id);
      expect(rows.map((r) => [r.userCategory, r.rateCents]).sort()).to.deep.equal([['other', 25_000], ['research', 14_000]]);
    });
  });

  describe('maintenance blocks use the same table', () => {
    it('refuses a block over a booking (naming it), and a booking over a block', async () => {
      const e = await createEquipment(t.db);
      expect((await bookViaForm(a, e.id, { date: '2026-10-08', startTime: '09:00', endTime: '10:00' })).status).to.equal(303);
      const manager = await signedIn(t, await createUser(t.db, 'node_manager', { nodeCode: 'ZS-METROLOGY' }));
      const page = await manager.get(`/equipment/manage/${e.id}`);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const clash = await manager.post(`/equipment/manage/${e.id}/blocks`).type('form').send({ _csrf: csrf, startDate: '2026-10-08', startTime: '08:30', endDate: '2026-10-08', endTime: '12:00', reason: '更换色谱柱' });
      expect(clash.status).to.equal(409);
      expect(clash.text).to.contain('该时段与已有预约或维护冲突（2026-10-08 09:00–10:00）');
      const ok = await manager.post(`/equipment/manage/${e.id}/blocks`).type('form').send({ _csrf: csrf, startDate: '2026-10-09', startTime: '08:30', endDate: '2026-10-10', endTime: '17:00', reason: '年度校准' });
      expect(ok.status).to.equal(303);
      const refused = await bookViaForm(b, e.id, { date: '2026-10-10', startTime: '09:00', endTime: '10:00' });
      expect(refused.status).to.equal(409);
      const shown = await agentFor(t.app).get(`/equipment/${e.id}?from=2026-10-08`);
      expect(shown.text).to.contain('08:30–17:00 维护');
      expect((await rowsOfEquipment(t, e.id)).map((r) => r.kind).sort()).to.deep.equal(['booking', 'maintenance']);
    });
  });

  describe('the node describes its instruments', () => {
    it('creates an instrument from the form, refusing missing rates of an offered mode at the field', async () => {
      const manager = await signedIn(t, await createUser(t.db, 'node_manager', { nodeCode: 'ST-DINGHAI' }));
      const form = await manager.get('/equipment/manage/new');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
      const fields = { _csrf: csrf, code: 'DH-SY-0001', name: '盐雾试验箱', category: '环境与可靠性试验', model: 'YWX/Q-750', maker: '无锡', specs: '工作室尺寸：1000×750×500 mm\n温度范围：室温～55 ℃', methods: 'GB/T 10125-2021 人造气氛腐蚀试验 盐雾试验', modeAssisted: 'on', rate_park_assisted: '30', rate_other_assisted: '40', rate_research_assisted: '', openFrom: '08:30', openUntil: '17:00', minNoticeHours: '24', maxHours: '8', horizonDays: '60', noShowMinutes: '30', billing: 'booked', status: 'available' };
      const missing = await manager.post('/equipment/manage').type('form').send(fields);
      expect(missing.status).to.equal(422);
      expect(/id="f-rate_research_assisted-error">([^<]*)</.exec(missing.text)?.[1]).to.contain('请填写该使用方式各类用户的收费标准');
      const ok = await manager.post('/equipment/manage').type('form').send({ ...fields, rate_research_assisted: '20.5' });
      expect(ok.status).to.equal(303);
      const [row] = await t.db.select().from(equipment).where(eq(equipment.code, 'DH-SY-0001'));
      expect(row).to.deep.include({ nodeId: await nodeId(t.db, 'ST-DINGHAI'), modes: ['assisted'], billing: 'booked', specs: [{ label: '工作室尺寸', value: '1000×750×500 mm' }, { label: '温度范围', value: '室温～55 ℃' }] });
      expect(row!.rates).to.deep.equal({ park: { assisted: 3000 }, other: { assisted: 4000 }, research: { assisted: 2050 } });
      // staff of the node record a training by the trainee's mobile number
      const staffAgent = await signedIn(t, await createUser(t.db, 'lab_staff', { nodeCode: 'ST-DINGHAI' }));
      const page = await staffAgent.get(`/equipment/manage/${row!.id}`);
      expect(page.text).not.to.contain('name="code"'); // only managers edit the description
      const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const unknown = await staffAgent.post(`/equipment/manage/${row!.id}/trainings`).type('form').send({ _csrf: token, mobile: '13700000001', trainedOn: '2026-09-20', trainer: '孙强' });
      expect(unknown.status).to.equal(422);
      expect(unknown.text).to.contain('没有找到使用该手机号的企业用户');
      const trained = await staffAgent.post(`/equipment/manage/${row!.id}/trainings`).type('form').send({ _csrf: token, mobile: parkCompany.user.mobile, trainedOn: '2026-09-20', trainer: '孙强' });
      expect(trained.status).to.equal(303);
    });
  });

  describe('photos, and instruments companies offer', () => {
    it('takes a JPG or PNG judged by content as the photo, and refuses anything else without leaving a file', async () => {
      const e = await createEquipment(t.db);
      const manager = await signedIn(t, await createUser(t.db, 'node_manager', { nodeCode: 'ZS-METROLOGY' }));
      const page = await manager.get(`/equipment/manage/${e.id}`);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const before = filesUnder(t.uploadDir).length;
      for (const [buffer, name, message] of [[PDF, 'photo.pdf', '设备照片须为 JPG 或 PNG 图片'], [EXE, 'photo.png', '不是允许的类型']] as const) {
        const refused = await postMultipart(manager, `/equipment/manage/${e.id}/photo`, { _csrf: csrf }, [{ field: 'file_equipment_photo', buffer, name }]);
        expect(refused.status, name).to.equal(422);
        expect(/id="f-photo-error">([^<]*)</.exec(refused.text)?.[1], name).to.contain(message);
      }
      expect(filesUnder(t.uploadDir).length).to.equal(before);
      const ok = await postMultipart(manager, `/equipment/manage/${e.id}/photo`, { _csrf: csrf }, [{ field: 'file_equipment_photo', buffer: PNG, name: '色谱仪.png' }]);
      expect(ok.status).to.equal(303);
      const photo = await agentFor(t.app).get(`/equipment/${e.id}/photo`);
      expect(photo.status).to.equal(200);
      expect(photo.headers['content-type']).to.equal('image/png');
      expect(filesUnder(t.uploadDir).length).to.equal(before + 1);
    });

    it("lists a company's instrument only after the platform approved it; a refusal needs a reason; both sides are told", async () => {
      const form = await a.get('/equipment/offer');
      expect(form.status).to.equal(200);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
      const dinghai = await nodeId(t.db, 'ST-DINGHAI');
      const fields = { _csrf: csrf, nodeId: String(dinghai), code: 'HX-SY-0001', name: '企业闲置的盐雾试验箱', category: '环境与可靠性试验', modeAssisted: 'on', rate_park_assisted: '20', rate_other_assisted: '30', rate_research_assisted: '15', openFrom: '08:30', openUntil: '17:00', minNoticeHours: '24', maxHours: '8', horizonDays: '30', noShowMinutes: '30', billing: 'booked', status: 'available' };
      expect((await a.post('/equipment/offers').type('form').send({ ...fields, nodeId: '' })).status).to.equal(422);
      expect((await a.post('/equipment/offers').type('form').send(fields)).status).to.equal(303);
      const [offer] = await t.db.select().from(equipment).where(eq(equipment.code, 'HX-SY-0001'));
      expect(offer).to.include({ review: 'pending', ownerEnterpriseId: parkCompany.enterprise.id, nodeId: dinghai, autoApprove: false });
      expect((await agentFor(t.app).get('/equipment')).text).not.to.contain('企业闲置的盐雾试验箱');
      expect((await agentFor(t.app).get(`/equipment/${offer!.id}`)).status).to.equal(404);
      const admin = await signedIn(t, await createUser(t.db, 'platform_admin'));
      const page = await admin.get(`/equipment/manage/${offer!.id}`);
      expect(page.text).to.contain('待审核').and.contain('舟山园区测试船舶有限公司');
      const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const bare = await admin.post(`/equipment/manage/${offer!.id}/review`).type('form').send({ _csrf: token, decision: 'reject' });
      expect(bare.status).to.equal(422);
      expect(bare.text).to.contain('不予通过时请填写审核意见');
      expect((await admin.post(`/equipment/manage/${offer!.id}/review`).type('form').send({ _csrf: token, decision: 'approve' })).status).to.equal(303);
      expect((await agentFor(t.app).get('/equipment')).text).to.contain('企业闲置的盐雾试验箱');
      const told = await t.db.select().from(notifications).where(and(eq(notifications.userId, parkCompany.user.id), eq(notifications.title, '共享设备审核：已通过')));
      expect(told).to.have.length(1);
      // the host node runs its bookings
      expect((await bookViaForm(b, offer!.id, { startTime: '09:00', endTime: '10:00' })).status).to.equal(303);
      expect((await rowsOfEquipment(t, offer!.id))[0]).to.include({ nodeId: dinghai, rateCents: 3000 });
    });
  });

  describe('utilisation statistics', () => {
    it("shows a node's instruments with open, booked and used hours, by user category and park, and exports them", async () => {
      const e = await createEquipment(t.db, { name: '统计用电感耦合等离子体发射光谱仪' });
      await t.db.insert(equipmentBookings).values({ number: 'YQ-20260922-0901', kind: 'booking', equipmentId: e.id, nodeId: e.nodeId, enterpriseId: parkCompany.enterprise.id, parkId: parkCompany.enterprise.parkId, userCategory: 'park', mode: 'assisted', startsAt: new Date('2026-09-22T09:00:00+08:00'), endsAt: new Date('2026-09-22T12:00:00+08:00'), status: 'checked_out', rateCents: 20_000, billing: 'actual', checkedInAt: new Date('2026-09-22T09:00:00+08:00'), checkedOutAt: new Date('2026-09-22T11:00:00+08:00'), chargedMinutes: 120, amountCents: 40_000 });
      const manager = await signedIn(t, await createUser(t.db, 'node_manager', { nodeCode: 'ZS-METROLOGY' }));
      const page = await manager.get('/equipment/stats?period=month');
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('各设备机时利用').and.contain('按用户类别').and.contain('园区企业').and.contain('定海工业园区');
      const csv = await manager.get('/equipment/stats/export/instruments.csv?period=month');
      expect(csv.status).to.equal(200);
      expect(csv.text).to.contain('开放机时（小时）').and.contain('利用率');
      // September 2026 to the 28th: 20 working days (Mid-Autumn 9-25 off, Sunday 9-20 a make-up workday) × 8.5 h = 170 h
      // open; 3 h booked → 1.8 %, 2 h used → 1.2 %
      const line = csv.text.split('\r\n').find((l) => l.startsWith('统计用电感耦合等离子体发射光谱仪'))!;
      expect(line.split(',').slice(3, 9)).to.deep.equal(['170.0', '0.0', '3.0', '2.0', '1.8%', '1.2%']);
      expect((await a.get('/equipment/stats')).status).to.equal(403);
    });
  });
});

describe('open sharing: the no-show rule', function () {
  this.timeout(60_000);
  const clock = settableClock(MONDAY_BEFORE_NATIONAL_DAY);
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ clock });
  });
  after(() => t?.close());

  it('records no-shows after N minutes (job or staff), and the third in 90 days suspends self-booking with a notice', async () => {
    const e = await createEquipment(t.db, { autoApprove: true, noShowMinutes: 30 });
    const company = await createCompanyUser(t.db, { name: '屡次爽约测试有限公司' });
    const colleague = await createUser(t.db, 'enterprise', { enterpriseId: company.enterprise.id });
    await trainUser(t.db, e.id, company.user.id);
    const agent = agentFor(t.app);
    await login(agent, company.user.mobile, TEST_PASSWORD);
    const staff = agentFor(t.app);
    await login(staff, (await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' })).mobile, TEST_PASSWORD);
    const days = ['2026-09-29', '2026-09-30', '2026-10-08'];
    const numbers: string[] = [];
    for (const date of days) numbers.push(numberOf(await bookViaForm(agent, e.id, { date, mode: 'self', startTime: '09:00', endTime: '10:00' })));
    expect((await rowsOfEquipment(t, e.id)).every((r) => r.status === 'approved')).to.equal(true);

    // staff may not record a no-show before the grace period is over
    clock.set('2026-09-29T09:20:00+08:00');
    const early = await equipmentAction(staff, numbers[0]!, 'no_show');
    expect(early.status).to.equal(409);
    expect(early.text).to.contain('开始 30 分钟后仍未签到，才能记为爽约');
    clock.set('2026-09-29T09:31:00+08:00');
    expect((await equipmentAction(staff, numbers[0]!, 'no_show')).status).to.equal(303);
    // the periodic job records the next two
    clock.set('2026-09-30T09:45:00+08:00');
    expect(await t.services.equipment.desk.sweepNoShows()).to.equal(1);
    expect(await t.db.$count(equipmentSuspensions)).to.equal(0);
    clock.set('2026-10-08T09:40:00+08:00');
    expect(await t.services.equipment.desk.sweepNoShows()).to.equal(1);
    expect(await t.services.equipment.desk.sweepNoShows()).to.equal(0); // nothing left: the job is idempotent

    const rows = await rowsOfEquipment(t, e.id);
    expect(rows.map((r) => r.status)).to.deep.equal(['no_show', 'no_show', 'no_show']);
    const [suspension] = await t.db.select().from(equipmentSuspensions).where(eq(equipmentSuspensions.enterpriseId, company.enterprise.id));
    expect(suspension).to.include({ violations: 3 });
    expect(suspension!.endsAt.toISOString()).to.equal(new Date('2026-11-07T09:40:00+08:00').toISOString());
    for (const userId of [company.user.id, colleague.id]) {
      const notes = await t.db.select().from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.title, '共享仪器自助预约已暂停')));
      expect(notes, `notice to user ${userId}`).to.have.length(1);
      expect(notes[0]!.body).to.contain('90 天内爽约 3 次');
    }
    const refused = await bookViaForm(agent, e.id, { date: '2026-10-12', mode: 'self' });
    expect(refused.status).to.equal(409);
    expect(refused.text).to.contain('共享仪器在线预约已暂停至 2026-11-07 09:40');
    expect((await agent.get('/equipment/bookings')).text).to.contain('在线预约已暂停');

    // the platform lifts it (with a reason), and the company books again: the positive control
    const admin = agentFor(t.app);
    await login(admin, (await createUser(t.db, 'platform_admin')).mobile, TEST_PASSWORD);
    const rulesPage = await admin.get('/equipment/rules');
    expect(rulesPage.text).to.contain('屡次爽约测试有限公司');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(rulesPage.text)![1]!;
    expect((await admin.post(`/equipment/suspensions/${suspension!.id}/lift`).type('form').send({ _csrf: csrf, reason: '' })).status).to.equal(422);
    expect((await admin.post(`/equipment/suspensions/${suspension!.id}/lift`).type('form').send({ _csrf: csrf, reason: '企业已说明情况' })).status).to.equal(303);
    expect((await bookViaForm(agent, e.id, { date: '2026-10-12', mode: 'self' })).status).to.equal(303);
  });

  it('counts only no-shows within the window, under the rule the platform set', async () => {
    const admin = agentFor(t.app);
    await login(admin, (await createUser(t.db, 'platform_admin')).mobile, TEST_PASSWORD);
    const page = await admin.get('/equipment/rules');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const bad = await admin.post('/equipment/rules').type('form').send({ _csrf: csrf, noShowLimit: '0', windowDays: '30', suspensionDays: '7' });
    expect(bad.status).to.equal(422);
    expect(bad.text).to.contain('爽约次数不能小于 1');
    expect((await admin.post('/equipment/rules').type('form').send({ _csrf: csrf, noShowLimit: '2', windowDays: '30', suspensionDays: '7' })).status).to.equal(303);
    const e = await createEquipment(t.db);
    const company = await createCompanyUser(t.db);
    // one no-show 40 days ago (outside the 30-day window) and one now: no suspension
    const row = (startsAt: string, number: string) => ({ number, kind: 'booking', equipmentId: e.id, nodeId: e.nodeId, enterpriseId: company.enterprise.id, userCategory: 'park', mode: 'assisted', startsAt: new Date(startsAt), endsAt: new Date(new Date(startsAt).getTime() + 3600_000), status: 'approved' as const, rateCents: 100, billing: 'actual' });
    await t.db.insert(equipmentBookings).values([{ ...row('2026-08-20T09:00:00+08:00', 'YQ-20260820-0901'), status: 'no_show' }, row('2026-10-14T13:00:00+08:00', 'YQ-20261014-0901'), row('2026-10-15T13:00:00+08:00', 'YQ-20261015-0901')]);
    const statuses = async () => (await rowsOfEquipment(t, e.id)).map((r) => `${r.number}:${r.status}`).sort();
    clock.set('2026-10-14T14:00:00+08:00');
    await t.services.equipment.desk.sweepNoShows();
    expect(await statuses()).to.deep.equal(['YQ-20260820-0901:no_show', 'YQ-20261014-0901:no_show', 'YQ-20261015-0901:approved']);
    expect(await t.db.$count(equipmentSuspensions, eq(equipmentSuspensions.enterpriseId, company.enterprise.id))).to.equal(0);
    clock.set('2026-10-15T14:00:00+08:00');
    await t.services.equipment.desk.sweepNoShows();
    expect(await statuses()).to.deep.equal(['YQ-20260820-0901:no_show', 'YQ-20261014-0901:no_show', 'YQ-20261015-0901:no_show']);
    const [s] = await t.db.select().from(equipmentSuspensions).where(eq(equipmentSuspensions.enterpriseId, company.enterprise.id));
    expect(s).to.include({ violations: 2 });
    expect(s!.endsAt.toISOString()).to.equal(new Date('2026-10-22T14:00:00+08:00').toISOString());
  });
});
