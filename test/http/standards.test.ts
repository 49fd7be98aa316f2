import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { bookingItems, bookings, events, measurementStandards, nodes, results } from '../../src/db/schema.js';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, csrfFrom, login, type Agent, type TestApp } from '../support/app.js';
import { MONDAY_BEFORE_NATIONAL_DAY } from '../support/bookings.js';
import { createCompanyUser, createUser, TEST_PASSWORD } from '../support/factories.js';
import { bookCalibration, CONDITION_FIELDS, labAction, standardFor } from '../support/lab.js';

/** 计量标准: a node's measurement standards, kept by its manager and named on its certificates. */
describe('measurement standards of a node', function () {
  this.timeout(60_000);
  let t: TestApp;
  let manager: Agent;
  let otherManager: Agent;
  let tech: Agent;
  let nodeId: number;
  const page = () => `/admin/nodes/${nodeId}/standards`;
  const post = async (agent: Agent, url: string, fields: Record<string, string | string[]>) => agent.post(url).type('form').send({ _csrf: await csrfFrom(agent, page()), ...fields });
  const valid = { name: '0.05 级活塞式压力计标准装置', certificateNo: '［2023］浙量标舟证字第 012 号', measuringRange: '(0.04～60) MPa', accuracy: '0.05 级', validUntil: '2029-06-30', categoryCodes: ['CAL-PG', 'CAL-PPG'] };

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    nodeId = (await t.db.select({ id: nodes.id }).from(nodes).where(eq(nodes.code, 'ZS-METROLOGY')))[0]!.id;
    const [m, other, staff] = [await createUser(t.db, 'node_manager', { nodeCode: 'ZS-METROLOGY' }), await createUser(t.db, 'node_manager', { nodeCode: 'ST-PUTUO' }), await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' })];
    [manager, otherManager, tech] = [agentFor(t.app), agentFor(t.app), agentFor(t.app)];
    await login(manager, m.mobile, TEST_PASSWORD);
    await login(otherManager, other.mobile, TEST_PASSWORD);
    await login(tech, staff.mobile, TEST_PASSWORD);
  });
  after(() => t?.close());

  it('the node manager registers one with its certificate and categories; the audit log names it', async () => {
    const res = await post(manager, page(), valid);
    expect(res.status).to.equal(303);
    const [row] = await t.db.select().from(measurementStandards).where(eq(measurementStandards.nodeId, nodeId));
    expect(row).to.include({ name: valid.name, certificateNo: valid.certificateNo, validUntil: '2029-06-30', retiredAt: null });
    expect(row!.categoryCodes).to.deep.equal(['CAL-PG', 'CAL-PPG']);
    expect(await t.db.$count(events, and(eq(events.action, 'standard.added'), eq(events.entityId, String(row!.id))))).to.equal(1);
    const list = await manager.get(page());
    expect(list.text).to.contain(valid.name).and.contain('一般压力表(弹性元件式)').and.contain('在用');
  });

  it('refuses missing fields, no category and a certificate already run out, next to each field, input kept, nothing saved', async () => {
    const before = await t.db.$count(measurementStandards);
    const empty = await post(manager, page(), { name: '', certificateNo: '', measuringRange: '', accuracy: '', validUntil: '' });
    expect(empty.status).to.equal(422);
    expect(empty.text).to.contain('请填写计量标准名称').and.contain('请填写考核证书编号').and.contain('请选择该计量标准用于检定/校准的器具类别');
    const expired = await post(manager, page(), { ...valid, name: '过期装置', validUntil: '2026-09-01' });
    expect(expired.status).to.equal(422);
    expect(expired.text).to.contain('考核证书已过有效期的计量标准不能登记使用').and.contain('value="过期装置"');
    const twice = await post(manager, page(), { ...valid, name: '同一证书的另一条' });
    expect(twice.status).to.equal(422);
    expect(twice.text).to.contain('已登记为“0.05 级活塞式压力计标准装置”：同一证书不能登记两次');
    const unknown = await post(manager, page(), { ...valid, categoryCodes: ['CAL-PG', 'NOT-A-CATEGORY'] });
    expect(unknown.status).to.equal(422);
    expect(unknown.text).to.contain('请选择有效的器具类别');
    expect(await t.db.$count(measurementStandards)).to.equal(before);
  });

  it('is the node manager’s own: another node’s manager gets 404, a technician 403, nothing saved', async () => {
    const before = await t.db.$count(measurementStandards);
    expect((await otherManager.get(page())).status).to.equal(404);
    expect((await otherManager.post(page()).type('form').send({ _csrf: await csrfFrom(otherManager, '/'), ...valid })).status).to.equal(404);
    expect((await tech.get(page())).status).to.equal(403);
    // the platform admin may open any node's, but not one that does not exist (its insert failed with a 500 before)
    const admin = agentFor(t.app);
    await login(admin, (await createUser(t.db, 'platform_admin')).mobile, TEST_PASSWORD);
    expect((await admin.get('/admin/nodes/999999/standards')).status).to.equal(404);
    expect((await admin.post('/admin/nodes/999999/standards').type('form').send({ _csrf: await csrfFrom(admin, page()), ...valid })).status).to.equal(404);
    expect((await admin.get('/admin/nodes/999999/signatories')).status).to.equal(404);
    expect((await admin.get(page())).status).to.equal(200);
    expect(await t.db.$count(measurementStandards)).to.equal(before);
  });

  it('a retired standard stays on the list as 已停用 and is no longer offered on the results form', async () => {
    const company = await createCompanyUser(t.db);
    const number = await bookCalibration(t, company.user.id);
    await labAction(tech, number, 'accept');
    const items = await t.db.select({ id: bookingItems.id }).from(bookingItems).innerJoin(bookings, eq(bookings.id, bookingItems.bookingId)).where(eq(bookings.number, number));
    await labAction(tech, number, 'receive', Object.fromEntries(items.map((i, k) => [`labels[i${i.id}]`, `STD-${k}`])));
    await labAction(tech, number, 'start');
    const [row] = await t.db.select().from(measurementStandards).where(eq(measurementStandards.nodeId, nodeId));
    const offered = async () => (await tech.get(`/lab/bookings/${number}`)).text.includes(`-std-${row!.id}"`);
    expect(await offered(), 'offered before').to.equal(true);
    const retired = await post(manager, `${page()}/${row!.id}/retire`, {});
    expect(retired.status).to.equal(303);
    expect((await t.db.select().from(measurementStandards).where(eq(measurementStandards.id, row!.id)))[0]!.retiredAt).to.be.instanceOf(Date);
    expect((await manager.get(page())).text).to.contain('已停用');
    expect(await offered(), 'not offered after').to.equal(false);
    expect((await post(manager, `${page()}/${row!.id}/retire`, {})).status, 'twice').to.equal(409);
  });

  it('results: a certificate number another booking carries is refused; a field made an object is refused, not a 500', async () => {
    const company = await createCompanyUser(t.db);
    const standard = String(await standardFor(t.db, 'ZS-METROLOGY'));
    const inProgress = async () => {
      const number = await bookCalibration(t, company.user.id, { serials: [`DUP-${Date.now()}`] });
      const [item] = await t.db.select({ id: bookingItems.id }).from(bookingItems).innerJoin(bookings, eq(bookings.id, bookingItems.bookingId)).where(eq(bookings.number, number));
      await labAction(tech, number, 'accept');
      await labAction(tech, number, 'receive', { [`labels[i${item!.id}]`]: `DUP-L-${item!.id}` });
      await labAction(tech, number, 'start');
      return { number, item: item!.id };
    };
    const fields = (item: number, certificateNo: string): Record<string, string> => ({ ...CONDITION_FIELDS, [`cal[i${item}][standards]`]: standard, [`cal[i${item}][conclusion]`]: 'pass', [`cal[i${item}][certificateNo]`]: certificateNo, [`cal[i${item}][nextDueDate]`]: '2027-03-01', [`cal[i${item}][unit]`]: 'MPa', [`cal[i${item}][mpe]`]: '±0.026', [`cal[i${item}][points][0][nominal]`]: '1.6', [`cal[i${item}][points][0][measured]`]: '1.61' });
    const first = await inProgress();
    expect((await labAction(tech, first.number, 'submit_results', fields(first.item, 'JD-DUP-0001'))).status).to.equal(303);
    const second = await inProgress();
    const clash = await labAction(tech, second.number, 'submit_results', fields(second.item, 'jd-dup-0001'));
    expect(clash.status).to.equal(422);
    expect(clash.text).to.contain('证书编号 jd-dup-0001 已用于本平台的另一份证书');
    expect(await t.db.$count(results, eq(results.bookingItemId, second.item))).to.equal(0);
    // a name that makes a field an object (conditions[place][toString]) is not a value: the form comes back, 422
    const odd = await labAction(tech, second.number, 'submit_results', { ...fields(second.item, 'JD-DUP-0002'), 'conditions[place][toString]': 'x', 'conditions[temperature]': '999', [`cal[i${second.item}][remark][valueOf]`]: 'x' });
    expect(odd.status).to.equal(422);
    expect(odd.text).to.contain('环境温度应为');
  });
});

