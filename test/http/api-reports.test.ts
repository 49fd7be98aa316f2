import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import supertest from 'supertest';
import { reports } from '../../src/db/schema.js';
import { apiKeyFor, contractValidator } from '../support/api.js';
import { buildWorld, SECRET_PDF, type World } from '../security/fixture.js';

/** Reports through the API on an issued report (the security fixture's booking X, signed by three people, with its PDF). */
describe('open API: reports, versions, PDF and verification', function () {
  this.timeout(120_000);
  let w: World;
  let check: ReturnType<typeof contractValidator>;
  let keyA: string;
  let keyB: string;
  let n1Key: string;

  before(async () => {
    w = await buildWorld();
    check = contractValidator((await supertest(w.t.app).get('/api/v1/openapi.json')).body as Record<string, unknown>);
    keyA = (await apiKeyFor(w.t, w.users.entA.id, ['read'])).secret;
    keyB = (await apiKeyFor(w.t, w.users.entB.id, ['read'])).secret;
    n1Key = (await apiKeyFor(w.t, w.users.mgr1.id, ['read', 'lab'])).secret;
  });
  after(() => w?.t.close());

  const get = async (path: string, template: string, key: string) => {
    const res = await supertest(w.t.app).get(`/api/v1${path}`).set('Authorization', `Bearer ${key}`).buffer(true);
    check(template, 'get', res);
    return res;
  };

  it('lists the versions, returns a version and its signed PDF to the company and the node, 404 to another company', async () => {
    const versions = await get(`/bookings/${w.x.number}/reports`, '/bookings/{number}/reports', keyA);
    expect(versions.status).to.equal(200);
    expect(versions.body.data[0]).to.include({ version: 1, status: 'valid' });
    const report = await get(`/bookings/${w.x.number}/reports/1`, '/bookings/{number}/reports/{version}', keyA);
    expect(report.status).to.equal(200);
    expect(report.body).to.include({ bookingNumber: w.x.number, version: 1, hasPdf: true });
    const pdf = await supertest(w.t.app).get(`/api/v1/bookings/${w.x.number}/reports/1/pdf`).set('Authorization', `Bearer ${n1Key}`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(pdf.status).to.equal(200);
    expect(pdf.headers['content-type']).to.match(/^application\/pdf/);
    expect(Buffer.isBuffer(pdf.body) && (pdf.body as Buffer).equals(SECRET_PDF)).to.equal(true);
    for (const path of [`/bookings/${w.x.number}/reports`, `/bookings/${w.x.number}/reports/1`, `/bookings/${w.x.number}/reports/1/pdf`]) {
      const other = await supertest(w.t.app).get(`/api/v1${path}`).set('Authorization', `Bearer ${keyB}`);
      expect(other.status, path).to.equal(404);
      expect(other.text).not.to.contain('ATTACH-SECRET');
    }
  });

  it('verifies the report by its number and code', async () => {
    const [row] = await w.t.db.select().from(reports).where(eq(reports.number, (await get(`/bookings/${w.x.number}/reports/1`, '/bookings/{number}/reports/{version}', keyA)).body.number));
    const found = await get(`/verify?number=${encodeURIComponent(row!.number)}&code=${row!.verificationCode}`, '/verify', keyB);
    expect(found.status).to.equal(200);
    expect(found.body.found).to.equal(true);
    expect(found.body.result).to.include({ number: row!.number, version: 1 });
  });
});
