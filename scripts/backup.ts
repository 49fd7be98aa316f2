/**
 * npm run backup [-- --out <folder>]: one consistent snapshot of the configured installation (DATABASE_URL or DATA_DIR,
 * and UPLOAD_DIR) into <folder> (default BACKUP_DIR or ./backups). Exit codes: 0 done, 1 failed, 75 the embedded
 * database is in use by the running app (stop it first; PostgreSQL is backed up online).
 */
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { BackupError, createBackup, installationOf } from '../src/ops/backup.js';
import { projectRoot } from '../src/shared/paths.js';

const outArg = process.argv.indexOf('--out');
const out = path.resolve(projectRoot(), outArg > 0 ? process.argv[outArg + 1]! : (process.env.BACKUP_DIR ?? 'backups'));

try {
  const started = Date.now();
  const { dir, manifest } = await createBackup(installationOf(loadConfig()), out);
  const rows = Object.values(manifest.tables).reduce((a, b) => a + b, 0);
  console.log(`备份完成 (backup written): ${dir}`);
  console.log(`  ${manifest.driver} · ${Object.keys(manifest.tables).length} 张表 ${rows} 行 · ${manifest.files.length} 个文件 · ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (manifest.skipped.length) console.log(`  ${manifest.skipped.length} 个草稿附件在备份期间被清理，未包含 (drafts swept meanwhile)`);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(err instanceof BackupError && err.code === 'app_running' ? 75 : 1); // 75: EX_TEMPFAIL
}
