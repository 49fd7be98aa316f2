import type { Server } from 'node:http';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { DataDirLockedError } from './db/data-dir-lock.js';
import { runMigrations } from './db/migrate.js';
import { seedIfEmpty } from './db/seed/index.js';
import { createLogger, type Logger } from './shared/logger.js';

const SHUTDOWN_GRACE_MS = 10_000;

export async function openConfiguredDatabase(config: Config): Promise<Database> {
  return config.databaseUrl
    ? openDatabase({ kind: 'pg', url: config.databaseUrl, poolMax: config.dbPoolMax })
    : openDatabase({ kind: 'pglite-dir', dataDir: config.dataDir });
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const startedAt = Date.now();

  let database: Database;
  try {
    database = await openConfiguredDatabase(config);
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      console.error(err.message);
      process.exit(75); // EX_TEMPFAIL
    }
    throw err;
  }
  await runMigrations(database);
  const seeded = await seedIfEmpty(database.db, { demo: config.seedDemo, logger });

  const { app, close, services } = createApp({ config, database, logger });
  // Draft uploads of booking forms abandoned on the review page are removed after a day.
  // Reported bookings not confirmed within AUTO_COMPLETE_DAYS complete on their own.
  const sweeper = setInterval(() => {
    services.bookings.sweepStaleDrafts().catch((err: unknown) => logger.warn({ err }, 'draft sweep failed'));
    services.lab.autoComplete().catch((err: unknown) => logger.warn({ err }, 'auto-complete failed'));
  }, 3600_000);
  sweeper.unref();
  const server = app.listen(config.port, config.host, () => {
    logger.info(
      { port: config.port, database: database.driver, dataDir: database.driver === 'pglite' ? config.dataDir : undefined, seeded, startupMs: Date.now() - startedAt },
      `NQI One-Stop listening on ${config.publicUrl}`,
    );
  });
  installShutdown(server, logger, async () => {
    clearInterval(sweeper);
    close();
    await database.close();
  });
}

/** SIGTERM/SIGINT: stop accepting, let requests in flight finish (up to a grace period), then close the database. */
export function installShutdown(server: Server, logger: Logger, release: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => {
      logger.warn('grace period over: closing remaining connections');
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    server.close(() => {
      release()
        .then(() => {
          logger.info('shutdown complete');
          process.exit(0);
        })
        .catch((err: unknown) => {
          logger.error({ err }, 'error while closing the database');
          process.exit(1);
        });
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error('启动失败 (startup failed):', err);
  process.exit(1);
});
