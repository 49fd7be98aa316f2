import { expect } from 'chai';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, login, type Agent, type TestApp } from '../support/app.js';
import { MONDAY_BEFORE_NATIONAL_DAY } from '../support/bookings.js';
import { createCompanyUser, createUser, parkId, TEST_PASSWORD } from '../support/factories.js';
import { addInstrument, binary } from '../support/ledger.js';

describe('强检 compliance for parks and the city: figures, drill-down, export', () => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof createCompanyUser>>;
  let b: Awaited<ReturnType<typeof createCompanyUser>>;
  let c: Awaited<ReturnType<typeof createCompanyUser>>;
  let parkAdmin: Agent;
  let otherParkAdmin: Agent;
  let platform: Agent;

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    a = await createCompanyUser(t.db, { name: '定海甲船舶有限公司', parkCode: 'P-DINGHAI' });
    b = await createCompanyUser(t.db, { name: '定海乙机械有限公司', parkCode: 'P-DINGHAI' });
    c = await createCompanyUser(t.db, { name: '普陀丙水产有限公司', parkCode: 'P-PUTUO' });
    const 强 = { compulsory: true, compulsoryUse: 'safety' };
    // a: 4 in-use 强检 (1 overdue, 1 due in 10 days, 1 failed and overdue-free, 1 fine) + instruments that do not count
    await addInstrument(t, a.enterprise.id, { ...强, serialNo: 'A-OVER', nextDueDate: '2026-09-01' });
    await addInstrument(t, a.enterprise.id, { ...强, serialNo: 'A-SOON', nextDueDate: '2026-10-08' });
    await addInstrument(t, a.enterprise.id, { ...强, serialNo: 'A-FAIL', nextDueDate: null, conclusion: 'fail' });
    await addInstrument(t, a.enterprise.id, { ...强, serialNo: 'A-OK', nextDueDate: '2027-05-01' });
    await addInstrument(t, a.enterprise.id, { serialNo: 'A-NOT-COMPULSORY', nextDueDate: '2026-01-01' });
    await addInstrument(t, a.enterprise.id, { ...强, serialNo: 'A-STOPPED', nextDueDate: '2026-01-01', status: 'stopped' });
    // b: 2 fine
    await addInstrument(t, b.enterprise.id, { ...强, serialNo: 'B-1', nextDueDate: '2027-01-01' });
    await addInstrument(t, b.enterprise.id, { ...强, serialNo: 'B-2', nextDueDate: '2027-02-01' });
    // c (another park): 1 overdue
    await addInstrument(t, c.enterprise.id, { ...强, serialNo: 'C-OVER', nextDueDate: '2026-08-01' });
    const [p1, p2, admin] = [await createUser(t.db, 'park_admin', { parkCode: 'P-DINGHAI' }), await createUser(t.db, 'park_admin', { parkCode: 'P-PUTUO' }), await createUser(t.db, 'platform_admin')];
    [parkAdmin, otherParkAdmin, platform] = [agentFor(t.app), agentFor(t.app), agentFor(t.app)];
    await login(parkAdmin, p1.mobile, TEST_PASSWORD);
    await login(otherParkAdmin, p2.mobile, TEST_PASSWORD);
    await login(platform, admin.mobile, TEST_PASSWORD);
  });
  after(() => t?.close());

  const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

  it('shows a park admin the park\'s companies: in-use 强检 total, due in 30 days, overdue, overdue rate, failed still in use', async () => {
    const res = await parkAdmin.get('/admin/compliance');
    expect(res.status).to.equal(200);
    const page = text(res.text);
    expect(page).to.contain('强检器具合规 · 定海工业园区');
    expect(page).to.contain('在用强检器具 6').and.to.contain('30 天内到期 1').and.to.contain('已超期 1').and.to.contain('超期率 16.7%').and.to.contain('不合格仍在用 1');
    // a first (1 overdue of 4 → 25.0%), then b
    expect(page).to.match(/定海甲船舶有限公司 4 1 1 25\.0% 1 1 .*定海乙机械有限公司 2 0 0 0\.0% 0 0/);
    expect(page).not.to.contain('普陀丙水产有限公司');
  });

  it('drills down into one company of the park; another park\'s admin gets 404', async () => {
    const res = await parkAdmin.get(`/admin/compliance/enterprises/${a.enterprise.id}`);
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('A-OVER').and.to.contain('A-SOON').and.to.contain('A-FAIL').and.not.to.contain('A-NOT-COMPULSORY').and.not.to.contain('A-STOPPED');
    expect(res.text.indexOf('A-FAIL')).to.be.below(res.text.indexOf('A-OVER')); // no due date first, then most urgent
    const outside = await otherParkAdmin.get(`/admin/compliance/enterprises/${a.enterprise.id}`);
    expect(outside.status).to.equal(404);
    expect(outside.text).not.to.contain('A-OVER');
    expect((await parkAdmin.get(`/admin/compliance/enterprises/${c.enterprise.id}`)).status).to.equal(404);
  });

  it('gives the platform the city, per park, and any park on request', async () => {
    const city = text((await platform.get('/admin/compliance')).text);
    expect(city).to.contain('强检器具合规 · 全市').and.to.contain('在用强检器具 7').and.to.contain('已超期 2');
    expect(city).to.match(/定海工业园区 \d+ 6 1 1 16\.7% 1/);
    expect(city).to.contain('普陀丙水产有限公司');
    const putuo = await parkId(t.db, 'P-PUTUO');
    const one = text((await platform.get(`/admin/compliance?park=${putuo}`)).text);
    expect(one).to.contain('在用强检器具 1').and.not.to.contain('定海甲船舶有限公司');
    expect((await platform.get(`/admin/compliance/enterprises/${c.enterprise.id}`)).status).to.equal(200);
  });

  it('exports the company table (the park admin\'s own park only) and the park table as CSV', async () => {
    const csv = (await parkAdmin.get('/admin/compliance/export/companies.csv').buffer(true).parse(binary)).body as Buffer;
    const lines = csv.toString('utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).to.equal('企业,园区,在用强检器具（台）,30 天内到期,已超期,超期率,不合格仍在用,未登记到期日');
    expect(lines.slice(1)).to.deep.equal(['定海甲船舶有限公司,定海工业园区,4,1,1,25.0%,1,1', '定海乙机械有限公司,定海工业园区,2,0,0,0.0%,0,0']);
    const parks = (await platform.get('/admin/compliance/export/parks.csv').buffer(true).parse(binary)).body as Buffer;
    expect(parks.toString('utf8')).to.contain('定海工业园区');
    expect((await parkAdmin.get('/admin/compliance/export/secrets.csv')).status).to.equal(404);
    const company = agentFor(t.app);
    await login(company, a.user.mobile, TEST_PASSWORD);
    expect((await company.get('/admin/compliance')).status).to.equal(403);
  });
});
