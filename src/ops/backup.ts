import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { acquireDataDirLock, DataDirLockedError } from '../db/data-dir-lock.js';
import { FileStorage } from '../uploads/storage.js';

/*
 * Backup and restore of one installation: the database and the uploaded documents, as one consistent snapshot.
 *
 * - PostgreSQL (production): online. One REPEATABLE READ transaction exports its snapshot; pg_dump (custom format)
 *   dumps exactly that snapshot, and the row counts and the list of documents are read in the same transaction — so the
 *   manifest describes the dump, not a moment later. Documents are written once under random names and never changed,
 *   so copying them afterwards copies what the snapshot refers to (a draft swept meanwhile is listed as skipped).
 * - PGlite (embedded, one machine): the app holds the data folder's lock, and a second process on the folder would
 *   corrupt it. We chose to refuse while the app runs (with a clear message) rather than dump through an admin-only
 *   HTTP endpoint: that endpoint would stream the whole data folder through the serving process's memory and need an
 *   administrator's credential in a cron job, for the mode meant for demos and small single-machine setups, where a
 *   short stop is acceptable. While the backup runs it holds the lock itself, so the app cannot start in between.
 *
 * A snapshot is a folder: database.dump (pg_dump -Fc) or database.tar.gz (PGlite dumpDataDir), uploads/ as on disk,
 * and manifest.json (row counts per table, SHA-256 and size of the database file and of every document). It is written
 * as <name>.partial and renamed when complete. Restore goes into an EMPTY target only, checks the snapshot against its
 * manifest before touching anything, and verifies the restored instance against the manifest afterwards.
 */

export type DatabaseLocation = { kind: 'pg'; url: string } | { kind: 'pglite'; dataDir: string };

export interface Installation {
  database: DatabaseLocation;
  uploadDir: string;
}

export interface ManifestFile {
  storedName: string;
  /** Path inside the snapshot (and below UPLOAD_DIR). */
  path: string;
  sha256: string;
  bytes: number;
}

export interface Manifest {
  format: 'nqi-backup/1';
  createdAt: string;
  driver: 'pg' | 'pglite';
  database: { file: string; sha256: string; bytes: number };
  /** Rows per table ("schema.table"), counted in the snapshot the dump was taken from. */
  tables: Record<string, number>;
  files: ManifestFile[];
  /** Documents kept in the database (FILE_STORE=database): carried by the dump, their SHA-256 checked there. */
  inDatabase?: number;
  /** Documents listed in the snapshot but gone from disk when copied: drafts swept meanwhile. */
  skipped: { storedName: string; reason: string }[];
}

/** A refusal or a failed check, with a message in Chinese and English for the operator. */
export class BackupError extends Error {
  constructor(
    message: string,
    /** app_running: the embedded database is open in the running app (the CLI exits with 75, "try again later"). */
    public readonly code: 'app_running' | 'failed' = 'failed',
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

const MANIFEST = 'manifest.json';
const TABLES_SQL = `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
  WHERE table_type = 'BASE TABLE' AND table_schema IN ('public', 'drizzle') ORDER BY 1, 2`;
const ATTACHMENTS_SQL = 'SELECT stored_name, sha256, size_bytes, booking_id IS NULL AS draft, NULL AS db_sha256 FROM attachments ORDER BY id';
/** With FILE_STORE=database the content is in stored_files: the dump carries it, its SHA-256 is checked in place. */
const ATTACHMENTS_WITH_STORED_SQL = `SELECT a.stored_name, a.sha256, a.size_bytes, a.booking_id IS NULL AS draft, encode(sha256(f.content), 'hex') AS db_sha256
  FROM attachments a LEFT JOIN stored_files f ON f.stored_name = a.stored_name ORDER BY a.id`;

type Query = <T>(text: string) => Promise<T[]>;

interface DatabaseFacts {
  tables: Record<string, number>;
  /** db_sha256: the SHA-256 of the content kept in the database (stored_files), null when the document is on disk. */
  attachments: { stored_name: string; sha256: string; size_bytes: number; draft: boolean; db_sha256: string | null }[];
}

async function factsOf(query: Query): Promise<DatabaseFacts> {
  const tables: Record<string, number> = {};
  for (const t of await query<{ schema: string; name: string }>(TABLES_SQL)) {
    const [row] = await query<{ n: number | string }>(`SELECT count(*) AS n FROM "${t.schema}"."${t.name}"`);
    tables[`${t.schema}.${t.name}`] = Number(row!.n);
  }
  const attachments = (await query<DatabaseFacts['attachments'][number]>('public.stored_files' in tables ? ATTACHMENTS_WITH_STORED_SQL : ATTACHMENTS_SQL)).map((a) => ({ ...a, size_bytes: Number(a.size_bytes) }));
  return { tables, attachments };
}

async function sha256Of(file: string): Promise<{ sha256: string; bytes: number }> {
  const data = await readFile(file);
  return { sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length };
}

/** pg_dump / pg_restore connection arguments: the password goes through the environment, not the process list. */
function connection(url: string): { arg: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { arg: `--dbname=${u.toString()}`, env: password ? { PGPASSWORD: password } : {} };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', (err) => reject(new BackupError(`无法运行 ${command}（${err.message}）。请安装 PostgreSQL 客户端工具。 (cannot run ${command})`)));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new BackupError(`${command} 失败 (failed, exit ${code}): ${stderr.trim().slice(0, 2000)}`))));
  });
}

const stamp = (at: Date) => at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');

const appRunningMessage = (dataDir: string, pid: number) =>
  `嵌入式数据库正由运行中的应用使用（pid ${pid}）。PGlite 的数据目录只能由一个进程打开，请先停止应用（如 systemctl stop nqi）再备份或恢复，完成后再启动；` +
  `生产环境请使用 PostgreSQL（DATABASE_URL），可在不停机的情况下备份。` +
  ` (The embedded database in ${dataDir} is in use by the running app, pid ${pid}. Stop the app, run the backup, start it again; PostgreSQL is backed up online.)`;

/** Opens a PGlite data folder for a backup or restore, holding its lock (refused while the app runs). */
async function withPglite<T>(dataDir: string, work: (db: PGlite) => Promise<T>, loadDataDir?: Blob): Promise<T> {
  let lock;
  try {
    await mkdir(dataDir, { recursive: true });
    lock = acquireDataDirLock(dataDir);
  } catch (err) {
    if (err instanceof DataDirLockedError) throw new BackupError(appRunningMessage(dataDir, err.holderPid), 'app_running');
    throw err;
  }
  try {
    const db = await PGlite.create(path.join(dataDir, 'pgdata'), loadDataDir ? { loadDataDir } : {});
    try {
      return await work(db);
    } finally {
      await db.close();
    }
  } finally {
    lock.release();
  }
}

/** Reads the database's facts, and writes its dump into `into`, from one snapshot. */
async function dumpDatabase(source: DatabaseLocation, into: string): Promise<{ file: string; facts: DatabaseFacts }> {
  if (source.kind === 'pglite') {
    return withPglite(source.dataDir, async (db) => {
      const facts = await factsOf(async <T>(text: string) => (await db.query<T>(text)).rows);
      const dump = await db.dumpDataDir('gzip');
      await writeFile(path.join(into, 'database.tar.gz'), Buffer.from(await dump.arrayBuffer()));
      return { file: 'database.tar.gz', facts };
    });
  }
  const client = new pg.Client({ connectionString: source.url });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await client.query<{ snapshot: string }>('SELECT pg_export_snapshot() AS snapshot');
    const facts = await factsOf(async <T>(text: string) => (await client.query(text)).rows as T[]);
    const db = connection(source.url);
    await run('pg_dump', ['--format=custom', `--snapshot=${rows[0]!.snapshot}`, `--file=${path.join(into, 'database.dump')}`, db.arg], db.env);
    await client.query('COMMIT');
    return { file: 'database.dump', facts };
  } finally {
    await client.end();
  }
}

/** Writes one snapshot of `source` below `outRoot`; returns its folder and manifest. */
export async function createBackup(source: Installation, outRoot: string, now = new Date()): Promise<{ dir: string; manifest: Manifest }> {
  const dir = path.join(outRoot, `nqi-${stamp(now)}-${source.database.kind}`);
  const partial = `${dir}.partial`;
  if (existsSync(dir) || existsSync(partial)) throw new BackupError(`备份目录已存在 (snapshot folder exists): ${dir}`);
  await mkdir(partial, { recursive: true });
  try {
    const { file, facts } = await dumpDatabase(source.database, partial);
    const storage = new FileStorage(source.uploadDir);
    const files: ManifestFile[] = [];
    const skipped: Manifest['skipped'] = [];
    const problems: string[] = [];
    let inDatabase = 0;
    for (const a of facts.attachments) {
      if (a.db_sha256 !== null) {
        if (a.db_sha256 === a.sha256) inDatabase++;
        else problems.push(`数据库中的文件内容与记录的 SHA-256 不符 (hash differs in stored_files) ${a.stored_name}`);
        continue;
      }
      const from = storage.pathOf(a.stored_name);
      const rel = path.relative(source.uploadDir, from);
      if (!existsSync(from)) {
        if (a.draft) skipped.push({ storedName: a.stored_name, reason: 'draft removed while the backup ran' });
        else problems.push(`缺少文件 (missing) ${rel}`);
        continue;
      }
      const to = path.join(partial, 'uploads', rel);
      await mkdir(path.dirname(to), { recursive: true });
      await copyFile(from, to);
      const copied = await sha256Of(to);
      if (copied.sha256 !== a.sha256) problems.push(`文件内容与数据库记录的 SHA-256 不符 (hash differs from the database) ${rel}`);
      files.push({ storedName: a.stored_name, path: rel, ...copied });
    }
    if (problems.length) throw new BackupError(`上传文件不完整，备份中止 (documents incomplete, backup aborted):\n  ${problems.join('\n  ')}`);
    const manifest: Manifest = {
      format: 'nqi-backup/1',
      createdAt: now.toISOString(),
      driver: source.database.kind,
      database: { file, ...(await sha256Of(path.join(partial, file))) },
      tables: facts.tables,
      files,
      inDatabase,
      skipped,
    };
    await writeFile(path.join(partial, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(partial, dir);
    return { dir, manifest };
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  }
}

/** Reads a snapshot's manifest and checks every file of the snapshot against it. */
export async function verifySnapshot(dir: string): Promise<Manifest> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(path.join(dir, MANIFEST), 'utf8')) as Manifest;
  } catch {
    throw new BackupError(`不是有效的备份快照（缺少或无法读取 manifest.json） (not a snapshot): ${dir}`);
  }
  if (manifest.format !== 'nqi-backup/1') throw new BackupError(`不支持的快照格式 (unknown format) ${String(manifest.format)}`);
  const bad: string[] = [];
  const check = async (rel: string, expected: string) => {
    const file = path.join(dir, rel);
    if (!existsSync(file) || (await sha256Of(file)).sha256 !== expected) bad.push(rel);
  };
  await check(manifest.database.file, manifest.database.sha256);
  for (const f of manifest.files) await check(path.join('uploads', f.path), f.sha256);
  if (bad.length) throw new BackupError(`快照已损坏，与清单不符，未做任何恢复 (snapshot damaged, nothing restored):\n  ${bad.slice(0, 20).join('\n  ')}`);
  return manifest;
}

async function assertEmptyTarget(target: Installation): Promise<void> {
  const nonEmpty = (dir: string) => existsSync(dir) && readdirSync(dir).length > 0;
  if (nonEmpty(target.uploadDir)) throw new BackupError(`上传目录不是空的，只能恢复到空目标 (upload folder not empty): ${target.uploadDir}`);
  if (target.database.kind === 'pglite') {
    if (nonEmpty(path.join(target.database.dataDir, 'pgdata'))) throw new BackupError(`数据目录中已有数据库，只能恢复到空目标 (data folder holds a database): ${target.database.dataDir}`);
    return;
  }
  const client = new pg.Client({ connectionString: target.database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`);
    if (Number(rows[0]!.n) > 0) throw new BackupError('目标数据库不是空的（已有数据表），只能恢复到新建的空数据库 (target database not empty)');
  } finally {
    await client.end();
  }
}

/** The restored instance against the manifest: rows per table, and every document with its SHA-256. */
async function verifyRestored(target: Installation, manifest: Manifest): Promise<{ tables: number; rows: number; files: number }> {
  const facts =
    target.database.kind === 'pglite'
      ? await withPglite(target.database.dataDir, (db) => factsOf(async <T>(text: string) => (await db.query<T>(text)).rows))
      : await (async () => {
          const client = new pg.Client({ connectionString: (target.database as { url: string }).url });
          await client.connect();
          try {
            return await factsOf(async <T>(text: string) => (await client.query(text)).rows as T[]);
          } finally {
            await client.end();
          }
        })();
  const problems: string[] = [];
  for (const [table, n] of Object.entries(manifest.tables)) if (facts.tables[table] !== n) problems.push(`${table}: ${facts.tables[table] ?? '缺少'} ≠ ${n}`);
  const storage = new FileStorage(target.uploadDir);
  const skipped = new Set(manifest.skipped.map((s) => s.storedName));
  for (const a of facts.attachments) {
    if (skipped.has(a.stored_name)) continue;
    if (a.db_sha256 !== null) {
      if (a.db_sha256 !== a.sha256) problems.push(`文件 (document in stored_files) ${a.stored_name}`);
      continue;
    }
    const file = storage.pathOf(a.stored_name);
    if (!existsSync(file) || (await sha256Of(file)).sha256 !== a.sha256) problems.push(`文件 (document) ${a.stored_name}`);
  }
  if (problems.length) throw new BackupError(`恢复后的校验未通过 (verification failed):\n  ${problems.slice(0, 20).join('\n  ')}`);
  return { tables: Object.keys(facts.tables).length, rows: Object.values(facts.tables).reduce((a, b) => a + b, 0), files: facts.attachments.length - skipped.size };
}

/** Restores a snapshot into an EMPTY installation and verifies it against the manifest. */
export async function restoreBackup(dir: string, target: Installation): Promise<{ manifest: Manifest; verified: { tables: number; rows: number; files: number } }> {
  const manifest = await verifySnapshot(dir);
  if (manifest.driver !== target.database.kind) {
    throw new BackupError(`快照来自 ${manifest.driver}，目标是 ${target.database.kind}：只能恢复到同类数据库 (restore into the same kind of database)`);
  }
  await assertEmptyTarget(target);
  const dump = path.join(dir, manifest.database.file);
  if (target.database.kind === 'pglite') {
    await withPglite(target.database.dataDir, async () => undefined, new Blob([await readFile(dump)]));
  } else {
    const db = connection(target.database.url);
    await run('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', db.arg, dump], db.env);
  }
  for (const f of manifest.files) {
    const to = path.join(target.uploadDir, f.path);
    await mkdir(path.dirname(to), { recursive: true });
    await copyFile(path.join(dir, 'uploads', f.path), to);
  }
  return { manifest, verified: await verifyRestored(target, manifest) };
}

/** Where the configured installation keeps its data. */
export function installationOf(config: { databaseUrl: string | undefined; dataDir: string; uploadDir: string }): Installation {
  return { database: config.databaseUrl ? { kind: 'pg', url: config.databaseUrl } : { kind: 'pglite', dataDir: config.dataDir }, uploadDir: config.uploadDir };
}
