import ejs from 'ejs';
import { rejectNulInput } from './http/input-guard.js';
import { PageCache } from './http/page-cache.js';
import { viewHelpers } from './http/view-helpers.js';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { csrfSync } from 'csrf-sync';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import { DrizzleSessionStore } from './db/session-store.js';
import { ROLE_LABELS } from './auth/access.js';
import { authRoutes, DEFAULT_LOGIN_THROTTLE, type LoginThrottle } from './auth/auth.routes.js';
import { makeAuthService, type AuthService } from './auth/auth.service.js';
import { createPassport } from './auth/passport.js';
import { catalogRoutes } from './catalog/catalog.routes.js';
import { makeCatalogService } from './catalog/catalog.service.js';
import { makeReferenceData } from './catalog/reference.js';
import { enterprisesRoutes } from './enterprises/enterprises.routes.js';
import { makeEnterprisesService } from './enterprises/enterprises.service.js';
import { healthRoutes } from './ops/health.routes.js';
import { errorHandler, notFoundHandler } from './http/error-handler.js';
import { flashMiddleware } from './http/flash.js';
import { layoutRenderer } from './http/layout.js';
import { navFor } from './http/nav.js';
import { fromRoot } from './shared/paths.js';
import { formatDate, formatDateTime, formatDateWithWeekday, systemClock, type Clock } from './shared/time.js';
import { bookingsRoutes } from './bookings/bookings.routes.js';
import { makeBookingsService, type BookingsService } from './bookings/bookings.service.js';
import { makeAvailability } from './capacity/availability.js';
import { FileStorage } from './uploads/storage.js';
import { TtlCache } from './shared/cache.js';
import { labRoutes } from './lab/lab.routes.js';
import { makeLabService, type LabService } from './lab/lab.service.js';
import { notificationsRoutes } from './notifications/notifications.routes.js';
import { makeNotificationsService } from './notifications/notifications.service.js';
import { reportsRoutes } from './reports/reports.routes.js';
import { adminRoutes } from './admin/admin.routes.js';
import { makeAccountsService } from './admin/accounts.service.js';
import { makeNetworkService } from './admin/network.service.js';
import { makeAuditService } from './audit/audit.service.js';
import { makeStatsService } from './stats/stats.service.js';
import { makeReportsService } from './reports/reports.service.js';

export interface AppDeps {
  config: Config;
  database: Database;
  logger: Logger;
  clock?: Clock;
  loginThrottle?: LoginThrottle;
  /** Public report lookups per address (default 30 per 10 minutes). */
  verifyLimit?: { limit: number; windowMs: number };
}

export interface App {
  app: Express;
  sessionStore: DrizzleSessionStore;
  services: { bookings: BookingsService; auth: AuthService; lab: LabService };
  /** Stops background timers; the caller closes the database. */
  close(): void;
}

const { csrfSynchronisedProtection, generateToken } = csrfSync({
  getTokenFromRequest: (req) => {
    const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
    return typeof fromBody === 'string' ? fromBody : (req.headers['x-csrf-token'] as string | undefined);
  },
});

/** CSRF check for routes whose body is parsed later (multipart): call after multer has read the fields. */
export const verifyCsrf = csrfSynchronisedProtection;

/** The composition root: every feature's service is built here and handed to its router. */
export function createApp(deps: AppDeps): App {
  const { config, database, logger } = deps;
  const db = database.db;
  const app = express();

  app.set('trust proxy', config.trustProxy === '' ? false : /^\d+$/.test(config.trustProxy) ? Number(config.trustProxy) : config.trustProxy);
  app.set('views', fromRoot('views'));
  app.set('view engine', 'ejs');
  // Templates include each other by paths from the views folder ('/partials/field'): EJS resolves those without
  // probing the file system on every render, which relative includes do.
  const viewsRoot = fromRoot('views');
  app.engine('ejs', (file: string, data: object, cb: (err: unknown, html?: string) => void) => {
    const settings = (data as { settings?: Record<string, unknown> }).settings ?? {};
    ejs.renderFile(file, data, { root: viewsRoot, cache: !!settings['view cache'] }, cb);
  });
  app.set('x-powered-by', false);
  // Compiled templates are cached in production (Express does so when NODE_ENV=production); also in tests for speed.
  if (config.env !== 'development') app.set('view cache', true);

  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          ...(config.publicUrl.startsWith('https://') ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      crossOriginEmbedderPolicy: false,
    }),
  );

  app.use(
    pinoHttp({
      logger,
      autoLogging: { ignore: (req) => req.url?.startsWith('/static/') || req.url?.startsWith('/vendor/') || req.url === '/healthz' || false },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      // One short line per request: no headers, cookies or bodies in the log.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );

  const staticOptions = { maxAge: config.isProduction ? '7d' : 0, index: false as const };
  app.use('/static', express.static(fromRoot('public'), staticOptions));
  app.use('/vendor/bootstrap', express.static(fromRoot('node_modules', 'bootstrap', 'dist'), staticOptions));
  app.use('/vendor/echarts', express.static(fromRoot('node_modules', 'echarts', 'dist'), staticOptions));
  app.get('/favicon.ico', (_req, res) => res.redirect(301, '/static/img/favicon.svg'));

  app.use(healthRoutes(database));

  // Public catalog pages for cookie-less visitors: served from a 5-second micro-cache (cleared on catalog changes).
  const pageCache = new PageCache(5_000);
  app.use(pageCache.middleware(/^\/(services(\/[^/]+)?|nodes(\/\d+)?)?$/));

  app.use(express.urlencoded({ extended: true, limit: '200kb', parameterLimit: 2000 }));
  app.use(rejectNulInput);

  const sessionStore = new DrizzleSessionStore(db, config.sessionMaxAgeMs);
  app.use(
    session({
      name: 'nqi.sid',
      secret: config.sessionSecret,
      store: sessionStore,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: config.isProduction && config.publicUrl.startsWith('https://'),
        maxAge: config.sessionMaxAgeMs,
      },
    }),
  );

  const auth = makeAuthService(db);
  const passport = createPassport(auth);
  app.use(passport.initialize());
  app.use(passport.session());

  // Every state-changing request carries the session's CSRF token. Multipart bodies are not parsed yet here:
  // their routes parse them with multer and then call verifyCsrf (see http/uploads).
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.is('multipart/form-data')) return next();
    csrfSynchronisedProtection(req, res, next);
  });

  app.use(layoutRenderer());
  app.use(flashMiddleware);
  const notifications = makeNotificationsService(db);
  app.use((req: Request, res: Response, next: NextFunction) => {
    // A signed-in user's pages carry their company's data: never kept by shared caches or on disk after sign-out.
    if (req.user) res.setHeader('Cache-Control', 'private, no-store');
    res.locals.user = req.user ?? null;
    res.locals.roleLabels = ROLE_LABELS;
    res.locals.nav = navFor(req.user, req.user?.unread ?? 0);
    res.locals.currentPath = req.path;
    res.locals.publicUrl = config.publicUrl;
    // The token is made only when a page renders a form, so anonymous pages do not create sessions.
    res.locals.csrfToken = () => generateToken(req);
    res.locals.statusBadge = viewHelpers.statusBadge;
    res.locals.fmt = { date: formatDate, dateTime: formatDateTime, dateWeekday: formatDateWithWeekday };
    res.locals.errors = {};
    res.locals.values = {};
    next();
  });

  // A password set by an administrator must be replaced before anything else.
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.user?.mustChangePassword && req.method === 'GET' && req.path !== '/account/password') {
      return res.redirect('/account/password');
    }
    next();
  });

  const clock = deps.clock ?? systemClock;
  const availability = makeAvailability({ db, clock, horizonDays: config.bookingHorizonDays });
  const storage = new FileStorage(config.uploadDir);
  // Catalog and reference data share one cache: a network change made in the admin pages clears both.
  const catalogCache = new TtlCache<unknown>(30_000);
  const reference = makeReferenceData(db, catalogCache);
  const bookings = makeBookingsService({ db, availability, storage, clock, reference });
  const reports = makeReportsService({ db, clock, storage });
  const lab = makeLabService({ db, clock, storage, reports, autoCompleteDays: config.autoCompleteDays, reference });

  app.use(catalogRoutes(makeCatalogService(db, availability, catalogCache)));
  app.use(
    authRoutes({ db, auth, passport, sessionStore, throttle: deps.loginThrottle ?? DEFAULT_LOGIN_THROTTLE, issueCsrfToken: (req) => void generateToken(req) }),
  );
  app.use(enterprisesRoutes(makeEnterprisesService(db)));
  app.use(bookingsRoutes({ bookings, verifyCsrf, publicUrl: config.publicUrl }));
  app.use(labRoutes({ lab, verifyCsrf }));
  app.use(reportsRoutes({ reports, db, publicUrl: config.publicUrl, logger, verifyLimit: deps.verifyLimit ?? { limit: 30, windowMs: 10 * 60_000 } }));
  app.use(notificationsRoutes(notifications));
  app.use(
    adminRoutes({
      stats: makeStatsService({ db, clock }),
      network: makeNetworkService({
        db,
        clock,
        onCatalogChange: () => {
          catalogCache.clear();
          pageCache.clear();
        },
      }),
      accounts: makeAccountsService({ db, destroySessions: (userId) => sessionStore.destroyUserSessions(userId) }),
      audit: makeAuditService(db),
    }),
  );

  app.use(notFoundHandler);
  app.use(errorHandler(logger));

  return { app, sessionStore, services: { bookings, auth, lab }, close: () => sessionStore.close() };
}
