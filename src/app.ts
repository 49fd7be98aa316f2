import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { LoginThrottle } from './auth/throttle.js';
import { makeAuthService } from './auth/auth.service.js';
import { createPassport } from './auth/passport.js';
import { buildServices, mountApiRouters, mountFeatureRouters, type Services } from './composition.js';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import { readRouting } from './db/read-replica.js';
import { DrizzleSessionStore } from './db/session-store.js';
import { errorHandler, notFoundHandler } from './http/error-handler.js';
import { beforeDatabase, configureViews, forcedPasswordChange, pageLocals, requestLogging, securityHeaders, sessionsAndForms, staticFiles } from './http/middleware.js';
import { PageCache } from './http/page-cache.js';
import { PrivatePageCache, type PrivatePageRule } from './http/private-pages.js';
import { readAfterWrite } from './http/read-after-write.js';
import { healthRoutes } from './ops/health.routes.js';
import { systemClock, type Clock } from './shared/time.js';
import type { DraftQuota } from './uploads/quota.js';

export interface AppDeps {
  config: Config;
  database: Database;
  logger: Logger;
  clock?: Clock;
  loginThrottle?: LoginThrottle;
  /** Public report lookups per address (default 30 per 10 minutes). */
  verifyLimit?: { limit: number; windowMs: number };
  /** Public progress lookups (/track) per address (default 30 per 10 minutes). */
  trackLimit?: { limit: number; windowMs: number };
  /** Draft upload caps and the review step's rate (defaults in src/uploads/quota.ts). */
  draftQuota?: Partial<DraftQuota>;
  /** Invitation and password-reset link uses per address (default 20 per 10 minutes). */
  tokenLimit?: { limit: number; windowMs: number };
}

export interface App {
  app: Express;
  sessionStore: DrizzleSessionStore;
  privatePages: PrivatePageCache;
  services: Services & { auth: ReturnType<typeof makeAuthService> };
  /** Stops background timers; the caller closes the database. */
  close(): void;
}

/**
 * The signed-in pages kept in memory while nothing they show changes (src/http/private-pages.ts): a company's own
 * lists and bookings, and a node's lab queue. The scopes say whose changes a page shows: its company or node, the
 * user, and reference data ('*').
 */
const PRIVATE_PAGE_RULES: PrivatePageRule[] = [
  {
    path: /^\/(bookings|instruments|equipment|bookings\/[A-Z]{2}-\d{8}-\d{4,6})$/,
    scopesFor: (user) => (user.role === 'enterprise' ? ['*', `e:${user.enterpriseId}`, `u:${user.id}`] : undefined),
  },
  {
    path: /^\/lab$/,
    scopesFor: (user) => (user.role === 'lab_staff' || user.role === 'node_manager' ? ['*', `n:${user.nodeId}`, `u:${user.id}`] : undefined),
  },
];

/** The app: the web layer's middleware in order, every feature's service and router, then the error pages. */
export function createApp(deps: AppDeps): App {
  const { config, database, logger } = deps;
  const db = database.db;
  const app = express();
  configureViews(app, config);
  app.use(securityHeaders(config));
  app.use(requestLogging(logger));
  staticFiles(app, config);
  app.use(healthRoutes(database));

  const sessionStore = new DrizzleSessionStore(db, config.sessionMaxAgeMs);
  const auth = makeAuthService(db, deps.clock ?? systemClock);
  sessionStore.loadWith(auth.loadSession);
  const passport = createPassport(auth, sessionStore);
  const pageCache = new PageCache(5_000);
  const privatePages = new PrivatePageCache(db, deps.clock ?? systemClock);
  // DATABASE_READ_URL: the lag-tolerant reads go to the replica (src/db/read-replica.ts); without it readDb is db.
  const reads = readRouting(db, database.replicaDb);
  const composition = { ...deps, db, reads, readDb: reads.readDb, clock: deps.clock ?? systemClock, auth, passport, sessionStore, pageCache };
  const services = buildServices(composition);
  beforeDatabase(app, config, database, pageCache);
  // The open API before sessions and CSRF: bearer keys only (src/api).
  mountApiRouters(app, services, composition);
  sessionsAndForms(app, config, sessionStore, passport);
  app.use(pageLocals(config));
  app.use(forcedPasswordChange);
  app.use(readAfterWrite(reads));
  app.use(privatePages.middleware(PRIVATE_PAGE_RULES));
  mountFeatureRouters(app, services, composition);

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  const close = () => {
    sessionStore.close();
    privatePages.close();
    services.calendar.stop();
  };
  return { app, sessionStore, privatePages, services: { ...services, auth }, close };
}
