import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { expect } from 'chai';
import { asc, eq } from 'drizzle-orm';
import { openDatabase, type Database } from '../../src/db/client.js';
import { attachments, bookings, reports, storedFiles } from '../../src/db/schema.js';
import { BackupError, createBackup, restoreBackup, verifySnapshot, type Installation } from '../../src/ops/backup.js';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, login } from '../support/app.js';
import { filesUnder, MONDAY_BEFORE_NATIONAL_DAY } from '../support/bookings.js';
import { createEmptyPgDatabase, createTestPgDatabaseWithUrl, onPostgresServer, pgliteTemplate } from '../support/db.js';
import { TEST_PASSWORD } from '../support/factories.js';
import { bookCalibration } from '../support/lab.js';
import { buildWorld, type World } from '../security/fixture.js';

/** What must come back after a restore: every booking, every report version, every document with its hash. */
interface Expected {
  bookings: { number: string; status: string }[];
  reports: { number: string; version: number; status: string; verificationCode: string }[];
  files: { storedName: string; sha256: string; originalName: string }[];
}

async function expectedOf(database: Database, uploadDir: string): Promise<Expected> {
  const db = database.db;
  const files = await db.select().from(attachments).orderBy(asc(attachments.id));
  // the hashes recorded at upload are the bytes on disk (the positive control of the comparison after restore)
  for (const f of files) expect(sha256(readFileSync(path.join(uploadDir, f.storedName.slice(0, 2), f.storedName))), f.storedName).to.equal(f.sha256);
  return {
    bookings: (await db.select({ number: bookings.number, status: bookings.status }).from(bookings).orderBy(asc(bookings.number))).map((b) => ({ ...b })),
    reports: (await db.select({ number: reports.number, version: reports.version, status: reports.status, verificationCode: reports.verificationCode }).from(reports).orderBy(asc(reports.number), asc(reports.version))).map((r) => ({ ...r })),
    files: files.map((f) => ({ storedName: f.storedName, sha256: f.sha256, originalName: f.originalName })),
  };
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Opens the restored installation and finds everything the source had, files by their bytes. */
async function expectRestored(database: Database, uploadDir: string, expected: Expected) {
  const found = await expectedOf(database, uploadDir);
  expect(found.bookings).to.deep.equal(expected.bookings);
  expect(found.reports).to.deep.equal(expected.reports);
  expect(found.files).to.deep.equal(expected.files);
  expect(filesUnder(uploadDir)).to.have.length(expected.files.length);
}

/** The restored instance serves: the report verifies publicly, the company downloads its document byte for byte. */
async function expectServing(database: Database, uploadDir: string, w: World, expected: Expected, env: Record<string, string> = {}) {
  const t = await createTestApp({ database, clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY), env: { UPLOAD_DIR: uploadDir, ...env } });
  try {
    const report = expected.reports[0]!;
    const verify = await agentFor(t.app).get(`/verify?no=${encodeURIComponent(report.number)}&code=${report.verificationCode}`);
    expect(verify.status).to.equal(200);
    expect(verify.text).to.contain(report.number);
    const company = agentFor(t.app);
    await login(company, w.users.entA.mobile, TEST_PASSWORD);
    const download = await company.get(`/bookings/${w.x.number}/attachments/${w.x.attachmentId}`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(download.status).to.equal(200);
    const [row] = await database.db.select().from(attachments).where(eq(attachments.id, w.x.attachmentId));
    expect(sha256(download.body as Buffer)).to.equal(row!.sha256);
  } finally {
    // createTestApp's close also closes the database
    await t.close();
  }
}

describe('backup and restore (npm run backup / npm run restore)', function () {
  this.timeout(180_000); // a PGlite data folder is dumped and loaded twice: seconds each on this machine
  let scratch: string;
  before(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'nqi-backup-'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  describe('embedded database (PGlite)', () => {
    let source: Installation;
    let w: World;
    let expected: Expected;
    let snapshot: string;

    before(async () => {
      const dataDir = path.join(scratch, 'source-data');
      mkdirSync(dataDir);
      // the data folder starts from the suite's migrated template (as a first start of the app would make it)
      const seeded = await PGlite.create(path.join(dataDir, 'pgdata'), { loadDataDir: await pgliteTemplate() });
      await seeded.close();
      source = { database: { kind: 'pglite', dataDir }, uploadDir: path.join(scratch, 'source-uploads') };
      // bookings, an issued report with its signed PDF, attachments: the security suite's world
      w = await buildWorld({ database: await openDatabase({ kind: 'pglite-dir', dataDir }), env: { UPLOAD_DIR: source.uploadDir } });
      await bookCalibration(w.t, w.users.entB.id, { slot: '2026-10-08|am', serials: ['BACKUP-1'] });
    });

    it('refuses while the app holds the data folder, with a message saying to stop it', async () => {
      let error: unknown;
      try {
        await createBackup(source, path.join(scratch, 'refused'));
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(BackupError);
      expect((error as Error).message).to.contain('请先停止应用').and.contain('Stop the app');
      expect(readdirSync(path.join(scratch, 'refused')), 'no partial snapshot left behind').to.deep.equal([]);
    });

    it('writes one snapshot with the database, every document and a manifest (row counts, SHA-256)', async () => {
      expected = await expectedOf(w.t.database, source.uploadDir);
      expect(expected.bookings.length).to.be.at.least(3);
      expect(expected.reports.length).to.be.at.least(1);
      expect(expected.files.length).to.be.at.least(3); // X's and Y's documents and X's signed report PDF
      await w.t.close(); // the app stops (its data folder stays)
      const { dir, manifest } = await createBackup(source, path.join(scratch, 'backups'));
      snapshot = dir;
      expect(manifest.driver).to.equal('pglite');
      expect(manifest.tables['public.bookings']).to.equal(expected.bookings.length);
      expect(manifest.tables['public.reports']).to.equal(expected.reports.length);
      expect(manifest.tables['drizzle.__drizzle_migrations']).to.be.greaterThan(0);
      expect(manifest.files.map((f) => f.sha256).sort()).to.deep.equal(expected.files.map((f) => f.sha256).sort());
      await verifySnapshot(dir);
    });

    it('restores into an empty folder and finds every booking, report and file with equal hashes; the restored app serves them', async () => {
      const dataDir = path.join(scratch, 'restored-data');
      const target: Installation = { database: { kind: 'pglite', dataDir }, uploadDir: path.join(scratch, 'restored-uploads') };
      const { verified } = await restoreBackup(snapshot, target);
      expect(verified.files).to.equal(expected.files.length);
      const restored = await openDatabase({ kind: 'pglite-dir', dataDir });
      await expectRestored(restored, target.uploadDir, expected);
      await expectServing(restored, target.uploadDir, w, expected);
    });

    it('refuses a target that is not empty, and a damaged snapshot (before touching the target)', async () => {
      const taken: Installation = { database: { kind: 'pglite', dataDir: path.join(scratch, 'restored-data') }, uploadDir: path.join(scratch, 'other-uploads') };
      let error: unknown;
      try {
        await restoreBackup(snapshot, taken);
      } catch (err) {
        error = err;
      }
      expect((error as Error).message).to.contain('只能恢复到空目标');

      const damaged = path.join(scratch, 'damaged');
      cpSync(snapshot, damaged, { recursive: true });
      const manifest = JSON.parse(readFileSync(path.join(damaged, 'manifest.json'), 'utf8')) as { files: { path: string }[] };
      const victim = path.join(damaged, 'uploads', manifest.files[0]!.path);
      writeFileSync(victim, Buffer.concat([readFileSync(victim), Buffer.from('x')]));
      const fresh: Installation = { database: { kind: 'pglite', dataDir: path.join(scratch, 'fresh-data') }, uploadDir: path.join(scratch, 'fresh-uploads') };
      error = undefined;
      try {
        await restoreBackup(damaged, fresh);
      } catch (err) {
        error = err;
      }
      expect((error as Error).message).to.contain('快照已损坏');
      expect(filesUnder(fresh.uploadDir)).to.deep.equal([]);
    });
  });

  describe('PostgreSQL server (pg_dump, online)', () => {
    let source: Installation;
    let w: World;

    before(async function () {
      if (!onPostgresServer) this.skip(); // needs TEST_DATABASE_URL (CI runs the suite on the server too)
      const { database, url } = await createTestPgDatabaseWithUrl();
      source = { database: { kind: 'pg', url }, uploadDir: path.join(scratch, 'pg-source-uploads') };
      w = await buildWorld({ database, env: { UPLOAD_DIR: source.uploadDir } });
    });
    after(() => w?.t.close());

    it('backs up the running instance while bookings are written, restores into a new empty database, and finds everything', async () => {
      const expected = await expectedOf(w.t.database, source.uploadDir);
      // bookings keep arriving during the backup: the manifest must describe the dump's own snapshot
      let writing = true;
      const written: string[] = [];
      const writer = (async () => {
        const slots = ['2026-10-08|am', '2026-10-08|pm', '2026-10-09|am', '2026-10-09|pm', '2026-10-12|am', '2026-10-12|pm'];
        for (let i = 0; writing && i < 60; i++) written.push(await bookCalibration(w.t, w.users.entB.id, { slot: slots[i % slots.length]!, serials: [`ONLINE-${i}`] }));
      })();
      const { dir, manifest } = await createBackup(source, path.join(scratch, 'pg-backups'));
      writing = false;
      await writer;
      expect(written.length, 'bookings were written while the backup ran').to.be.greaterThan(0);
      expect(manifest.driver).to.equal('pg');

      const target: Installation = { database: { kind: 'pg', url: await createEmptyPgDatabase() }, uploadDir: path.join(scratch, 'pg-restored-uploads') };
      const { verified } = await restoreBackup(dir, target); // row counts per table equal to the manifest's snapshot
      expect(verified.files).to.equal(expected.files.length);
      const restored = await openDatabase({ kind: 'pg', url: (target.database as { url: string }).url, poolMax: 4 });
      const found = await expectedOf(restored, target.uploadDir);
      expect(found.bookings.length).to.equal(manifest.tables['public.bookings']);
      expect(found.bookings).to.deep.include.members(expected.bookings);
      expect(found.reports).to.deep.equal(expected.reports);
      expect(found.files).to.deep.equal(expected.files);
      await expectServing(restored, target.uploadDir, w, expected);

      // the source is not an empty target
      let error: unknown;
      try {
        await restoreBackup(dir, { database: source.database, uploadDir: path.join(scratch, 'pg-other-uploads') });
      } catch (err) {
        error = err;
      }
      expect((error as Error).message).to.contain('目标数据库不是空的');
    });
  });
  describe('PostgreSQL server with the documents in the database (FILE_STORE=database)', () => {
    let source: Installation;
    let w: World;
    const env = { FILE_STORE: 'database' };

    before(async function () {
      if (!onPostgresServer) this.skip(); // needs TEST_DATABASE_URL: pg_dump / pg_restore
      const { database, url } = await createTestPgDatabaseWithUrl();
      source = { database: { kind: 'pg', url }, uploadDir: path.join(scratch, 'pg-db-source-uploads') };
      w = await buildWorld({ database, env: { UPLOAD_DIR: source.uploadDir, ...env } });
    });
    after(() => w?.t.close());

    it('carries every document in the dump (none on disk), checks their hashes in the database, and the restored app serves them', async () => {
      const files = await w.t.db.select().from(attachments);
      expect(files.length).to.be.greaterThan(0);
      expect(filesUnder(source.uploadDir)).to.deep.equal([]);
      const { dir, manifest } = await createBackup(source, path.join(scratch, 'pg-db-backups'));
      expect(manifest.files).to.deep.equal([]);
      expect(manifest.inDatabase).to.equal(files.length);

      const target: Installation = { database: { kind: 'pg', url: await createEmptyPgDatabase() }, uploadDir: path.join(scratch, 'pg-db-restored-uploads') };
      const { verified } = await restoreBackup(dir, target);
      expect(verified.files).to.equal(files.length);
      const restored = await openDatabase({ kind: 'pg', url: (target.database as { url: string }).url, poolMax: 4 });
      expect(await restored.db.$count(storedFiles)).to.be.at.least(files.length);
      const report = await restored.db.select({ number: reports.number, version: reports.version, status: reports.status, verificationCode: reports.verificationCode }).from(reports);
      await expectServing(restored, target.uploadDir, w, { bookings: [], reports: report, files: [] }, env);
    });

    it('refuses to back up a document whose content in the database no longer matches its recorded hash', async () => {
      const [file] = await w.t.db.select().from(attachments).limit(1);
      await w.t.db.update(storedFiles).set({ content: Buffer.from('tampered') }).where(eq(storedFiles.storedName, file!.storedName));
      let error: unknown;
      try {
        await createBackup(source, path.join(scratch, 'pg-db-backups-2'));
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(BackupError);
      expect((error as Error).message).to.contain(file!.storedName);
    });
  });
});
