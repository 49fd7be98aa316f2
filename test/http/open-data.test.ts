import { expect } from 'chai';
import { fixedClock } from '../../src/shared/time.js';
import { bookings, equipmentBookings } from '../../src/db/schema.js';
import { DATASETS } from '../../src/open-data/datasets.js';
import { makeOpenDataService } from '../../src/open-data/open-data.service.js';
import { suppress } from '../../src/open-data/suppression.js';
import { agentFor, createTestApp, type TestApp } from '../support/app.js';
import { MONDAY_BEFORE_NATIONAL_DAY, nodeServiceOf } from '../support/bookings.js';
import { createCompanyUser } from '../support/factories.js';
import { createEquipment } from '../support/equipment.js';

describe('open data: small cells withheld', () => {
  const fields = [
    { key: 'name', kind: 'dimension' as const },
    { key: 'n', kind: 'count' as const },
    { key: 'avg', kind: 'measure' as const, basis: 'n' },
    { key: 'hours', kind: 'measure' as const, basis: 'n' },
  ];
  it('withholds counts of 1–4 and figures over fewer than 5 records; publishes 0 and 5', () => {
    const out = suppress(
      [
        { name: '零', n: 0, avg: null, hours: 0 },
        { name: '一', n: 1, avg: 3.5, hours: 2 },
        { name: '四', n: 4, avg: 2, hours: 9 },
        { name: '五', n: 5, avg: 4.2, hours: 12.5 },
      ],
      fields,
    );
    expect(out.map((r) => r.values)).to.deep.equal([
      { name: '零', n: 0, avg: null, hours: 0 },
      { name: '一', n: null, avg: null, hours: null },
      { name: '四', n: null, avg: null, hours: null },
      { name: '五', n: 5, avg: 4.2, hours: 12.5 },
    ]);
    expect(out.map((r) => r.suppressed)).to.deep.equal([[], ['n', 'avg', 'hours'], ['n', 'avg', 'hours'], []]);
  });
});

describe('open data: /open-data, CSV, JSON, dictionary', function () {
  this.timeout(60_000);
  let t: TestApp;
  const SECRET_A = '甲开放数据保密船舶有限公司';
  const SECRET_B = '乙开放数据保密水产有限公司';

  before(async () => {
    // "Now" is 2026-09-28: the published period is 2025-09 … 2026-08.
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    const a = await createCompanyUser(t.db, { name: SECRET_A, parkCode: 'P-DINGHAI' });
    const b = await createCompanyUser(t.db, { name: SECRET_B, parkCode: 'P-PUTUO' });
    const ns = await nodeServiceOf(t.db, 'ST-DINGHAI', 'CAL-PG');
    const booking = (company: { enterprise: { id: number; parkId: number | null }; user: { id: number } }, i: number, createdAt: string) => ({
      number: `JL-OD-${company.enterprise.id}-${i}`, kind: 'calibration' as const, enterpriseId: company.enterprise.id, parkId: company.enterprise.parkId, nodeId: ns.nodeId, serviceId: ns.serviceId, nodeServiceId: ns.ns.id,
      date: createdAt.slice(0, 10), window: 'am', units: 1, status: 'completed' as const, deliveryMode: 'send_in', contactName: '联系人', contactMobile: '13800000000', createdBy: company.user.id, idempotencyKey: `od-${company.enterprise.id}-${i}`, createdAt: new Date(createdAt), submittedAt: new Date(createdAt),
    });
    await t.db.insert(bookings).values([
      ...Array.from({ length: 7 }, (_, i) => booking(a, i, '2026-03-10T10:00:00+08:00')),
      ...Array.from({ length: 3 }, (_, i) => booking(b, i, '2026-03-12T10:00:00+08:00')),
      booking(a, 99, '2026-09-10T10:00:00+08:00'), // this month: not published yet
    ]);
    // shared equipment: one instrument used 6 times (published), one 3 times (withheld)
    const busy = await createEquipment(t.db, { name: '开放数据用闪点仪' });
    const quiet = await createEquipment(t.db, { name: '开放数据用黏度计' });
    const used = (e: { id: number; nodeId: number }, day: number) => ({
      number: `YQ-OD-${e.id}-${day}`, kind: 'booking', equipmentId: e.id, nodeId: e.nodeId, enterpriseId: a.enterprise.id, parkId: a.enterprise.parkId, userCategory: 'park', mode: 'assisted',
      startsAt: new Date(`2026-06-${String(day).padStart(2, '0')}T09:00:00+08:00`), endsAt: new Date(`2026-06-${String(day).padStart(2, '0')}T11:00:00+08:00`), status: 'checked_out' as const, rateCents: 10_000, billing: 'actual',
      checkedInAt: new Date(`2026-06-${String(day).padStart(2, '0')}T09:00:00+08:00`), checkedOutAt: new Date(`2026-06-${String(day).padStart(2, '0')}T10:30:00+08:00`), chargedMinutes: 90, amountCents: 15_000,
    });
    await t.db.insert(equipmentBookings).values([...[1, 2, 3, 4, 5, 8].map((d) => used(busy, d)), ...[1, 2, 3].map((d) => used(quiet, d))]);
  });
  after(() => t?.close());

  const get = (path: string) => agentFor(t.app).get(path);

  it('publishes bookings by month over the last twelve full months, zeros included, the current month not yet', async () => {
    const res = await get('/open-data/bookings-monthly.json');
    expect(res.status).to.equal(200);
    expect(res.headers['access-control-allow-origin']).to.equal('*');
    expect(res.body.period).to.deep.equal({ from: '2025-09-01', to: '2026-08-31' });
    expect(res.body.rows).to.have.length(12);
    expect(res.body.rows[0]).to.deep.equal({ month: '2025-09', bookings: 0, completed: 0 });
    expect(res.body.rows.find((r: { month: string }) => r.month === '2026-03')).to.deep.equal({ month: '2026-03', bookings: 10, completed: 10 });
    expect(res.body.licence.name).to.contain('CC BY 4.0');
    expect(res.body.licence.text).to.contain('舟山市市场监督管理局');
    expect(res.body.fields.map((f: { key: string }) => f.key)).to.deep.equal(['month', 'bookings', 'completed']);
  });

  it('withholds a park with fewer than 5 bookings and fewer than 5 companies (null in JSON, "<5" in CSV), and names no company', async () => {
    const json = await get('/open-data/bookings-by-park.json');
    const dinghai = json.body.rows.findIndex((r: { park: string }) => r.park === '定海工业园区');
    const putuo = json.body.rows.findIndex((r: { park: string }) => r.park === '普陀经济开发区');
    expect(json.body.rows[dinghai]).to.deep.equal({ park: '定海工业园区', bookings: 7, enterprises: null, reports: 0 });
    expect(json.body.rows[putuo]).to.deep.equal({ park: '普陀经济开发区', bookings: null, enterprises: null, reports: 0 });
    expect(json.body.suppressed).to.deep.include({ row: dinghai, fields: ['enterprises'] });
    expect(json.body.suppressed).to.deep.include({ row: putuo, fields: ['bookings', 'enterprises'] });
    const csv = await get('/open-data/bookings-by-park.csv');
    expect(csv.status).to.equal(200);
    expect(String(csv.headers['content-type'])).to.contain('text/csv');
    expect([...Buffer.from(csv.text, 'utf8').subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    expect(csv.text).to.contain('园区,预约数（件）,服务企业数（家）,出具报告数（份）').and.contain('定海工业园区,7,<5,0').and.contain('普陀经济开发区,<5,<5,0');
  });

  it("publishes an instrument's utilisation only when it has 5 bookings or more", async () => {
    const { body } = await get('/open-data/equipment-utilisation.json');
    const busy = body.rows.find((r: { instrument: string }) => r.instrument === '开放数据用闪点仪');
    const quiet = body.rows.find((r: { instrument: string }) => r.instrument === '开放数据用黏度计');
    expect(busy).to.include({ bookings: 6, bookedHours: 12, usedHours: 9 });
    expect(busy.utilisation).to.be.a('number').and.to.be.greaterThan(0);
    expect(quiet).to.include({ bookings: null, bookedHours: null, usedHours: null, utilisation: null });
    expect(quiet.openHours).to.be.a('number').and.to.be.greaterThan(0);
  });

  it('serves the page with charts, tables, the licence and "<5" marks; a data dictionary per dataset; a catalogue', async () => {
    const page = await get('/open-data');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('数据开放').and.contain('CC BY 4.0').and.contain('data-chart=').and.contain('&lt;5').and.contain('/open-data/bookings-by-park.dictionary.csv');
    const dictionary = await get('/open-data/bookings-by-node.dictionary.csv');
    expect(dictionary.status).to.equal(200);
    expect(dictionary.text).to.contain('onTimeRate,按期率,比例（0–1）').and.contain('许可协议').and.contain('https://creativecommons.org/licenses/by/4.0/');
    const index = await get('/open-data/index.json');
    expect(index.body.datasets.map((d: { key: string }) => d.key)).to.deep.equal(DATASETS.map((d) => d.key));
    expect(index.body.datasets[0].csv).to.equal('http://nqi.test/open-data/bookings-monthly.csv');
    for (const bad of ['nothing.json', 'bookings-monthly.xml', '..%2Fetc.csv', 'index.csv']) expect((await get(`/open-data/${bad}`)).status, bad).to.equal(404);
  });

  it('never names a company in any page or file', async () => {
    const paths = ['/open-data', '/open-data/index.json', ...DATASETS.flatMap((d) => [`/open-data/${d.key}.json`, `/open-data/${d.key}.csv`, `/open-data/${d.key}.dictionary.csv`])];
    for (const path of paths) {
      const res = await get(path);
      expect(res.status, path).to.equal(200);
      expect(res.text, path).not.to.contain(SECRET_A).and.not.to.contain(SECRET_B);
    }
  });

  it('takes a new dataset as one more entry of the register (e.g. 强检 compliance by park once the ledger exists)', async () => {
    const extra = { key: 'example-by-park', title: '示例数据集', theme: '计量监管', description: '示例', method: '示例口径', fields: [{ key: 'park', label: '园区', type: 'string' as const, kind: 'dimension' as const, description: '园区' }, { key: 'instruments', label: '器具数', type: 'integer' as const, kind: 'count' as const, unit: '台', description: '台数' }], load: async () => [{ park: '定海工业园区', instruments: 3 }, { park: '普陀经济开发区', instruments: 12 }] };
    const service = makeOpenDataService({ db: t.db, clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY), datasets: [...DATASETS, extra] });
    const { publication, dataset } = await service.dataset('example-by-park');
    expect(service.json(publication, dataset).rows).to.deep.equal([{ park: '定海工业园区', instruments: null }, { park: '普陀经济开发区', instruments: 12 }]);
    expect(service.csv(dataset).toString('utf8')).to.contain('定海工业园区,<5');
  });
});
