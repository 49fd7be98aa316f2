import ExcelJS from 'exceljs';
import { expect } from 'chai';
import { and, eq, isNull } from 'drizzle-orm';
import { parse } from 'node-html-parser';
import {
  bookingItems, bookings, calendarDays, calendarFeeds, enterprises, equipment, equipmentBookings, equipmentSuspensions, equipmentTrainings, instrumentImports, instruments,
  invoiceRequests, ledgerSettings, nodeServices, nodeServiceWindows, oilLimits, outbox, prices, services, sharingRules, users,
} from '../../src/db/schema.js';
import { EQUIPMENT_CATEGORIES, MODES, USER_CATEGORIES } from '../../src/equipment/domain.js';
import { agentFor, login, type Agent } from '../support/app.js';
import { PNG } from '../support/bookings.js';
import { bookViaForm, createEquipment } from '../support/equipment.js';
import { createCompanyUser, TEST_PASSWORD, validCreditCode } from '../support/factories.js';
import { addInstrument, binary } from '../support/ledger.js';
import { freshBooking, type InScopeSpec } from './actions.js';
import type { PrincipalKey, World } from './fixture.js';

/**
 * The in-scope requests of the features added after the first security suite (fees, oil limits, the instrument
 * ledger, open sharing of equipment, the holiday calendar, 大字版, the outbox, service windows). Same rules as
 * actions.ts: a record made fresh for each request, fields as the route's form sends them, and a `done` that reads
 * from the database the change the route is for.
 */
let counter = 0;
const next = () => ++counter;
const redirected = (res: { status: number }) => expect([302, 303], `answered ${res.status}`).to.include(res.status);
const agentOf = (w: World, who: PrincipalKey | 'fresh'): Agent => (who === 'anon' || who === 'fresh' ? agentFor(w.t.app) : w.agents[who]);
const userOf = (w: World, who: PrincipalKey | 'fresh') => w.users[who as Exclude<PrincipalKey, 'anon'>];
const companyOf = (w: World, who: PrincipalKey | 'fresh') => (who === 'entB' ? w.companyB : w.companyA);

/**
 * What a person would post from the form `formId` of a page: its named controls (not those another form owns), checked
 * boxes, and in each radio group the checked option — or, where none is checked yet, the first (the earliest window).
 */
async function formOf(agent: Agent, url: string, formId: string): Promise<Record<string, string | string[]>> {
  const res = await agent.get(url);
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  const root = parse(res.text);
  const out: Record<string, string | string[]> = {};
  const firstRadio: Record<string, string> = {};
  for (const el of [...root.querySelectorAll(`#${formId} input, #${formId} select, #${formId} textarea`), ...root.querySelectorAll(`[form="${formId}"]`)]) {
    const name = el.getAttribute('name');
    const type = (el.getAttribute('type') ?? '').toLowerCase();
    const owner = el.getAttribute('form');
    if (!name || name === '_csrf' || type === 'submit' || (owner && owner !== formId)) continue;
    if (type === 'radio' && !el.hasAttribute('checked')) {
      firstRadio[name] ??= el.getAttribute('value') ?? '';
      continue;
    }
    if (type === 'checkbox' && !el.hasAttribute('checked')) continue;
    const value = el.tagName === 'SELECT' ? ((el.querySelector('option[selected]') ?? el.querySelector('option'))?.getAttribute('value') ?? '') : el.tagName === 'TEXTAREA' ? el.text : (el.getAttribute('value') ?? '');
    const had = out[name];
    out[name] = had === undefined ? value : [had].flat().concat(value);
  }
  for (const [name, value] of Object.entries(firstRadio)) out[name] ??= value;
  return out;
}

/** An instrument as the node's form describes it (assisted use, a rate for every user category). */
function equipmentFields(code: string, name: string, nodeId: number | '' = '') {
  const rates = Object.fromEntries(USER_CATEGORIES.flatMap((c) => MODES.map((m) => [`rate_${c}_${m}`, m === 'assisted' ? '180' : ''])));
  return {
    nodeId: String(nodeId), code, name, category: EQUIPMENT_CATEGORIES[0], model: 'GCMS-QP2020 NX', maker: '岛津', location: '理化实验室 203', specs: '质量范围：1.5–1090 u', methods: 'GB/T 11132 液体石油产品烃类测定',
    description: '用于测试的共享设备。', modeAssisted: 'on', ...rates, openFrom: '08:30', openUntil: '17:00', minNoticeHours: '24', maxHours: '4', horizonDays: '30', noShowMinutes: '30', billing: 'actual', status: 'available', statusNote: '',
  };
}

const equipmentRow = async (w: World, id: number) => (await w.t.db.select().from(equipment).where(eq(equipment.id, id)))[0]!;
const freshEquipment = (w: World, o: Parameters<typeof createEquipment>[1] = {}) => createEquipment(w.t.db, { nodeCode: 'ZS-METROLOGY', ...o });

/** A service of its own (a price target), or a calibration service offered at N1 whose windows touch no fixture booking. */
async function freshService(w: World, kind: 'consultation' | 'calibration' = 'consultation') {
  const n = next();
  const code = `BZ-MORE-${n}`;
  const [cal] = await w.t.db.select({ category: services.categoryCode }).from(services).where(eq(services.code, 'CAL-PG'));
  const [row] = await w.t.db
    .insert(services)
    .values({ code, name: `测试服务甲${n}`, categoryCode: kind === 'calibration' ? cal!.category : 'standards', bookingKind: kind, summary: '用于测试的服务简介文字。', standards: [], turnaroundDays: 5, feeBasis: '免费', requiredDocuments: [], deliveryModes: ['online'] })
    .returning({ id: services.id });
  return { id: row!.id, code };
}

/** A ledger upload as a person fills in the downloaded template: one valid row. */
async function ledgerWorkbook(agent: Agent, serial: string): Promise<Buffer> {
  const template = (await agent.get('/instruments/template.xlsx').buffer(true).parse(binary)).body as Buffer;
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(template as unknown as ArrayBuffer);
  const row = ['一般压力表', '一般压力表(弹性元件式)', 'Y-100', serial, '', '', '', '', '', '否', '', '', '', '在用', '', '', '', ''];
  row.forEach((v, j) => (wb.getWorksheet('计量器具台账')!.getCell(2, j + 1).value = v));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export const IN_SCOPE_MORE: Record<string, InScopeSpec> = {
  // ───── fees ─────
  'POST /bookings/:no/invoice': {
    who: ['entA'],
    async prepare(w) {
      await w.t.db.update(enterprises).set({ invoiceTitle: w.companyA.name, invoiceTaxNo: '91330902MA2A0B1C4N' }).where(eq(enterprises.id, w.companyA.id));
      const number = await freshBooking(w, ['accept']); // the fee is confirmed at acceptance
      const requested = async () => w.t.db.$count(invoiceRequests, eq(invoiceRequests.bookingId, (await w.t.db.select({ id: bookings.id }).from(bookings).where(eq(bookings.number, number)))[0]!.id));
      return { agent: w.agents.entA, url: `/bookings/${number}/invoice`, fields: {}, signedIn: true, done: async (res) => (redirected(res), expect(await requested()).to.equal(1)) };
    },
  },
  'POST /admin/fees': {
    who: ['admin'],
    async prepare(w) {
      const { code } = await freshService(w);
      const basis = `舟价费〔2026〕${next()}号`;
      return {
        agent: w.agents.admin,
        url: '/admin/fees',
        fields: { targetKind: 'service', targetCode: code, nodeId: '', unit: '每次', priceType: 'estimate', amount: '120', basis, publisher: '', urgentPercent: '', effectiveFrom: '2026-10-08' },
        signedIn: true,
        done: async (res) => (redirected(res), expect((await w.t.db.select({ cents: prices.amountCents, basis: prices.basis }).from(prices).where(eq(prices.targetCode, code)))).to.deep.equal([{ cents: 12_000, basis }])),
      };
    },
  },
  'POST /enterprises/:id/invoice-info': {
    who: ['entA'],
    async prepare(w) {
      const title = `甲保密船舶机械有限公司开票${next()}`;
      const stored = async () => (await w.t.db.select({ t: enterprises.invoiceTitle, b: enterprises.invoiceBankAccount }).from(enterprises).where(eq(enterprises.id, w.companyA.id)))[0]!;
      return {
        agent: w.agents.entA,
        url: `/enterprises/${w.companyA.id}/invoice-info`,
        fields: { invoiceTitle: title, invoiceTaxNo: '91330902MA2A0B1C4N', invoiceAddressPhone: '舟山市定海区测试路 1 号 0580-2281001', invoiceBankAccount: '舟山银行定海支行 1234567890' },
        signedIn: true,
        done: async (res) => (redirected(res), expect(await stored()).to.deep.equal({ t: title, b: '舟山银行定海支行 1234567890' })),
      };
    },
  },
  'POST /admin/oil-limits/:id/verify': {
    who: ['admin'],
    async prepare(w) {
      const [limit] = await w.t.db.select({ id: oilLimits.id }).from(oilLimits).where(eq(oilLimits.verified, false)).orderBy(oilLimits.id).limit(1);
      expect(limit, 'an unverified limit to verify').not.to.equal(undefined);
      const verified = async () => (await w.t.db.select({ v: oilLimits.verified, by: oilLimits.verifiedBy }).from(oilLimits).where(eq(oilLimits.id, limit!.id)))[0]!;
      return { agent: w.agents.admin, url: `/admin/oil-limits/${limit!.id}/verify`, fields: { note: '已对照 GB 17411-2015 表 1 核实' }, signedIn: true, done: async (res) => (redirected(res), expect(await verified()).to.deep.equal({ v: true, by: w.users.admin.id })) };
    },
  },
  'POST /admin/outbox/:id/retry': {
    who: ['admin'],
    async prepare(w) {
      const [m] = await w.t.db.insert(outbox).values({ kind: 'email', payload: { to: 'li.na@example.com', subject: '计量器具到期提醒', text: '…' }, status: 'failed', attempts: 10, maxAttempts: 10, lastError: '550 mailbox unavailable' }).returning({ id: outbox.id });
      const status = async () => (await w.t.db.select({ s: outbox.status }).from(outbox).where(eq(outbox.id, m!.id)))[0]!.s;
      return { agent: w.agents.admin, url: `/admin/outbox/${m!.id}/retry`, fields: {}, signedIn: true, done: async (res) => (redirected(res), expect(await status()).to.equal('pending')) };
    },
  },

  // ───── the instrument ledger ─────
  'POST /instruments': {
    who: ['entA', 'entB'],
    async prepare(w, who) {
      const serialNo = `LEDGER-NEW-${next()}`;
      const company = companyOf(w, who);
      return {
        agent: agentOf(w, who),
        url: '/instruments',
        fields: { name: '一般压力表', categoryCode: 'CAL-PG', model: 'Y-100', serialNo, manufacturer: '', measuringRange: '0-1.6 MPa', accuracyClass: '1.6', department: '船坞车间', location: '', compulsory: 'no', compulsoryUse: '', regime: 'periodic', periodMonths: '', status: 'in_use', lastCalibrationDate: '', certificateNo: '', conclusion: '', nextDueDate: '2027-03-01' },
        signedIn: true,
        done: async (res) => (redirected(res), expect(await w.t.db.$count(instruments, and(eq(instruments.enterpriseId, company.id), eq(instruments.serialNo, serialNo)))).to.equal(1)),
      };
    },
  },
  'POST /instruments/:id': {
    who: ['entA'],
    async prepare(w) {
      const entry = await addInstrument(w.t, w.companyA.id, { serialNo: `LEDGER-EDIT-${next()}` });
      const department = `二号船坞${next()}`;
      const stored = async () => (await w.t.db.select({ d: instruments.department, s: instruments.status }).from(instruments).where(eq(instruments.id, entry.id)))[0]!;
      return {
        agent: w.agents.entA,
        url: `/instruments/${entry.id}`,
        fields: { name: entry.name, categoryCode: entry.categoryCode, model: '', serialNo: entry.serialNo, manufacturer: '', measuringRange: '', accuracyClass: '', department, location: '', compulsory: 'no', compulsoryUse: '', regime: 'periodic', periodMonths: '', status: 'sealed', lastCalibrationDate: '', certificateNo: '', conclusion: '', nextDueDate: '' },
        signedIn: true,
        done: async (res) => (redirected(res), expect(await stored()).to.deep.equal({ d: department, s: 'sealed' })),
      };
    },
  },
  'POST /instruments/:id/delete': {
    who: ['entA'],
    async prepare(w) {
      const entry = await addInstrument(w.t, w.companyA.id, { serialNo: `LEDGER-DEL-${next()}` });
      return { agent: w.agents.entA, url: `/instruments/${entry.id}/delete`, fields: {}, signedIn: true, done: async (res) => (redirected(res), expect(await w.t.db.$count(instruments, eq(instruments.id, entry.id))).to.equal(0)) };
    },
  },
  'POST /instruments/import': {
    who: ['entA', 'entB'],
    upload: true,
    needsFile: true,
    async prepare(w, who) {
      const agent = agentOf(w, who);
      const user = userOf(w, who);
      const serial = `IMPORT-NEW-${next()}`;
      const buffer = await ledgerWorkbook(agent, serial);
      const previews = () => w.t.db.select({ token: instrumentImports.token, rows: instrumentImports.rows, valid: instrumentImports.valid }).from(instrumentImports).where(eq(instrumentImports.userId, user.id));
      const before = (await previews()).length;
      return {
        agent,
        url: '/instruments/import',
        fields: {},
        files: [{ field: 'file_instrument_list', buffer, name: '台账.xlsx' }],
        signedIn: true,
        async done(res) {
          expect(res.status).to.equal(303);
          const all = await previews();
          expect(all.length, 'a preview waits for confirmation').to.equal(before + 1);
          const made = all.find((p) => res.headers.location!.endsWith(`/${p.token}`))!;
          expect(made.valid).to.equal(1);
          expect(JSON.stringify(made.rows)).to.contain(serial);
        },
      };
    },
  },
  'POST /instruments/import/:token': {
    who: ['entA'],
    async prepare(w) {
      const serial = `IMPORT-OK-${next()}`;
      const token = `fresh-import-token-${String(next()).padStart(6, '0')}`;
      const values = { name: '一般压力表', categoryCode: 'CAL-PG', model: '', serialNo: serial, serialKey: serial, manufacturer: '', measuringRange: '', accuracyClass: '', department: '', location: '', compulsory: false, compulsoryUse: null, regime: 'periodic', periodMonths: null, status: 'in_use', lastCalibrationDate: null, certificateNo: null, conclusion: null, nextDueDate: null, dueSource: null };
      await w.t.db.insert(instrumentImports).values({ token, enterpriseId: w.companyA.id, userId: w.users.entA.id, fileName: '台账.xlsx', rows: [{ line: 2, name: values.name, serialNo: serial, category: '一般压力表(弹性元件式)', values, errors: [] }], total: 1, valid: 1 });
      return { agent: w.agents.entA, url: `/instruments/import/${token}`, fields: {}, signedIn: true, done: async (res) => (redirected(res), expect(await w.t.db.$count(instruments, and(eq(instruments.enterpriseId, w.companyA.id), eq(instruments.serialNo, serial)))).to.equal(1)) };
    },
  },
  'POST /instruments/book': {
    who: ['entA'],
    async prepare(w) {
      const serial = `BOOK-${next()}`;
      const entry = await addInstrument(w.t, w.companyA.id, { serialNo: serial, nextDueDate: '2026-10-10' });
      const fields = await formOf(w.agents.entA, `/instruments/book?ids=${entry.id}`, 'book-form');
      const booked = () => w.t.db.select({ status: bookings.status }).from(bookingItems).innerJoin(bookings, eq(bookings.id, bookingItems.bookingId)).where(and(eq(bookings.enterpriseId, w.companyA.id), eq(bookingItems.serialNo, serial)));
      return { agent: w.agents.entA, url: '/instruments/book', fields, signedIn: true, done: async (res) => (redirected(res), expect(await booked()).to.deep.equal([{ status: 'submitted' }])) };
    },
  },
  'POST /instruments/settings': {
    who: ['entA', 'entB'],
    async prepare(w, who) {
      const company = companyOf(w, who);
      await w.t.db.delete(ledgerSettings).where(eq(ledgerSettings.enterpriseId, company.id));
      const on = async () => (await w.t.db.select({ on: ledgerSettings.emailReminders }).from(ledgerSettings).where(eq(ledgerSettings.enterpriseId, company.id)))[0]?.on;
      return { agent: agentOf(w, who), url: '/instruments/settings', fields: { emailReminders: 'on' }, signedIn: true, done: async (res) => (redirected(res), expect(await on()).to.equal(true)) };
    },
  },
  'POST /instruments/calendar': {
    who: ['entA', 'entB'],
    async prepare(w, who) {
      const user = userOf(w, who);
      const feeds = () => w.t.db.select({ id: calendarFeeds.id, revoked: calendarFeeds.revokedAt }).from(calendarFeeds).where(eq(calendarFeeds.userId, user.id));
      const before = (await feeds()).map((f) => f.id);
      return {
        agent: agentOf(w, who),
        url: '/instruments/calendar',
        fields: {},
        signedIn: true,
        async done(res) {
          redirected(res);
          const after = await feeds();
          const made = after.filter((f) => !before.includes(f.id));
          expect(made, 'a new address').to.have.length(1);
          expect(after.filter((f) => f.revoked === null).map((f) => f.id), 'only the new address is active').to.deep.equal([made[0]!.id]);
        },
      };
    },
  },
  'POST /instruments/calendar/revoke': {
    who: ['entA', 'entB'],
    async prepare(w, who) {
      const user = userOf(w, who);
      await w.t.services.ledger.createFeed((await w.t.services.auth.loadPrincipal(user.id))!);
      const active = () => w.t.db.$count(calendarFeeds, and(eq(calendarFeeds.userId, user.id), isNull(calendarFeeds.revokedAt)));
      expect(await active()).to.equal(1);
      return { agent: agentOf(w, who), url: '/instruments/calendar/revoke', fields: {}, signedIn: true, done: async (res) => (redirected(res), expect(await active()).to.equal(0)) };
    },
  },

  // ───── open sharing of equipment ─────
  'POST /equipment/:id/bookings': {
    who: ['entA', 'entB'],
    async prepare(w, who) {
      const eqp = await freshEquipment(w);
      const purpose = `船用燃料油闪点测定${next()}`;
      const made = () => w.t.db.select({ status: equipmentBookings.status, enterpriseId: equipmentBookings.enterpriseId }).from(equipmentBookings).where(and(eq(equipmentBookings.equipmentId, eqp.id), eq(equipmentBookings.purpose, purpose)));
      return {
        agent: agentOf(w, who),
        url: `/equipment/${eqp.id}/bookings`,
        fields: { idempotencyKey: `more-key-${next()}-${Date.now()}`, date: '2026-09-30', startTime: '09:00', endTime: '11:00', mode: 'assisted', purpose, sampleNote: '', contactName: '测试联系人', contactMobile: '13800138000' },
        signedIn: true,
        done: async (res) => (redirected(res), expect(await made()).to.deep.equal([{ status: 'requested', enterpriseId: companyOf(w, who).id }])),
      };
    },
  },
  'POST /equipment/bookings/:no/:action': {
    who: ['staff1', 'mgr1'],
    async prepare(w, who) {
      const eqp = await freshEquipment(w);
      const booked = await bookViaForm(w.agents.entA, eqp.id, { date: '2026-09-30', purpose: '盐雾试验' });
      expect(booked.status, booked.text?.slice(0, 300)).to.equal(303);
      const number = String(booked.headers.location).split('/').pop()!;
      const status = async () => (await w.t.db.select({ s: equipmentBookings.status }).from(equipmentBookings).where(eq(equipmentBookings.number, number)))[0]!.s;
      expect(await status()).to.equal('requested');
      return { agent: agentOf(w, who), url: `/equipment/bookings/${number}/approve`, fields: {}, signedIn: true, done: async (res) => (redirected(res), expect(await status()).to.equal('approved')) };
    },
  },
  'POST /equipment/manage': {
    who: ['mgr1', 'mgr2', 'admin'],
    async prepare(w, who) {
      const code = `EQ-NEW-${next()}`;
      const nodeId = who === 'mgr2' ? w.y.nodeId : w.x.nodeId;
      const made = () => w.t.db.select({ nodeId: equipment.nodeId, name: equipment.name }).from(equipment).where(eq(equipment.code, code));
      return { agent: agentOf(w, who), url: '/equipment/manage', fields: equipmentFields(code, '新增测试色谱仪', who === 'admin' ? nodeId : ''), signedIn: true, done: async (res) => (redirected(res), expect(await made()).to.deep.equal([{ nodeId, name: '新增测试色谱仪' }])) };
    },
  },
  'POST /equipment/manage/:id': {
    who: ['mgr1', 'admin'],
    async prepare(w, who) {
      const eqp = await freshEquipment(w);
      const name = `改名后的共享设备${next()}`;
      const location = `理化实验室 ${next()}`;
      const fields = { ...equipmentFields(eqp.code, name, who === 'admin' ? eqp.nodeId : ''), location, model: 'GCMS-TQ8050 NX', rate_park_assisted: '150' };
      return {
        agent: agentOf(w, who),
        url: `/equipment/manage/${eqp.id}`,
        fields,
        signedIn: true,
        async done(res) {
          redirected(res);
          const row = await equipmentRow(w, eqp.id);
          expect({ name: row.name, location: row.location, model: row.model, methods: row.methods, park: row.rates.park?.assisted }).to.deep.equal({ name, location, model: 'GCMS-TQ8050 NX', methods: ['GB/T 11132 液体石油产品烃类测定'], park: 15_000 });
        },
      };
    },
  },
  'POST /equipment/manage/:id/photo': {
    who: ['mgr1', 'admin'],
    upload: true,
    needsFile: true,
    async prepare(w, who) {
      const eqp = await freshEquipment(w);
      return {
        agent: agentOf(w, who),
        url: `/equipment/manage/${eqp.id}/photo`,
        fields: {},
        files: [{ field: 'file_equipment_photo', buffer: PNG, name: '设备照片.png' }],
        signedIn: true,
        async done(res) {
          redirected(res);
          const row = await equipmentRow(w, eqp.id);
          expect(row.photoName).to.be.a('string');
          expect(row.photoMime).to.equal('image/png');
        },
      };
    },
  },
  'POST /equipment/manage/:id/trainings': {
    who: ['staff1', 'mgr1'],
    async prepare(w, who) {
      const eqp = await freshEquipment(w);
      const { user } = await createCompanyUser(w.t.db, { name: `培训学员${next()}有限公司` });
      const trained = () => w.t.db.select({ trainedOn: equipmentTrainings.trainedOn, trainer: equipmentTrainings.trainer }).from(equipmentTrainings).where(and(eq(equipmentTrainings.equipmentId, eqp.id), eq(equipmentTrainings.userId, user.id)));
      return { agent: agentOf(w, who), url: `/equipment/manage/${eqp.id}/trainings`, fields: { mobile: user.mobile, trainedOn: '2026-09-01', validUntil: '', trainer: '王培训' }, signedIn: true, done: async (res) => (redirected(res), expect(await trained()).to.deep.equal([{ trainedOn: '2026-09-01', trainer: '王培训' }])) };
    },
  },
  'POST /equipment/manage/:id/trainings/:tid/revoke': {
    who: ['staff1', 'mgr1'],
    async prepare(w, who) {
      const eqp = await freshEquipment(w);
      const [t] = await w.t.db.insert(equipmentTrainings).values({ equipmentId: eqp.id, userId: w.users.entB.id, trainedOn: '2026-01-01', trainer: '培训员' }).returning({ id: equipmentTrainings.id });
      const revoked = async () => (await w.t.db.select({ r: equipmentTrainings.revokedAt }).from(equipmentTrainings).where(eq(equipmentTrainings.id, t!.id)))[0]!.r;
      return { agent: agentOf(w, who), url: `/equipment/manage/${eqp.id}/trainings/${t!.id}/revoke`, fields: {}, signedIn: true, done: async (res) => (redirected(res), expect(await revoked()).to.be.instanceOf(Date)) };
    },
  },
  'POST /equipment/manage/:id/blocks': {
    who: ['staff1', 'mgr1'],
    async prepare(w, who) {
      const eqp = await freshEquipment(w);
      const reason = `年度维护保养${next()}`;
      const blocks = () => w.t.db.select({ kind: equipmentBookings.kind, status: equipmentBookings.status }).from(equipmentBookings).where(and(eq(equipmentBookings.equipmentId, eqp.id), eq(equipmentBookings.purpose, reason)));
      return { agent: agentOf(w, who), url: `/equipment/manage/${eqp.id}/blocks`, fields: { startDate: '2026-10-12', startTime: '09:00', endDate: '2026-10-12', endTime: '12:00', reason }, signedIn: true, done: async (res) => (redirected(res), expect(await blocks()).to.deep.equal([{ kind: 'maintenance', status: 'approved' }])) };
    },
  },
  'POST /equipment/offers': {
    who: ['entA', 'entB'],
    async prepare(w, who) {
      const code = `EQ-OFFER-${next()}`;
      const made = () => w.t.db.select({ owner: equipment.ownerEnterpriseId, review: equipment.review }).from(equipment).where(eq(equipment.code, code));
      return { agent: agentOf(w, who), url: '/equipment/offers', fields: equipmentFields(code, '企业提供的测试盐雾箱', w.x.nodeId), signedIn: true, done: async (res) => (redirected(res), expect(await made()).to.deep.equal([{ owner: companyOf(w, who).id, review: 'pending' }])) };
    },
  },
  'POST /equipment/manage/:id/review': {
    who: ['admin'],
    async prepare(w) {
      const offer = await freshEquipment(w, { ownerEnterpriseId: w.companyA.id, review: 'pending' });
      return { agent: w.agents.admin, url: `/equipment/manage/${offer.id}/review`, fields: { decision: 'approve', note: '' }, signedIn: true, done: async (res) => (redirected(res), expect((await equipmentRow(w, offer.id)).review).to.equal('approved')) };
    },
  },
  'POST /equipment/rules': {
    who: ['admin'],
    async prepare(w) {
      const limit = 2 + (next() % 15);
      const rules = async () => (await w.t.db.select({ n: sharingRules.noShowLimit, d: sharingRules.windowDays, s: sharingRules.suspensionDays }).from(sharingRules))[0];
      return { agent: w.agents.admin, url: '/equipment/rules', fields: { noShowLimit: String(limit), windowDays: '90', suspensionDays: '30' }, signedIn: true, done: async (res) => (redirected(res), expect(await rules()).to.deep.equal({ n: limit, d: 90, s: 30 })) };
    },
  },
  'POST /equipment/suspensions/:id/lift': {
    who: ['admin'],
    async prepare(w) {
      const { enterprise } = await createCompanyUser(w.t.db, { name: `爽约暂停${next()}有限公司` });
      const [s] = await w.t.db.insert(equipmentSuspensions).values({ enterpriseId: enterprise.id, startsAt: new Date('2026-09-20T00:00:00+08:00'), endsAt: new Date('2026-10-20T00:00:00+08:00'), violations: 3, reason: '90 天内爽约 3 次' }).returning({ id: equipmentSuspensions.id });
      const lifted = async () => (await w.t.db.select({ at: equipmentSuspensions.liftedAt, by: equipmentSuspensions.liftedBy }).from(equipmentSuspensions).where(eq(equipmentSuspensions.id, s!.id)))[0]!;
      return {
        agent: w.agents.admin,
        url: `/equipment/suspensions/${s!.id}/lift`,
        fields: { reason: '企业已说明情况，提前解除' },
        signedIn: true,
        async done(res) {
          redirected(res);
          const row = await lifted();
          expect(row.at).to.be.instanceOf(Date);
          expect(row.by).to.equal(w.users.admin.id);
        },
      };
    },
  },
  'POST /equipment/institutes': {
    who: ['admin'],
    async prepare(w) {
      const { enterprise } = await createCompanyUser(w.t.db, { name: `海洋研究${next()}所` });
      const [row] = await w.t.db.select({ creditCode: enterprises.creditCode }).from(enterprises).where(eq(enterprises.id, enterprise.id));
      const orgType = async () => (await w.t.db.select({ o: enterprises.orgType }).from(enterprises).where(eq(enterprises.id, enterprise.id)))[0]!.o;
      return { agent: w.agents.admin, url: '/equipment/institutes', fields: { creditCode: row!.creditCode }, signedIn: true, done: async (res) => (redirected(res), expect(await orgType()).to.equal('institute')) };
    },
  },
  'POST /equipment/institutes/remove': {
    who: ['admin'],
    async prepare(w) {
      const creditCode = validCreditCode();
      const [e] = await w.t.db.insert(enterprises).values({ name: `取消认定${next()}研究所`, orgType: 'institute', creditCode, parkId: null, address: '舟山市' }).returning({ id: enterprises.id });
      const orgType = async () => (await w.t.db.select({ o: enterprises.orgType }).from(enterprises).where(eq(enterprises.id, e!.id)))[0]!.o;
      return { agent: w.agents.admin, url: '/equipment/institutes/remove', fields: { creditCode }, signedIn: true, done: async (res) => (redirected(res), expect(await orgType()).to.equal('company')) };
    },
  },

  // ───── service windows, calendar, 大字版 ─────
  'POST /admin/nodes/:id/offerings/:oid/windows': {
    who: ['mgr1', 'admin'],
    async prepare(w, who) {
      const { id: serviceId } = await freshService(w, 'calibration');
      const [o] = await w.t.db.insert(nodeServices).values({ nodeId: w.x.nodeId, serviceId, capacityAm: 5, capacityPm: 5 }).returning({ id: nodeServices.id });
      const windows = () => w.t.db.select({ weekday: nodeServiceWindows.weekday, code: nodeServiceWindows.code, capacity: nodeServiceWindows.capacity }).from(nodeServiceWindows).where(eq(nodeServiceWindows.nodeServiceId, o!.id)).orderBy(nodeServiceWindows.weekday);
      return {
        agent: agentOf(w, who),
        url: `/admin/nodes/${w.x.nodeId}/offerings/${o!.id}/windows`,
        fields: { intent: 'save', 'rows[0][label]': '周末收样', 'rows[0][start]': '09:00', 'rows[0][end]': '12:00', 'rows[0][capacity]': '4', 'rows[0][days][]': ['6', '7'] },
        signedIn: true,
        done: async (res) => (redirected(res), expect(await windows()).to.deep.equal([{ weekday: 6, code: '09:00-12:00', capacity: 4 }, { weekday: 7, code: '09:00-12:00', capacity: 4 }])),
      };
    },
  },
  'POST /admin/calendar': {
    who: ['admin'],
    async prepare(w) {
      // 2029: no fixture booking or window is in that year
      const source = `国办发明电〔2028〕${next()}号`;
      const days = () => w.t.db.select({ date: calendarDays.date, kind: calendarDays.kind }).from(calendarDays).where(and(eq(calendarDays.year, 2029), eq(calendarDays.source, source))).orderBy(calendarDays.date);
      return {
        agent: w.agents.admin,
        url: '/admin/calendar',
        fields: { intent: 'save', year: '2029', source, text: '国庆节：10月1日至7日放假调休，共7天。9月29日（星期六）上班。' },
        signedIn: true,
        async done(res) {
          redirected(res);
          const saved = await days();
          expect(saved.filter((d) => d.kind === 'holiday').map((d) => d.date)).to.include('2029-10-01').and.to.include('2029-10-07');
        },
      };
    },
  },
  'POST /admin/calendar/:year/remove': {
    who: ['admin'],
    async prepare(w) {
      await w.t.db.insert(calendarDays).values({ date: '2029-05-01', kind: 'holiday', name: '劳动节', year: 2029, source: '国办发明电〔2028〕1号', enteredBy: w.users.admin.id }).onConflictDoNothing();
      return { agent: w.agents.admin, url: '/admin/calendar/2029/remove', fields: {}, signedIn: true, done: async (res) => (redirected(res), expect(await w.t.db.$count(calendarDays, eq(calendarDays.year, 2029))).to.equal(0)) };
    },
  },
  'POST /display': {
    who: ['fresh'],
    async prepare(w) {
      const { user } = await createCompanyUser(w.t.db, { name: `大字版${next()}有限公司` });
      const agent = agentFor(w.t.app);
      await login(agent, user.mobile, TEST_PASSWORD);
      const large = async () => (await w.t.db.select({ l: users.largeText }).from(users).where(eq(users.id, user.id)))[0]!.l;
      return {
        agent,
        url: '/display',
        fields: { large: '1', next: '/account' },
        signedIn: true,
        async done(res) {
          expect(res.status).to.equal(303);
          expect(res.headers.location).to.equal('/account');
          expect(await large()).to.equal(true);
        },
      };
    },
  },
};

