import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { ConfigError, loadConfig, type Config } from './config.js';
import type { Database } from './db/client.js';
import { openPgliteFolder } from './db/pglite-folder.js';
import { DataDirLockedError } from './db/data-dir-lock.js';
import { createLogger, flushLogs, type Logger } from './shared/logger.js';
import { systemClock } from './shared/time.js';

/**
 * The rest of the app, imported while the database opens: the embedded database boots PostgreSQL in its own thread
 * (~1 s) while this thread loads and compiles the app's modules (~1 s), so a start waits for the longer of the two
 * rather than their sum.
 */
const loadAppModules = () =>
  Promise.all([import('./app.js'), import('./composition.js'), import('./db/migrate.js'), import('./seed/index.js'), import('./uploads/storage.js'), import('./uploads/quota.js')]).then(
    ([app, composition, migrate, seed, storage, quota]) => ({ ...app, ...composition, ...migrate, ...seed, ...storage, ...quota }),
  );

const SHUTDOWN_GRACE_MS = 10_000;

function openConfiguredDatabase(config: Config, logger: Logger): Promise<Database> {
  // The embedded database's thread gone (out of memory, a crash in PostgreSQL): nothing can be served or saved, so the
  // process exits with an error for its supervisor to restart it on the same data.
  const onLost = (err: Error) => {
    logger.fatal({ err }, 'the embedded database stopped; exiting');
    flushLogs(logger);
    process.exit(70); // EX_SOFTWARE
  };
  const { databaseUrl: url, dbPoolMax: poolMax, databaseReadUrl: readUrl } = config;
  if (url) return import('./db/client.js').then(({ openDatabase }) => openDatabase({ kind: 'pg', url, poolMax, ...(readUrl ? { readUrl } : {}) }));
  // The database thread starts first (PostgreSQL's boot is the longest part of a restart); Drizzle, the drivers and
  // the schema load meanwhile. Promise.all holds both from the start, so a refused folder lock is never unhandled.
  return Promise.all([openPgliteFolder(config.dataDir, { inWorker: config.pgliteWorker, onLost }), import('./db/client.js')]).then(([folder, { databaseOnPgliteFolder }]) =>
    databaseOnPgliteFolder(folder),
  );
}

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

async function openOrExit(config: Config, logger: Logger): Promise<Database> {
  try {
    return await openConfiguredDatabase(config, logger);
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      console.error(err.message);
      process.exit(75); // EX_TEMPFAIL
    }
    throw err;
  }
}

/**
 * One app process: opens its own pool, serves, and shuts down gracefully. `prepare` (migrations and the first seed)
 * runs only where it must run once: in the single process, or in the cluster's primary before it forks.
 */
async function serve(config: Config, logger: Logger, opts: { prepare: boolean; housekeeping: boolean }): Promise<void> {
  const startedAt = Date.now();
  const opening = openOrExit(config, logger);
  const [database, { createApp, startBackgroundJobs, runMigrations, seedIfEmpty, makeDocumentStore, DRAFT_SWEEP_EVERY_MS }] = await Promise.all([opening, loadAppModules()]);
  let seeded = false;
  if (opts.prepare) {
    await runMigrations(database);
    seeded = await seedIfEmpty(database.db, { demo: config.seedDemo, logger, documents: makeDocumentStore(config.fileStore, { db: database.db, uploadDir: config.uploadDir }), bulkLoad: database.driver === 'pglite' });
  }
  const { app, close, services } = createApp({ config, database, logger });
  // Housekeeping in one process only: stale draft uploads (often: they hold disk space), and reported bookings that
  // complete on their own (hourly).
  const timers = opts.housekeeping
    ? [
        setInterval(() => void services.bookings.sweepStaleDrafts().catch((err: unknown) => logger.warn({ err }, 'draft sweep failed')), DRAFT_SWEEP_EVERY_MS),
        setInterval(() => void services.lab.autoComplete().catch((err: unknown) => logger.warn({ err }, 'auto-complete failed')), 3600_000),
      ]
    : [];
  // Outbox deliveries and the daily reminder job run in every process: each is safe to run concurrently.
  const stopJobs = startBackgroundJobs(services, { clock: systemClock, logger });
  // Equipment bookings not checked in N minutes after their start become no-shows (safe on any number of workers).
  if (opts.housekeeping) timers.push(setInterval(() => void services.equipment.desk.sweepNoShows().catch((err: unknown) => logger.warn({ err }, 'no-show sweep failed')), 300_000));
  for (const timer of timers) timer.unref();
  const server = app.listen(config.port, config.host, () => {
    logger.info(
      {
        port: config.port,
        database: database.driver,
        dataDir: database.driver === 'pglite' ? config.dataDir : undefined,
        seeded,
        worker: cluster.isWorker ? cluster.worker?.id : undefined,
        startupMs: Date.now() - startedAt,
      },
      `NQI One-Stop listening on ${config.publicUrl}`,
    );
  });
  // Slow clients must not hold sockets forever; keep-alive a little longer than a typical load balancer's idle timeout.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  installShutdown(server, logger, async () => {
    for (const timer of timers) clearInterval(timer);
    await stopJobs();
    close();
    await database.close();
  });
}

/** SIGTERM/SIGINT: stop accepting, let requests in flight finish (up to a grace period), then close the database. */
function installShutdown(server: Server, logger: Logger, release: () => Promise<void>): void {
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
          flushLogs(logger);
          process.exit(0);
        })
        .catch((err: unknown) => {
          logger.error({ err }, 'error while closing the database');
          flushLogs(logger);
          process.exit(1);
        });
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/**
 * WEB_CONCURRENCY=N on PostgreSQL: the primary migrates and seeds once, then forks N workers sharing the port
 * (node:cluster); sessions, rate limits and everything else live in PostgreSQL, so any worker serves any request.
 * A worker that dies is replaced. PGlite is one process by nature (its folder is locked to one process).
 */
async function main(): Promise<void> {
  const config = configOrExit();
  const logger = createLogger(config.logLevel);

  if (cluster.isWorker) {
    await serve(config, logger, { prepare: false, housekeeping: cluster.worker?.id === 1 });
    return;
  }
  const workers = config.databaseUrl ? config.webConcurrency : 1;
  if (!config.databaseUrl && config.webConcurrency > 1) {
    logger.warn({ WEB_CONCURRENCY: config.webConcurrency }, 'embedded database (PGlite): serving from one process; WEB_CONCURRENCY needs DATABASE_URL');
  }
  if (workers <= 1) {
    await serve(config, logger, { prepare: true, housekeeping: true });
    return;
  }

  const [database, { runMigrations, seedIfEmpty, makeDocumentStore }] = await Promise.all([openOrExit(config, logger), loadAppModules()]);
  await runMigrations(database);
  await seedIfEmpty(database.db, { demo: config.seedDemo, logger, documents: makeDocumentStore(config.fileStore, { db: database.db, uploadDir: config.uploadDir }) });
  await database.close();
  logger.info({ workers }, 'starting worker processes');
  let stopping = false;
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    logger.warn({ worker: worker.id, code, signal }, 'worker exited: starting a replacement');
    cluster.fork();
  });
  const stopAll = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping workers');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS + 5_000);
    force.unref();
    const check = setInterval(() => {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        clearInterval(check);
        process.exit(0);
      }
    }, 100);
  };
  process.on('SIGTERM', () => stopAll('SIGTERM'));
  process.on('SIGINT', () => stopAll('SIGINT'));
}

main().catch((err: unknown) => {
  console.error('启动失败 (startup failed):', err);
  process.exit(1);
});
