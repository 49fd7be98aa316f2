import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { validate, compileErrors } from '@readme/openapi-parser';
import { apiKeys, attachments, bookingItems, bookings, instruments, users } from '../../src/db/schema.js';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, login, type TestApp } from '../support/app.js';
import { apiKeyFor, contractValidator } from '../support/api.js';
import { EXE, MONDAY_BEFORE_NATIONAL_DAY, nodeServiceOf, PDF } from '../support/bookings.js';
import { createCompanyUser, createUser, TEST_PASSWORD } from '../support/factories.js';
import { CONDITIONS, bookCalibration, standardFor } from '../support/lab.js';
import { stateDigest } from '../security/fixture.js';
import { asFormBody } from '../../src/api/api.service.js';

const asForm = (body: object) => asFormBody(body) as Record<string, unknown>;
import supertest from 'supertest';

const bookingBody = (nodeId: number, serial = 'API-PG-001') => ({
  service: 'CAL-PG',
  node: String(nodeId),
  slot: '2026-09-29|am',
  deliveryMode: 'send_in',
  items: [{ name: '一般压力表', serialNo: serial, quantity: 1, range: '0-1.6 MPa', accuracyClass: '1.6', compulsory: true }],
  contactName: '张伟',
  contactMobile: '13900000101',
});

describe('open API /api/v1', () => {
  let t: TestApp;
  let doc: Record<string, unknown>;
  let check: ReturnType<typeof contractValidator>;
  let companyA: Awaited<ReturnType<typeof createCompanyUser>>;
  let companyB: Awaited<ReturnType<typeof createCompanyUser>>;
  let keyA: string;
  let keyB: string;
  let readOnlyA: string;
  let metrologyId: number;
  let metrologyKey: string;
  let oilKey: string;
  const api = () => supertest(t.app);

  /** A request with the key, its response checked against the OpenAPI document. */
  async function call(method: 'get' | 'post', path: string, template: string, key: string, body?: unknown, headers: Record<string, string> = {}) {
    let req = api()[method](`/api/v1${path}`).set('Authorization', `Bearer ${key}`);
    for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
    const res = body === undefined ? await req : await req.send(body as object);
    check(template, method, res);
    return res;
  }

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    companyA = await createCompanyUser(t.db, { name: '舟山海星船舶修造有限公司' });
    companyB = await createCompanyUser(t.db, { name: '舟山远洋渔业有限公司' });
    keyA = (await apiKeyFor(t, companyA.user.id, ['read', 'book'])).secret;
    readOnlyA = (await apiKeyFor(t, companyA.user.id, ['read'])).secret;
    keyB = (await apiKeyFor(t, companyB.user.id, ['read', 'book'])).secret;
    metrologyId = (await nodeServiceOf(t.db, 'ZS-METROLOGY', 'CAL-PG')).nodeId;
    const metrologyManager = await createUser(t.db, 'node_manager', { nodeCode: 'ZS-METROLOGY' });
    const oilManager = await createUser(t.db, 'node_manager', { nodeCode: 'ZS-OILLAB' });
    metrologyKey = (await apiKeyFor(t, metrologyManager.id, ['read', 'lab'])).secret;
    oilKey = (await apiKeyFor(t, oilManager.id, ['read', 'lab'])).secret;
    const res = await api().get('/api/v1/openapi.json');
    expect(res.status).to.equal(200);
    doc = res.body as Record<string, unknown>;
    check = contractValidator(doc);
  });
  after(() => t?.close());

  it('serves an OpenAPI 3.1 document that validates', async () => {
    expect(doc.openapi).to.equal('3.1.0');
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid, result.valid ? '' : compileErrors(result)).to.equal(true);
    const docs = await api().get('/api/docs');
    expect(docs.status).to.equal(200);
    expect(docs.text).to.contain('/vendor/swagger-ui/swagger-ui-bundle.js');
    expect(docs.text).not.to.match(/<script>[^<]/);
    expect((await api().get('/vendor/swagger-ui/swagger-ui-bundle.js')).status).to.equal(200);
  });

  it('answers 401 problem+json without a key, with an unknown key and with a revoked key', async () => {
    const none = await api().get('/api/v1/services');
    expect(none.status).to.equal(401);
    expect(none.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(none.headers['www-authenticate']).to.match(/^Bearer/);
    check('/services', 'get', none);
    expect((await api().get('/api/v1/services').set('Authorization', `Bearer nqi_${'x'.repeat(43)}`)).status).to.equal(401);
    const doomed = await apiKeyFor(t, companyA.user.id, ['read']);
    expect((await call('get', '/services', '/services', doomed.secret)).status).to.equal(200);
    await t.services.keys.revoke((await t.services.auth.loadPrincipal(companyA.user.id))!, doomed.id);
    const revoked = await call('get', '/services', '/services', doomed.secret);
    expect(revoked.status).to.equal(401);
  });

  it('stops a company key once its creator is no longer the company admin, and works again when they are', async () => {
    const colleague = await createUser(t.db, 'enterprise', { enterpriseId: companyA.enterprise.id });
    await t.db.update(users).set({ companyAdmin: true }).where(eq(users.id, colleague.id));
    const key = await apiKeyFor(t, colleague.id, ['read']);
    expect((await call('get', '/services', '/services', key.secret)).status).to.equal(200);
    await t.db.update(users).set({ companyAdmin: false }).where(eq(users.id, colleague.id));
    expect((await call('get', '/services', '/services', key.secret)).status).to.equal(401);
    await t.db.update(users).set({ companyAdmin: true }).where(eq(users.id, colleague.id));
    expect((await call('get', '/services', '/services', key.secret)).status).to.equal(200);
  });

  it('stores only a hash of each key', async () => {
    const rows = await t.db.select().from(apiKeys);
    for (const r of rows) expect(r.keyHash).to.match(/^[0-9a-f]{64}$/);
    expect(rows.map((r) => r.keyHash)).not.to.include(keyA);
  });

  it('lists services, nodes and the free units of a service’s windows', async () => {
    const services = await call('get', '/services', '/services', keyA);
    expect(services.status).to.equal(200);
    expect(services.body.data.map((s: { code: string }) => s.code)).to.include('CAL-PG');
    const nodes = await call('get', '/nodes', '/nodes', keyA);
    expect(nodes.body.data.map((n: { id: number }) => n.id)).to.include(metrologyId);
    const windows = await call('get', `/availability?service=CAL-PG&node=${metrologyId}&from=2026-09-29&to=2026-09-30`, '/availability', keyA);
    expect(windows.status).to.equal(200);
    expect(windows.body.data[0]).to.include({ date: '2026-09-29', window: 'am' });
    const bad = await call('get', '/availability?service=NOPE&node=1', '/availability', keyA);
    expect(bad.status).to.equal(422);
    expect(bad.body.errors[0].field).to.equal('service');
  });

  it('books with an Idempotency-Key: one booking, channel api; the same key again returns it', async () => {
    const key = 'erp-order-2026-0001-abc';
    const first = await call('post', '/bookings', '/bookings', keyA, bookingBody(metrologyId), { 'Idempotency-Key': key });
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    expect(first.headers.location).to.equal(`/api/v1/bookings/${first.body.number}`);
    const again = await call('post', '/bookings', '/bookings', keyA, bookingBody(metrologyId), { 'Idempotency-Key': key });
    expect(again.status).to.equal(200);
    expect(again.body).to.deep.equal({ number: first.body.number, duplicate: true });
    const saved = await t.db.select().from(bookings).where(eq(bookings.number, first.body.number));
    expect(saved).to.have.length(1);
    expect(saved[0]!.channel).to.equal('api');
    expect(saved[0]!.enterpriseId).to.equal(companyA.enterprise.id);
  });

  it('replays the same key with the same request (keys in any order), and refuses it with a different request (422, nothing created)', async () => {
    const key = 'erp-order-2026-0101-fp';
    const body = bookingBody(metrologyId, 'FP-001');
    const first = await call('post', '/bookings', '/bookings', keyA, body, { 'Idempotency-Key': key });
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    const [saved] = await t.db.select().from(bookings).where(eq(bookings.number, first.body.number));
    expect(saved!.requestFingerprint).to.match(/^[0-9a-f]{64}$/);
    // the same content, its keys in another order: the same request
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const replay = await call('post', '/bookings', '/bookings', keyA, reordered, { 'Idempotency-Key': key });
    expect(replay.status).to.equal(200);
    expect(replay.body).to.deep.equal({ number: first.body.number, duplicate: true });

    const before = await stateDigest(t);
    const changed = await call('post', '/bookings', '/bookings', keyA, bookingBody(metrologyId, 'FP-002'), { 'Idempotency-Key': key });
    expect(changed.status).to.equal(422);
    expect(changed.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(changed.body.type).to.match(/idempotency-key-reused$/);
    expect(changed.body.detail).to.contain('该幂等键已用于内容不同的请求');
    expect(changed.body.errors).to.deep.equal([{ field: 'Idempotency-Key', message: changed.body.detail }]);
    // another slot with an attachment: refused as well, and its file is not kept anywhere
    const withFile = { ...body, slot: '2026-09-30|am', attachments: [{ purpose: 'instrument_list', name: '清单.pdf', contentBase64: PDF.toString('base64') }] };
    expect((await call('post', '/bookings', '/bookings', keyA, withFile, { 'Idempotency-Key': key })).status).to.equal(422);
    expect(await stateDigest(t)).to.deep.equal(before);
    const rows = await t.db.select().from(bookings).where(eq(bookings.idempotencyKey, key));
    expect(rows.map((r) => r.number)).to.deep.equal([first.body.number]);
    // the first booking is unchanged and the key still replays it for the original request
    expect((await call('post', '/bookings', '/bookings', keyA, body, { 'Idempotency-Key': key })).status).to.equal(200);
  });

  it('refuses the loser of two different requests racing with one key (the unique key decides, then the fingerprint)', async () => {
    const key = 'erp-order-2026-0102-race';
    const [a, b] = await Promise.all([
      call('post', '/bookings', '/bookings', keyA, bookingBody(metrologyId, 'RACE-A'), { 'Idempotency-Key': key }),
      call('post', '/bookings', '/bookings', keyA, { ...bookingBody(metrologyId, 'RACE-B'), slot: '2026-09-30|am' }, { 'Idempotency-Key': key }),
    ]);
    expect([a.status, b.status].sort()).to.deep.equal([201, 422]);
    const rows = await t.db.select().from(bookings).where(eq(bookings.idempotencyKey, key));
    expect(rows).to.have.length(1);
    expect(rows[0]!.number).to.equal((a.status === 201 ? a : b).body.number);
  });

  it('keeps the web form’s resubmit unchanged: a booking without a fingerprint is replayed for its key', async () => {
    const number = await bookCalibration(t, companyA.user.id, { serials: ['WEB-FP-1'] });
    const [web] = await t.db.select().from(bookings).where(eq(bookings.number, number));
    expect(web!.requestFingerprint).to.equal(null);
    const user = (await t.services.auth.loadPrincipal(companyA.user.id))!;
    const again = await t.services.bookings.submit(user, { ...asForm(bookingBody(metrologyId, 'WEB-FP-2')), idempotencyKey: web!.idempotencyKey }, []);
    expect(again).to.deep.equal({ number, duplicate: true });
  });

  it('refuses a booking without a key header or with bad fields (422 with field errors, nothing saved)', async () => {
    const before = (await t.db.select().from(bookings)).length;
    const noKey = await call('post', '/bookings', '/bookings', keyA, bookingBody(metrologyId));
    expect(noKey.status).to.equal(422);
    expect(noKey.body.errors[0].field).to.equal('Idempotency-Key');
    const bad = await call('post', '/bookings', '/bookings', keyA, { ...bookingBody(metrologyId), contactMobile: '123' }, { 'Idempotency-Key': 'erp-order-2026-0002-abc' });
    expect(bad.status).to.equal(422);
    expect(bad.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).to.include('contactMobile');
    expect(bad.body.errors[0].message).to.match(/[\u4e00-\u9fa5]/);
    const readOnly = await call('post', '/bookings', '/bookings', readOnlyA, bookingBody(metrologyId), { 'Idempotency-Key': 'erp-order-2026-0003-abc' });
    expect(readOnly.status).to.equal(403);
    expect((await t.db.select().from(bookings)).length).to.equal(before);
  });

  it('takes attachments in the booking and checks their content as the form does', async () => {
    const withPdf = { ...bookingBody(metrologyId, 'ATT-1'), attachments: [{ purpose: 'instrument_list', name: '器具清单.pdf', contentBase64: PDF.toString('base64') }] };
    const ok = await call('post', '/bookings', '/bookings', keyA, withPdf, { 'Idempotency-Key': 'erp-attach-0001-abcdef' });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
    const [row] = await t.db.select({ id: bookings.id }).from(bookings).where(eq(bookings.number, ok.body.number));
    const saved = await t.db.select().from(attachments).where(eq(attachments.bookingId, row!.id));
    expect(saved.map((a) => [a.purpose, a.originalName])).to.deep.equal([['instrument_list', '器具清单.pdf']]);
    const before = (await t.db.select().from(bookings)).length;
    const disguised = { ...bookingBody(metrologyId, 'ATT-2'), attachments: [{ purpose: 'instrument_list', name: '清单.pdf', contentBase64: EXE.toString('base64') }] };
    const refused = await call('post', '/bookings', '/bookings', keyA, disguised, { 'Idempotency-Key': 'erp-attach-0002-abcdef' });
    expect(refused.status).to.equal(422);
    expect((await t.db.select().from(bookings)).length).to.equal(before);
  });

  it('pages bookings with a cursor, and answers 304 to a matching If-None-Match', async () => {
    for (let i = 0; i < 3; i++) await bookCalibration(t, companyA.user.id, { serials: [`CUR-${i}`] });
    const first = await call('get', '/bookings?limit=2', '/bookings', keyA);
    expect(first.status).to.equal(200);
    expect(first.body.data).to.have.length(2);
    expect(first.body.nextCursor).to.be.a('string');
    const seen: string[] = first.body.data.map((b: { number: string }) => b.number);
    for (let cursor = first.body.nextCursor as string | null; cursor; ) {
      const next = await call('get', `/bookings?limit=2&cursor=${cursor}`, '/bookings', keyA);
      seen.push(...next.body.data.map((b: { number: string }) => b.number));
      cursor = next.body.nextCursor;
    }
    const all = await t.db.select({ number: bookings.number }).from(bookings).where(eq(bookings.enterpriseId, companyA.enterprise.id));
    expect(new Set(seen).size).to.equal(seen.length);
    expect([...seen].sort()).to.deep.equal(all.map((b) => b.number).sort());
    expect(first.headers.etag).to.be.a('string');
    const cached = await api().get('/api/v1/bookings?limit=2').set('Authorization', `Bearer ${keyA}`).set('If-None-Match', first.headers.etag!);
    expect(cached.status).to.equal(304);
    const badCursor = await call('get', '/bookings?cursor=zzz', '/bookings', keyA);
    expect(badCursor.status).to.equal(422);
  });

  it('keeps each key in its owner’s scope: another company’s booking and another node’s booking are 404', async () => {
    const number = await bookCalibration(t, companyA.user.id, { serials: ['SCOPE-1'] });
    const mine = await call('get', `/bookings/${number}`, '/bookings/{number}', keyA);
    expect(mine.status).to.equal(200);
    expect((await call('get', `/bookings/${number}/reports`, '/bookings/{number}/reports', keyA)).body).to.deep.equal({ data: [] });
    expect((await call('get', `/bookings/${number}/reports`, '/bookings/{number}/reports', keyB)).status).to.equal(404);
    expect(mine.body.number).to.equal(number);
    const other = await call('get', `/bookings/${number}`, '/bookings/{number}', keyB);
    expect(other.status).to.equal(404);
    expect((await call('get', '/bookings', '/bookings', keyB)).body.data).to.deep.equal([]);
    expect((await call('get', `/bookings/${number}`, '/bookings/{number}', metrologyKey)).status).to.equal(200);
    expect((await call('get', `/bookings/${number}`, '/bookings/{number}', oilKey)).status).to.equal(404);
    const cancelOther = await call('post', `/bookings/${number}/cancel`, '/bookings/{number}/cancel', keyB, { reason: '不需要了' });
    expect(cancelOther.status).to.equal(404);
    const [row] = await t.db.select().from(bookings).where(eq(bookings.number, number));
    expect(row!.status).to.equal('submitted');
  });

  it('cancels and reschedules through the booking rules', async () => {
    const number = await bookCalibration(t, companyA.user.id, { serials: ['CXL-1'] });
    const moved = await call('post', `/bookings/${number}/reschedule`, '/bookings/{number}/reschedule', keyA, { slot: '2026-09-30|am' });
    expect(moved.status, JSON.stringify(moved.body)).to.equal(200);
    expect(moved.body.date).to.equal('2026-09-30');
    const noReason = await call('post', `/bookings/${number}/cancel`, '/bookings/{number}/cancel', keyA, {});
    expect(noReason.status).to.equal(422);
    const cancelled = await call('post', `/bookings/${number}/cancel`, '/bookings/{number}/cancel', keyA, { reason: '设备已送外地检定' });
    expect(cancelled.status).to.equal(200);
    expect(cancelled.body.status).to.equal('cancelled');
    const twice = await call('post', `/bookings/${number}/cancel`, '/bookings/{number}/cancel', keyA, { reason: '设备已送外地检定' });
    expect(twice.status).to.equal(409);
  });

  it('lets a node key work its queue (accept, receive) but never verify or sign', async () => {
    const number = await bookCalibration(t, companyA.user.id, { serials: ['LAB-1'] });
    const queue = await call('get', '/lab/queue', '/lab/queue', metrologyKey);
    expect(queue.body.data.map((b: { number: string }) => b.number)).to.include(number);
    expect((await call('get', '/lab/queue', '/lab/queue', keyA)).status).to.equal(403);
    const accepted = await call('post', `/lab/bookings/${number}/accept`, '/lab/bookings/{number}/{action}', metrologyKey, {});
    expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
    expect(accepted.body.status).to.equal('accepted');
    expect((await call('post', `/lab/bookings/${number}/accept`, '/lab/bookings/{number}/{action}', oilKey, {})).status).to.equal(404);
    const verify = await api().post(`/api/v1/lab/bookings/${number}/verify`).set('Authorization', `Bearer ${metrologyKey}`).send({});
    expect(verify.status).to.equal(404);
    const [row] = await t.db.select().from(bookings).where(eq(bookings.number, number));
    expect(row!.status).to.equal('accepted');
  });

  it('gives a node key its measurement standards, whose ids its results name; results without one are refused', async () => {
    const id = await standardFor(t.db, 'ZS-METROLOGY');
    const listed = await call('get', '/lab/standards', '/lab/standards', metrologyKey);
    expect(listed.status).to.equal(200);
    expect(listed.body.data.find((s: { id: number }) => s.id === id)).to.include({ name: '测试用计量标准（CAL-PG）', validUntil: '2030-12-31', inDate: true });
    expect((await call('get', '/lab/standards', '/lab/standards', keyA)).status, 'a company key').to.equal(403);
    expect((await call('get', '/lab/standards', '/lab/standards', oilKey)).body.data.some((s: { id: number }) => s.id === id), 'another node').to.equal(false);

    const number = await bookCalibration(t, companyA.user.id, { serials: ['LAB-STD-1'] });
    const [item] = await t.db.select({ id: bookingItems.id }).from(bookingItems).innerJoin(bookings, eq(bookings.id, bookingItems.bookingId)).where(eq(bookings.number, number));
    for (const [action, body] of [['accept', {}], ['receive', { labels: { [`i${item!.id}`]: 'API-STD-1' } }], ['start', {}]] as const) {
      expect((await call('post', `/lab/bookings/${number}/${action}`, '/lab/bookings/{number}/{action}', metrologyKey, body)).status, action).to.equal(200);
    }
    const line = { conclusion: 'pass', certificateNo: 'API-JD-0001', nextDueDate: '2027-03-01', unit: 'MPa', mpe: '±0.026', points: [{ nominal: '1.6', measured: '1.61' }] };
    const untraced = await call('post', `/lab/bookings/${number}/submit_results`, '/lab/bookings/{number}/{action}', metrologyKey, { cal: { [`i${item!.id}`]: line } });
    expect(untraced.status).to.equal(422);
    expect(JSON.stringify(untraced.body)).to.contain('所用的计量标准').and.contain('环境温度');
    const traced = await call('post', `/lab/bookings/${number}/submit_results`, '/lab/bookings/{number}/{action}', metrologyKey, { conditions: CONDITIONS, cal: { [`i${item!.id}`]: { ...line, standards: [String(id)] } } });
    expect(traced.status, JSON.stringify(traced.body)).to.equal(200);
    expect(traced.body.status).to.equal('to_verify');
  });

  it('keeps a company’s instrument ledger through the ledger’s own rules (create, duplicate refused, update, list)', async () => {
    const fields = { name: '一般压力表', categoryCode: 'CAL-PG', serialNo: 'API-TC-0001', compulsory: 'yes', compulsoryUse: 'safety', status: 'in_use', periodMonths: '6', nextDueDate: '2026-12-01' };
    const created = await call('post', '/instruments', '/instruments', keyA, fields);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body).to.include({ name: '一般压力表', serialNo: 'API-TC-0001', compulsory: true });
    const twice = await call('post', '/instruments', '/instruments', keyA, fields);
    expect([409, 422]).to.include(twice.status);
    const id = created.body.id as number;
    const updated = await api().put(`/api/v1/instruments/${id}`).set('Authorization', `Bearer ${keyA}`).send({ ...fields, department: '计量室' });
    check('/instruments/{id}', 'put', updated);
    expect(updated.body.department).to.equal('计量室');
    const list = await call('get', '/instruments', '/instruments', keyA);
    expect(list.body.data.map((i: { id: number }) => i.id)).to.include(id);
    expect((await call('get', `/instruments/${id}`, '/instruments/{id}', keyB)).status).to.equal(404);
    expect((await call('get', '/instruments', '/instruments', metrologyKey)).status).to.equal(403);
    const bad = await call('post', '/instruments', '/instruments', keyA, { ...fields, serialNo: '' });
    expect(bad.status).to.equal(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).to.include('serialNo');
  });

  it('verifies a report by number and code (nothing found for a wrong code)', async () => {
    const res = await call('get', '/verify?number=ZS-NOPE&code=ABCDEF', '/verify', keyA);
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ found: false, result: null });
  });

  it('limits each key per minute with RateLimit-* headers', async () => {
    const limited = await apiKeyFor(t, companyB.user.id, ['read']);
    await t.db.update(apiKeys).set({ rateLimit: 2 }).where(eq(apiKeys.id, limited.id));
    const one = await call('get', '/nodes', '/nodes', limited.secret);
    expect(one.headers['ratelimit-limit']).to.equal('2');
    expect(one.headers['ratelimit-remaining']).to.equal('1');
    await call('get', '/nodes', '/nodes', limited.secret);
    const third = await call('get', '/nodes', '/nodes', limited.secret);
    expect(third.status).to.equal(429);
    // another key is not affected
    expect((await call('get', '/nodes', '/nodes', keyB)).status).to.equal(200);
  });

  it('never takes a session cookie or a CSRF token: a signed-in browser without a key gets 401', async () => {
    const browser = agentFor(t.app);
    await login(browser, companyA.user.mobile, TEST_PASSWORD);
    const res = await browser.post('/api/v1/bookings').set('Idempotency-Key', 'browser-attempt-0001').send(bookingBody(metrologyId));
    expect(res.status).to.equal(401);
  });

  it('answers malformed ids in every API path with a refusal problem, never a 500', async () => {
    const garbage = ['0', '-1', '99999999999999999999', 'abc', '%00', '..%2F..%2Fetc%2Fpasswd', "1'%20OR%20'1'%3D'1", '%E2%80%AE', '1.5'];
    const paths = ['/bookings/:number', '/bookings/:number/reports/:version', '/bookings/:number/reports/:version/pdf'];
    for (const key of [keyA, metrologyKey]) {
      for (const bad of garbage) {
        for (const p of paths) {
          const res = await api().get(`/api/v1${p.replace(/:[a-z]+/g, bad)}`).set('Authorization', `Bearer ${key}`);
          expect([400, 404], `${p} ${bad} → ${res.status}`).to.include(res.status);
          expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
        }
        for (const p of ['/bookings/:number/cancel', '/lab/bookings/:number/accept']) {
          const res = await api().post(`/api/v1${p.replace(/:[a-z]+/g, bad)}`).set('Authorization', `Bearer ${key}`).send({ reason: '畸形编号' });
          expect([400, 403, 404], `${p} ${bad} → ${res.status}`).to.include(res.status);
        }
      }
    }
  });

  it('refuses an unknown state filter (422 on the field) and half a surrogate pair in a body (400), never a 500; nothing saved', async () => {
    for (const status of ['xx', 'submitted,xx', '%E4%B8%AD']) {
      const res = await api().get(`/api/v1/bookings?status=${status}`).set('Authorization', `Bearer ${keyA}`);
      expect(res.status, status).to.equal(422);
      expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
      expect(JSON.stringify(res.body)).to.contain('未知的办理状态');
    }
    expect((await api().get('/api/v1/bookings?status=submitted,accepted').set('Authorization', `Bearer ${keyA}`)).status).to.equal(200);
    const before = await t.db.$count(bookings);
    const raw = JSON.stringify({ ...bookingBody(metrologyId), remarks: 'LONE' }).replace('"LONE"', '"\\ud800"');
    expect(raw).to.contain('\\ud800');
    const res = await api().post('/api/v1/bookings').set('Authorization', `Bearer ${keyA}`).set('Idempotency-Key', 'lone-surrogate-0001').set('Content-Type', 'application/json').send(raw);
    expect(res.status).to.equal(400);
    expect(await t.db.$count(bookings)).to.equal(before);
  });

  it('refuses a body nested thousands of levels deep with a 400 problem, never a 500; a body as deep as the limit still reaches its checks', async () => {
    const before = { bookings: await t.db.$count(bookings), instruments: await t.db.$count(instruments) };
    const deepArray = '['.repeat(5000) + ']'.repeat(5000);
    const deepObject = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    for (const [path, body] of [['/api/v1/instruments', deepArray], ['/api/v1/instruments', deepObject], ['/api/v1/bookings', deepObject]] as const) {
      const res = await api().post(path).set('Authorization', `Bearer ${keyA}`).set('Idempotency-Key', 'deep-json-body-0001').set('Content-Type', 'application/json').send(body);
      expect(res.status, path).to.equal(400);
      expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
      expect(res.body.detail).to.contain('嵌套层级过深');
    }
    const atLimit = await api().post('/api/v1/instruments').set('Authorization', `Bearer ${keyA}`).set('Content-Type', 'application/json').send('{"a":'.repeat(31) + '1' + '}'.repeat(31));
    expect(atLimit.status).to.equal(422);
    expect({ bookings: await t.db.$count(bookings), instruments: await t.db.$count(instruments) }).to.deep.equal(before);
  });

  it('answers unknown API paths with a 404 problem', async () => {
    const res = await api().get('/api/v1/nothing-here').set('Authorization', `Bearer ${keyA}`);
    expect(res.status).to.equal(404);
    expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
  });
});

describe('API key pages', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
  });
  after(() => t?.close());

  async function csrfOf(agent: ReturnType<typeof agentFor>, path: string) {
    const page = await agent.get(path);
    expect(page.status).to.equal(200);
    return /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
  }

  it('a company user creates a key, sees it once, and revokes it', async () => {
    const { user } = await createCompanyUser(t.db);
    const agent = agentFor(t.app);
    await login(agent, user.mobile, TEST_PASSWORD);
    const csrf = await csrfOf(agent, '/company/api-keys');
    const created = await agent.post('/company/api-keys').type('form').send({ _csrf: csrf, name: 'ERP 系统', scopes: ['read', 'book'] });
    expect(created.status).to.equal(201);
    const secret = /<code[^>]*id="new-key">([^<]+)<\/code>/.exec(created.text)![1]!;
    expect(secret).to.match(/^nqi_/);
    expect((await supertest(t.app).get('/api/v1/services').set('Authorization', `Bearer ${secret}`)).status).to.equal(200);
    const later = await agent.get('/company/api-keys');
    expect(later.text).not.to.contain(secret);
    expect(later.text).to.contain('ERP 系统');
    const refused = await agent.post('/company/api-keys').type('form').send({ _csrf: csrf, name: 'x', scopes: ['lab'] });
    expect(refused.status).to.equal(422);
    const [row] = await t.db.select().from(apiKeys).where(eq(apiKeys.name, 'ERP 系统'));
    const revoked = await agent.post(`/company/api-keys/${row!.id}/revoke`).type('form').send({ _csrf: csrf });
    expect(revoked.status).to.equal(303);
    expect((await supertest(t.app).get('/api/v1/services').set('Authorization', `Bearer ${secret}`)).status).to.equal(401);
  });

  it('holds at most ten live keys per company (each key has its own rate limit): the eleventh is refused at the name, a revoked one makes room', async () => {
    const { user, enterprise } = await createCompanyUser(t.db);
    const agent = agentFor(t.app);
    await login(agent, user.mobile, TEST_PASSWORD);
    const csrf = await csrfOf(agent, '/company/api-keys');
    for (let i = 1; i <= 10; i++) expect((await agent.post('/company/api-keys').type('form').send({ _csrf: csrf, name: `系统 ${i}`, scopes: ['read'] })).status).to.equal(201);
    const refused = await agent.post('/company/api-keys').type('form').send({ _csrf: csrf, name: '第十一个', scopes: ['read'] });
    expect(refused.status).to.equal(422);
    expect(refused.text).to.contain('最多可同时启用 10 个接口密钥').and.contain('value="第十一个"');
    expect(refused.text).to.contain('有效密钥 10 / 10 个，已达上限');
    const live = await t.db.select().from(apiKeys).where(eq(apiKeys.enterpriseId, enterprise.id));
    expect(live).to.have.length(10);
    expect((await agent.post(`/company/api-keys/${live[0]!.id}/revoke`).type('form').send({ _csrf: csrf })).status).to.equal(303);
    expect((await agent.get('/company/api-keys')).text).to.contain('有效密钥 9 / 10 个。');
    expect((await agent.post('/company/api-keys').type('form').send({ _csrf: csrf, name: '第十一个', scopes: ['read'] })).status).to.equal(201);
  });

  it('each role uses its own page: node manager /lab/api-keys, platform /admin/api-keys; lab staff are refused', async () => {
    const manager = await createUser(t.db, 'node_manager', { nodeCode: 'ZS-METROLOGY' });
    const agent = agentFor(t.app);
    await login(agent, manager.mobile, TEST_PASSWORD);
    expect((await agent.get('/lab/api-keys')).status).to.equal(200);
    expect((await agent.get('/company/api-keys')).status).to.equal(403);
    const admin = await createUser(t.db, 'platform_admin');
    const adminAgent = agentFor(t.app);
    await login(adminAgent, admin.mobile, TEST_PASSWORD);
    expect((await adminAgent.get('/admin/api-keys')).status).to.equal(200);
    const staff = await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' });
    const staffAgent = agentFor(t.app);
    await login(staffAgent, staff.mobile, TEST_PASSWORD);
    expect((await staffAgent.get('/lab/api-keys')).status).to.equal(403);
  });
});
