/**
 * npm run seed — applies migrations and upserts the reference catalog (and demo accounts outside production)
 * on the configured database. Safe to run repeatedly.
 */
import { makeDocumentStore } from '../src/uploads/storage.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { runSeed } from '../src/seed/index.js';
import { createLogger } from '../src/shared/logger.js';

const config = loadConfig();
const logger = createLogger(config.logLevel);
const database = config.databaseUrl
  ? await openDatabase({ kind: 'pg', url: config.databaseUrl, poolMax: 2 })
  : await openDatabase({ kind: 'pglite-dir', dataDir: config.dataDir });
try {
  await runMigrations(database);
  await runSeed(database.db, { demo: config.seedDemo, logger, documents: makeDocumentStore(config.fileStore, { db: database.db, uploadDir: config.uploadDir }) });
  logger.info({ database: database.driver, demo: config.seedDemo }, 'seed complete');
} finally {
  await database.close();
}
