import { expect } from 'chai';
import { and, eq, inArray } from 'drizzle-orm';
import { parse } from 'node-html-parser';
import { bookingItems, bookings, capacityWindows, services } from '../../src/db/schema.js';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, login, type Agent, type TestApp } from '../support/app.js';
import { onPostgresServer } from '../support/db.js';
import { MONDAY_BEFORE_NATIONAL_DAY, nodeServiceOf } from '../support/bookings.js';
import { createCompanyUser, TEST_PASSWORD } from '../support/factories.js';
import { addInstrument } from '../support/ledger.js';

/** What the browser would post from a form on a page: named inputs (checked ones only), selects, textareas. */
function formFields(html: string, formId: string): [string, string][] {
  const root = parse(html);
  const controls = [...root.querySelectorAll(`#${formId} input, #${formId} select, #${formId} textarea`), ...root.querySelectorAll(`[form="${formId}"]`)];
  const out: [string, string][] = [];
  for (const el of controls) {
    const name = el.getAttribute('name');
    const owner = el.getAttribute('form');
    if (owner && owner !== formId) continue; // belongs to another form (form="…"), as the browser sees it
    const type = (el.getAttribute('type') ?? '').toLowerCase();
    if (!name || type === 'submit') continue;
    if ((type === 'radio' || type === 'checkbox') && !el.hasAttribute('checked')) continue;
    if (el.tagName === 'SELECT') out.push([name, (el.querySelector('option[selected]') ?? el.querySelector('option'))?.getAttribute('value') ?? '']);
    else if (el.tagName === 'TEXTAREA') out.push([name, el.text]);
    else out.push([name, el.getAttribute('value') ?? '']);
  }
  return out;
}

describe('instrument ledger: one-click booking and the booking form\'s "从台账选择"', () => {
  let t: TestApp;
  let company: Awaited<ReturnType<typeof createCompanyUser>>;
  let agent: Agent;
  let gauges: number[];
  let scale: number;

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    company = await createCompanyUser(t.db, { name: '舟山海星船舶修造有限公司' });
    agent = agentFor(t.app);
    await login(agent, company.user.mobile, TEST_PASSWORD);
    const id = company.enterprise.id;
    gauges = [
      (await addInstrument(t, id, { name: '氧气压力表', serialNo: 'OX-01', model: 'YO-100', measuringRange: '0-25 MPa', accuracyClass: '1.6', nextDueDate: '2026-09-01', compulsory: true, compulsoryUse: 'safety' })).id,
      (await addInstrument(t, id, { name: '乙炔压力表', serialNo: 'AC-02', nextDueDate: '2026-10-10', compulsory: true, compulsoryUse: 'safety' })).id,
    ];
    scale = (await addInstrument(t, id, { name: '电子台秤', categoryCode: 'CAL-DIS', serialNo: 'SC-03', nextDueDate: '2026-10-20', compulsory: true, compulsoryUse: 'trade' })).id;
    await addInstrument(t, id, { name: '卡尺（不到期）', categoryCode: 'CAL-CAL', serialNo: 'FAR-04', nextDueDate: '2027-08-01' });
    await addInstrument(t, id, { name: '气相色谱仪', categoryCode: 'CAL-GC', serialNo: 'GC-05', nextDueDate: '2026-10-01' });
    // no service calibrates gas chromatographs any more
    await t.db.update(services).set({ active: false }).where(eq(services.code, 'CAL-GC'));
  });
  after(() => t?.close());

  const companyBookings = () => t.db.select().from(bookings).where(eq(bookings.enterpriseId, company.enterprise.id));

  it('proposes one booking per service for every instrument due, with a node and its earliest windows that take them all', async () => {
    const page = await agent.get('/instruments/book');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('一般压力表(弹性元件式) 检定/校准 · 2 台').and.to.contain('数字指示秤(电子台秤/计价秤/电子汽车衡) 检定/校准 · 1 台');
    expect(page.text).to.contain('1 台器具暂无可在线预约的服务').and.to.contain('气相色谱仪（GC-05）');
    expect(page.text).not.to.contain('FAR-04');
    // it is 09:00 on Monday: the morning window has started, the afternoon is the earliest
    expect(page.text).to.match(/name="slot-CAL-PG" id="slot-0-0" value="2026-09-28\|pm" checked/);
    expect(page.text).to.contain('确认提交 2 个预约');
  });

  it('books all groups in one transaction, each line from the ledger; submitting again makes nothing new', async () => {
    const page = await agent.get('/instruments/book');
    const fields = formFields(page.text, 'book-form');
    const body = new URLSearchParams(fields).toString();
    const res = await agent.post('/instruments/book').type('form').send(body);
    expect(res.status, /id="form-error">([\s\S]*?)<\/div>/.exec(res.text)?.[1]).to.equal(303);
    const made = await companyBookings();
    expect(made).to.have.length(2);
    const items = await t.db.select().from(bookingItems).where(inArray(bookingItems.bookingId, made.map((b) => b.id)));
    expect(items.map((i) => i.serialNo).sort()).to.deep.equal(['AC-02', 'OX-01', 'SC-03']);
    expect(items.find((i) => i.serialNo === 'OX-01')).to.include({ instrumentName: '氧气压力表', model: 'YO-100', measuringRange: '0-25 MPa', accuracyClass: '1.6', compulsory: true, intendedUse: '安全防护' });
    expect(made.every((b) => b.status === 'submitted' && b.date === '2026-09-28' && b.window === 'pm')).to.equal(true);
    // the message on the list links each new booking by its number
    const landed = await agent.get(res.headers.location!);
    expect(landed.text).to.contain('已提交 2 个预约');
    for (const b of made) expect(landed.text).to.contain(`href="/bookings/${b.number}">${b.number}</a>`);
    const again = await agent.post('/instruments/book').type('form').send(body);
    expect(again.status).to.equal(303);
    expect(await companyBookings()).to.have.length(2);
    const list = await agent.get(again.headers.location!);
    expect(list.text).to.contain('没有重复创建');
    // the detail page now says the instrument is booked
    expect((await agent.get(`/instruments/${gauges[0]}`)).text).to.contain('已有进行中的预约');
    // the list names the booking beside the instrument, and 一键预约 no longer proposes the booked ones
    const gaugeBooking = made.find((b) => b.serviceId === made[0]!.serviceId)!;
    expect((await agent.get('/instruments')).text).to.contain(`已预约 <a href="/bookings/${gaugeBooking.number}">`);
    const proposalAgain = await agent.get('/instruments/book');
    expect(proposalAgain.text).to.contain('3 台器具已有进行中的预约，不再重复预约').and.contain('确认提交 0 个预约');
    for (const id of [...gauges, scale]) expect(proposalAgain.text).not.to.contain(`name="ids" value="${id}"`);
    // the same instruments confirmed again from another form (a new key): refused, naming them, nothing made
    const otherForm = new URLSearchParams(fields.map(([k, v]) => [k, k.startsWith('key-') ? `${v}-other` : v] as [string, string])).toString();
    const refused = await agent.post('/instruments/book').type('form').send(otherForm);
    expect(refused.status).to.equal(422);
    expect(refused.text).to.contain('已有进行中的预约，不能重复预约').and.contain('OX-01');
    expect(await companyBookings()).to.have.length(2);
  });

  it('books nothing at all when one group\'s window filled up meanwhile, and says which', async () => {
    // the company withdrew the bookings made above, so these instruments can be booked again
    await t.db.update(bookings).set({ status: 'cancelled' }).where(eq(bookings.enterpriseId, company.enterprise.id));
    const page = await agent.get(`/instruments/book?ids=${gauges[0]}&ids=${scale}`);
    const fields = formFields(page.text, 'book-form');
    const scaleSlot = fields.find(([k]) => k === 'slot-CAL-DIS')![1];
    const scaleNode = Number(fields.find(([k]) => k === 'node-CAL-DIS')![1]);
    const [date, window] = scaleSlot.split('|') as [string, string];
    const { ns } = await nodeServiceOfId(scaleNode, 'CAL-DIS');
    await t.db.insert(capacityWindows).values({ nodeServiceId: ns.id, date, window, capacity: 5, used: 5 }).onConflictDoUpdate({ target: [capacityWindows.nodeServiceId, capacityWindows.date, capacityWindows.window], set: { used: capacityWindows.capacity } });
    const before = (await companyBookings()).length;
    const gaugeWindowBefore = await t.db.select().from(capacityWindows);
    const res = await agent.post('/instruments/book').type('form').send(new URLSearchParams(fields).toString());
    expect(res.status).to.equal(422);
    expect(res.text).to.contain('全部无误后才会一起提交').and.to.contain('这个时段刚刚约满');
    expect((await companyBookings()).length).to.equal(before);
    expect(await t.db.select().from(capacityWindows)).to.deep.equal(gaugeWindowBefore);
  });

  it('books only the company\'s own instruments', async () => {
    const other = await createCompanyUser(t.db, { name: '乙对照海运有限公司' });
    const otherAgent = agentFor(t.app);
    await login(otherAgent, other.user.mobile, TEST_PASSWORD);
    const page = await otherAgent.get(`/instruments/book?ids=${gauges[1]}`);
    expect(page.text).not.to.contain('AC-02');
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await otherAgent.get('/instruments/new')).text)![1]!;
    const res = await otherAgent.post('/instruments/book').type('form').send({ _csrf: csrf, ids: String(gauges[1]), 'slot-CAL-PG': '2026-09-29|am', contactName: '越权', contactMobile: '13711112222' });
    expect(res.status).to.equal(422);
    expect(await t.db.select().from(bookings).where(eq(bookings.enterpriseId, other.enterprise.id))).to.have.length(0);
  });

  it('the booking form offers the ledger\'s instruments of its category and fills the rows from them', async () => {
    const { nodeId } = await nodeServiceOf(t.db, 'ZS-METROLOGY', 'CAL-PG');
    const form = await agent.get(`/bookings/new?service=CAL-PG&node=${nodeId}`);
    expect(form.text).to.contain('从台账选择（本企业台账中有 2 台此类器具）').and.to.contain('氧气压力表（OX-01）');
    expect(form.text).not.to.contain('SC-03'); // another category
    const filled = await agent.get(`/bookings/new?service=CAL-PG&node=${nodeId}&instruments=${gauges[0]}&instruments=${gauges[1]}&instruments=${scale}`);
    expect(filled.text).to.match(/name="items\[0\]\[serialNo\]" value="OX-01"/).and.to.match(/name="items\[1\]\[serialNo\]" value="AC-02"/);
    expect(filled.text).to.match(/name="items\[0\]\[model\]" value="YO-100"/);
  });

  it('under concurrent one-click bookings for the last units, each company gets all its bookings or none, and no window is oversold', async function () {
    if (!onPostgresServer) this.skip(); // PGlite runs one transaction at a time
    const gauge = await nodeServiceOf(t.db, 'ZS-METROLOGY', 'CAL-PG');
    const scales = await nodeServiceOf(t.db, 'ZS-METROLOGY', 'CAL-DIS');
    await t.db.insert(capacityWindows).values({ nodeServiceId: gauge.ns.id, date: '2026-10-09', window: 'am', capacity: 3, used: 0 });
    const firms = await Promise.all(Array.from({ length: 8 }, async (_, i) => {
      const firm = await createCompanyUser(t.db, { name: `并发预约企业${i}有限公司` });
      await addInstrument(t, firm.enterprise.id, { serialNo: `RACE-G-${i}`, nextDueDate: '2026-09-20' });
      await addInstrument(t, firm.enterprise.id, { name: '电子台秤', categoryCode: 'CAL-DIS', serialNo: `RACE-S-${i}`, nextDueDate: '2026-09-20' });
      const a = agentFor(t.app);
      await login(a, firm.user.mobile, TEST_PASSWORD);
      const fields = formFields((await a.get('/instruments/book')).text, 'book-form').filter(([k]) => !k.startsWith('slot-') && !k.startsWith('node-'));
      fields.push(['node-CAL-PG', String(gauge.nodeId)], ['slot-CAL-PG', '2026-10-09|am'], ['node-CAL-DIS', String(scales.nodeId)], ['slot-CAL-DIS', '2026-10-09|pm']);
      return { firm, agent: a, body: new URLSearchParams(fields).toString() };
    }));
    const answers = await Promise.all(firms.map((f) => f.agent.post('/instruments/book').type('form').send(f.body)));
    const made = await Promise.all(firms.map((f) => t.db.select().from(bookings).where(eq(bookings.enterpriseId, f.firm.enterprise.id))));
    expect(made.map((m) => m.length).every((n) => n === 0 || n === 2), 'all or nothing per company').to.equal(true);
    expect(made.filter((m) => m.length === 2)).to.have.length(3);
    expect(answers.filter((r) => r.status === 303)).to.have.length(3);
    // refused before the transaction (the window was seen full) or inside it (taken meanwhile): 422, the window named
    expect(answers.filter((r) => r.status !== 303).every((r) => r.status === 422 && r.text.includes('约满'))).to.equal(true);
    const [w] = await t.db.select().from(capacityWindows).where(and(eq(capacityWindows.nodeServiceId, gauge.ns.id), eq(capacityWindows.date, '2026-10-09'), eq(capacityWindows.window, 'am')));
    expect(w!.used).to.equal(3);
    const [w2] = await t.db.select().from(capacityWindows).where(and(eq(capacityWindows.nodeServiceId, scales.ns.id), eq(capacityWindows.date, '2026-10-09'), eq(capacityWindows.window, 'pm')));
    expect(w2!.used).to.equal(3);
  });

  async function nodeServiceOfId(nodeId: number, serviceCode: string) {
    const [svc] = await t.db.select({ id: services.id }).from(services).where(eq(services.code, serviceCode));
    const { nodeServices } = await import('../../src/db/schema.js');
    const [ns] = await t.db.select().from(nodeServices).where(and(eq(nodeServices.nodeId, nodeId), eq(nodeServices.serviceId, svc!.id)));
    return { ns: ns! };
  }
});
