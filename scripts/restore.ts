/**
 * npm run restore -- <snapshot folder>: restores a snapshot made by `npm run backup` into the configured installation,
 * which must be EMPTY (a new PostgreSQL database, or an empty DATA_DIR; an empty UPLOAD_DIR), then verifies row counts
 * and the SHA-256 of every document against the snapshot's manifest. Exit codes: 0 restored and verified, 1 refused or
 * failed.
 */
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { installationOf, restoreBackup } from '../src/ops/backup.js';

const dir = process.argv[2];
if (!dir) {
  console.error('用法 (usage): npm run restore -- <快照目录 snapshot folder>');
  process.exit(1);
}
try {
  const { manifest, verified } = await restoreBackup(path.resolve(dir), installationOf(loadConfig()));
  console.log(`恢复完成并已校验 (restored and verified): ${manifest.createdAt} 的快照`);
  console.log(`  ${verified.tables} 张表 ${verified.rows} 行与清单一致 · ${verified.files} 个文件 SHA-256 一致`);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
