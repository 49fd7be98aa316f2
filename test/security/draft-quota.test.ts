import { expect } from 'chai';
import { desc, eq, isNull } from 'drizzle-orm';
import { attachments } from '../../src/db/schema.js';
import { fixedClock } from '../../src/shared/time.js';
import { MAX_FILES } from '../../src/uploads/quota.js';
import { agentFor, createTestApp, login, type Agent, type TestApp } from '../support/app.js';
import { calibrationFields, filesUnder, MONDAY_BEFORE_NATIONAL_DAY, nodeServiceOf, openBookingForm, PDF, postMultipart, type FileToSend } from '../support/bookings.js';
import { createCompanyUser, createUser, TEST_PASSWORD } from '../support/factories.js';

const KB = 1024;
const pdf = (bytes = PDF.length) => Buffer.concat([PDF, Buffer.alloc(Math.max(0, bytes - PDF.length), 0x20)]);
const files = (n: number, bytes?: number): FileToSend[] => Array.from({ length: n }, (_, i) => ({ field: 'file_other', buffer: pdf(bytes), name: `草稿${i}.pdf` }));

/**
 * Draft files (kept between the booking form's review step and its submission) cannot fill the disk: capped per user,
 * per company and for the platform, the review step rate-limited per user, the parser stopping at the per-form rule,
 * abandoned drafts swept after two hours.
 */
describe('security: draft upload quota', function () {
  this.timeout(120_000);
  let t: TestApp;
  let nodeId: number;

  async function signedIn(enterpriseId?: number): Promise<Agent> {
    const user = enterpriseId ? await createUser(t.db, 'enterprise', { enterpriseId }) : (await createCompanyUser(t.db)).user;
    const agent = agentFor(t.app);
    await login(agent, user.mobile, TEST_PASSWORD);
    return agent;
  }
  async function companyOf(agent: Agent): Promise<number> {
    const res = await agent.get('/account');
    return Number(/\/enterprises\/(\d+)/.exec(res.text)![1]);
  }
  /** One review step of a new form (a fresh form key, as a user opening the form again would have). */
  async function review(agent: Agent, sent: FileToSend[]) {
    const page = await openBookingForm(agent, 'CAL-PG', nodeId);
    return postMultipart(agent, '/bookings', calibrationFields(page, nodeId, { intent: 'review' }), sent);
  }
  const drafts = () => t.db.$count(attachments, isNull(attachments.bookingId));

  function expectRefused(res: { status: number; text: string }, message: RegExp) {
    expect(res.status, res.text.slice(0, 300)).to.equal(422);
    expect(res.text).to.match(message);
  }

  describe('caps per user, per company and for the platform', () => {
    before(async () => {
      t = await createTestApp({
        clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY),
        draftQuota: { perUser: { files: 3, bytes: 100 * KB }, perCompany: { files: 5, bytes: 200 * KB }, global: { files: 10, bytes: 400 * KB } },
      });
      nodeId = (await nodeServiceOf(t.db, 'ZS-METROLOGY', 'CAL-PG')).nodeId;
    });
    after(() => t?.close());

    it('per user: files and bytes over the cap are refused with a message, nothing kept on disk or in the database', async () => {
      const user = await signedIn();
      expect((await review(user, files(2))).status).to.equal(200);
      const [rows, stored] = [await drafts(), filesUnder(t.uploadDir).length];
      expectRefused(await review(user, files(2)), /您暂存的附件已达上限（最多 3 个/);
      expect([await drafts(), filesUnder(t.uploadDir).length]).to.deep.equal([rows, stored]);
      expect((await review(user, files(1))).status, 'up to the cap is fine').to.equal(200);

      const heavy = await signedIn();
      expect((await review(heavy, files(1, 60 * KB))).status).to.equal(200);
      expectRefused(await review(heavy, files(1, 60 * KB)), /您暂存的附件已达上限.*共 0\.1 MB/);
    });

    it('per company: colleagues share the company’s cap; another company is not affected', async () => {
      const first = await signedIn();
      const company = await companyOf(first);
      expect((await review(first, files(3))).status).to.equal(200);
      const colleague = await signedIn(company);
      expect((await review(colleague, files(2))).status).to.equal(200);
      const third = await signedIn(company);
      const before = filesUnder(t.uploadDir).length;
      expectRefused(await review(third, files(1)), /贵单位暂存的附件已达上限（最多 5 个/);
      expect(filesUnder(t.uploadDir).length).to.equal(before);
      expect((await review(await signedIn(), files(1))).status, 'another company').to.equal(200);
    });

    it('for the platform: once the draft space is full, nobody can add drafts (a direct submission still works)', async () => {
      // 3 + 1 + 5 + 1 drafts are held by now: the platform's 10
      expect(await drafts()).to.equal(10);
      const newcomer = await signedIn();
      expectRefused(await review(newcomer, files(2)), /平台暂存空间暂时已满/);
      const page = await openBookingForm(newcomer, 'CAL-PG', nodeId);
      const submitted = await postMultipart(newcomer, '/bookings', calibrationFields(page, nodeId), files(1));
      expect(submitted.status, submitted.text.slice(0, 300)).to.equal(303);
    });
  });

  describe('under parallel review steps of one company', () => {
    before(async () => {
      t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY), draftQuota: { perCompany: { files: 3, bytes: 1024 * KB } } });
      nodeId = (await nodeServiceOf(t.db, 'ZS-METROLOGY', 'CAL-PG')).nodeId;
    });
    after(() => t?.close());

    it('keeps exactly the cap (the check and the insert hold the company’s lock)', async () => {
      const first = await signedIn();
      const company = await companyOf(first);
      const agents = [first, ...(await Promise.all(Array.from({ length: 5 }, () => signedIn(company))))];
      const pages = await Promise.all(agents.map((a) => openBookingForm(a, 'CAL-PG', nodeId)));
      const results = await Promise.all(agents.map((a, i) => postMultipart(a, '/bookings', calibrationFields(pages[i]!, nodeId, { intent: 'review' }), files(1))));
      expect(results.filter((r) => r.status === 200)).to.have.length(3);
      expect(results.filter((r) => r.status === 422)).to.have.length(3);
      expect(await drafts()).to.equal(3);
      expect(filesUnder(t.uploadDir)).to.have.length(3);
    });
  });

  describe('the parser, the review rate and the sweeper', () => {
    before(async () => {
      t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY), draftQuota: { reviews: { limit: 2, windowMs: 60_000 } } });
      nodeId = (await nodeServiceOf(t.db, 'ZS-METROLOGY', 'CAL-PG')).nodeId;
    });
    after(() => t?.close());

    it(`stops reading at the ${MAX_FILES + 1}th real file (the parser's limit is the rule), whatever the file inputs`, async () => {
      const user = await signedIn();
      const spread: FileToSend[] = ['file_other', 'file_instrument_list', 'file_previous_certificate', 'file_sample_photo', 'file_authorisation', 'file_other'].map((field, i) => ({ field, buffer: pdf(), name: `f${i}.pdf` }));
      const page = await openBookingForm(user, 'CAL-PG', nodeId);
      const res = await postMultipart(user, '/bookings', calibrationFields(page, nodeId, { intent: 'review' }), spread);
      expect(res.status).to.equal(422);
      // the parser's own message (the service's would say how many were already kept)
      expect(res.text).to.contain(`一次最多上传 ${MAX_FILES} 个文件。`).and.not.contain('（已上传');
      expect(await drafts()).to.equal(0);
    });

    it('rate-limits the review step per user (429 with a message); other users and direct submissions are not affected', async () => {
      const user = await signedIn();
      expect((await review(user, files(1))).status).to.equal(200);
      expect((await review(user, [])).status).to.equal(200);
      const limited = await review(user, files(1));
      expect(limited.status).to.equal(429);
      expect(limited.text).to.contain('核对信息的操作过于频繁');
      expect((await review(await signedIn(), files(1))).status).to.equal(200);
      const page = await openBookingForm(user, 'CAL-PG', nodeId);
      expect((await postMultipart(user, '/bookings', calibrationFields(page, nodeId), files(1))).status).to.equal(303);
    });

    it('sweeps drafts of forms abandoned for two hours, with their files; younger ones stay', async () => {
      for (let i = 0; i < 2; i++) expect((await review(await signedIn(), files(1))).status).to.equal(200);
      const [young, old] = await t.db.select().from(attachments).where(isNull(attachments.bookingId)).orderBy(desc(attachments.id)).limit(2);
      await t.db.update(attachments).set({ createdAt: new Date(Date.now() - 2.5 * 3600_000) }).where(eq(attachments.id, old!.id));
      await t.db.update(attachments).set({ createdAt: new Date(Date.now() - 1.5 * 3600_000) }).where(eq(attachments.id, young!.id));
      expect(await t.services.bookings.sweepStaleDrafts()).to.equal(1);
      const left = (await t.db.select({ id: attachments.id }).from(attachments)).map((r) => r.id);
      expect(left).to.include(young!.id).and.not.include(old!.id);
      const onDisk = filesUnder(t.uploadDir).map((f) => f.split('/').pop());
      expect(onDisk).to.include(young!.storedName).and.not.include(old!.storedName);
    });
  });
});
