import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { eq, sql } from 'drizzle-orm';
import type { Principal } from '../../src/auth/access.js';
import type { UploadedFile } from '../../src/uploads/purposes.js';
import { attachments, bookings, storedFiles } from '../../src/db/schema.js';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, login, type TestApp } from '../support/app.js';
import { calibrationFields, filesUnder, MONDAY_BEFORE_NATIONAL_DAY, nodeServiceOf, openBookingForm, PNG, postMultipart } from '../support/bookings.js';
import { createCompanyUser, createUser, TEST_PASSWORD } from '../support/factories.js';
import { createEquipment } from '../support/equipment.js';

/** FILE_STORE=database: documents in stored_files, served from there to every host, never on the local disk. */
describe('documents kept in the database (FILE_STORE=database)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY), env: { FILE_STORE: 'database' } });
  });
  after(() => t?.close());

  it('stores an uploaded document as a row, downloads it byte-identical, and keeps scope checks (other company 404)', async () => {
    const company = await createCompanyUser(t.db);
    const agent = agentFor(t.app);
    await login(agent, company.user.mobile, TEST_PASSWORD);
    const nodeId = (await nodeServiceOf(t.db, 'ZS-METROLOGY', 'CAL-PG')).nodeId;
    // A 2 MB PDF whose body is random: any byte lost or changed on the way shows.
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(2 * 1024 * 1024), Buffer.from('\n%%EOF\n')]);
    const page = await openBookingForm(agent, 'CAL-PG', nodeId);
    const review = await postMultipart(agent, '/bookings', calibrationFields(page, nodeId, { intent: 'review' }), [{ field: 'file_instrument_list', buffer: pdf, name: '器具清单.pdf' }]);
    expect(review.status).to.equal(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(review.text)![1]!;
    const hidden = Object.fromEntries([...review.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replace(/&#34;/g, '"').replace(/&amp;/g, '&')]));
    const submit = await postMultipart(agent, '/bookings', { ...hidden, _csrf: csrf, intent: 'submit' });
    expect(submit.status).to.equal(303);
    const number = submit.headers.location!.split('/').pop()!;

    const [file] = await t.db.select().from(attachments).innerJoin(bookings, eq(bookings.id, attachments.bookingId)).where(eq(bookings.number, number));
    const [row] = await t.db.select({ sizeBytes: storedFiles.sizeBytes }).from(storedFiles).where(eq(storedFiles.storedName, file!.attachments.storedName));
    expect(row?.sizeBytes).to.equal(pdf.length);
    expect(filesUnder(t.uploadDir)).to.deep.equal([]);

    const download = await agent.get(`/bookings/${number}/attachments/${file!.attachments.id}`).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(download.status).to.equal(200);
    expect(download.headers['content-type']).to.equal('application/pdf');
    expect(download.headers['content-disposition']).to.contain('attachment').and.contain('.pdf');
    expect(download.headers['cache-control']).to.equal('private, no-store');
    expect(Buffer.compare(download.body as Buffer, pdf)).to.equal(0);

    const other = await createCompanyUser(t.db);
    const otherAgent = agentFor(t.app);
    await login(otherAgent, other.user.mobile, TEST_PASSWORD);
    expect((await otherAgent.get(`/bookings/${number}/attachments/${file!.attachments.id}`)).status).to.equal(404);
    expect((await agentFor(t.app).get(`/bookings/${number}/attachments/${file!.attachments.id}`)).status).to.equal(302);

    // A document gone from the store answers 404 with a message, not a 500.
    await t.db.delete(storedFiles).where(eq(storedFiles.storedName, file!.attachments.storedName));
    const gone = await agent.get(`/bookings/${number}/attachments/${file!.attachments.id}`);
    expect(gone.status).to.equal(404);
    expect(gone.text).to.contain('附件文件已不存在');
  });

  it('removes the saved row again when the transaction recording it fails, and replaces an old photo row on success', async () => {
    const e = await createEquipment(t.db);
    const manager = await createUser(t.db, 'node_manager', { nodeCode: 'ZS-METROLOGY' });
    const principal = (await t.services.auth.loadPrincipal(manager.id)) as Principal;
    const upload = (buffer: Buffer): UploadedFile[] => [{ purpose: 'equipment_photo', buffer, originalname: '色谱仪.png', size: buffer.length }];
    const rows = () => t.db.$count(storedFiles);

    // The event of the photo change cannot be written: the transaction rolls back after the content was saved.
    await t.db.execute(sql`CREATE FUNCTION refuse_photo_event() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.action = 'equipment.photo' THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$`);
    await t.db.execute(sql`CREATE TRIGGER refuse_photo_event BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_photo_event()`);
    const before = await rows();
    let failed = false;
    try {
      await t.services.equipment.manage.setPhoto(principal, e.id, upload(PNG));
    } catch {
      failed = true;
    } finally {
      await t.db.execute(sql`DROP TRIGGER refuse_photo_event ON events`);
      await t.db.execute(sql`DROP FUNCTION refuse_photo_event()`);
    }
    expect(failed).to.equal(true);
    expect(await rows()).to.equal(before);

    await t.services.equipment.manage.setPhoto(principal, e.id, upload(PNG));
    expect(await rows()).to.equal(before + 1);
    await t.services.equipment.manage.setPhoto(principal, e.id, upload(PNG));
    expect(await rows()).to.equal(before + 1); // the previous photo's row is removed
  });
});
