import { admissionGate } from './admission.js';
import type { Database } from '../db/client.js';
import ejs from 'ejs';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { asPrincipal, roleMay } from '../auth/access.js';
import { PASSWORD_PATH, ROLE_LABELS } from '../auth/auth.view.js';
import type { PassportInstance } from '../auth/passport.js';
import type { Config } from '../config.js';
import type { DrizzleSessionStore } from '../db/session-store.js';
import { ForbiddenError } from '../shared/errors.js';
import { fromRoot } from '../shared/paths.js';
import { formatDate, formatDateTime, formatDateWithWeekday } from '../shared/time.js';
import { compressResponses, fingerprintedAssets } from './assets.js';
import { acceptedBodies } from './body-types.js';
import { csrfProtection, issueCsrfToken } from './csrf.js';
import { flashMiddleware } from './flash.js';
import { rejectNulInput } from './input-guard.js';
import { layoutRenderer } from './layout.js';
import { navFor } from './nav.js';
import type { PageCache } from './page-cache.js';
import { viewHelpers } from './view-helpers.js';
import { feeViewLabels } from '../fees/fees.view.js';
import { largeTextFromCookie } from '../display/display.js';
import { ADMIN_SECTIONS } from '../admin/admin.view.js';

/*
 * The web layer's middleware, in the order a request meets it. createApp calls these; each one is a stage a reader can
 * find by name: views, security headers, logging, static files, parsing and sessions, per-request locals.
 */

export function configureViews(app: Express, config: Config): void {
  app.set('trust proxy', config.trustProxy === '' ? false : /^\d+$/.test(config.trustProxy) ? Number(config.trustProxy) : config.trustProxy);
  app.set('x-powered-by', false);
  app.set('views', fromRoot('views'));
  app.set('view engine', 'ejs');
  // Templates include each other by paths from the views folder ('/partials/field'): EJS resolves those without
  // probing the file system on every render, which relative includes do.
  const viewsRoot = fromRoot('views');
  app.engine('ejs', (file: string, data: object, cb: (err: unknown, html?: string) => void) => {
    const settings = (data as { settings?: Record<string, unknown> }).settings ?? {};
    ejs.renderFile(file, data, { root: viewsRoot, cache: !!settings['view cache'] }, cb);
  });
  // Compiled templates are cached in production (Express does so when NODE_ENV=production); also in tests for speed.
  if (config.env !== 'development') app.set('view cache', true);
}

/** A strict CSP: scripts and styles only from our own origin, no inline code, no framing. */
export function securityHeaders(config: Config) {
  return helmet({
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
  });
}

export function requestLogging(logger: Logger) {
  return pinoHttp({
    logger,
    autoLogging: { ignore: (req) => req.url?.startsWith('/static/') || req.url?.startsWith('/vendor/') || req.url === '/healthz' || false },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    // One short line per request: no headers, cookies or bodies in the log.
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url.split('?')[0] }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}

export function staticFiles(app: Express, config: Config): void {
  app.use(compressResponses);
  fingerprintedAssets(app);
  const options = { maxAge: config.isProduction ? '7d' : 0, index: false as const };
  app.use('/static', express.static(fromRoot('public'), options));
  app.use('/vendor/bootstrap', express.static(fromRoot('node_modules', 'bootstrap', 'dist'), options));
  app.use('/vendor/echarts', express.static(fromRoot('node_modules', 'echarts', 'dist'), options));
  // The open API's documentation viewer (/api/docs), from our own origin.
  app.use('/vendor/swagger-ui', express.static(fromRoot('node_modules', 'swagger-ui-dist'), options));
  app.get('/favicon.ico', (_req, res) => res.redirect(301, '/static/img/favicon.svg'));
}

/**
 * In front of everything that reads the database: the public catalog's micro-cache (cookie-less visitors, cleared on
 * catalog changes), then — on the embedded database — first-come-first-served admission (src/http/admission.ts).
 */
export function beforeDatabase(app: Express, config: Config, database: Database, pageCache: PageCache): void {
  app.use(pageCache.middleware(/^\/(services(\/[^/]+)?|nodes(\/\d+)?)?$/));
  if (database.driver === 'pglite' && config.embeddedAdmission > 0) app.use(admissionGate(config.embeddedAdmission));
}

/** Form bodies, the session (in the database), the signed-in user, and the CSRF check of every state change. */
export function sessionsAndForms(app: Express, config: Config, sessionStore: DrizzleSessionStore, passport: PassportInstance): void {
  app.use(express.urlencoded({ extended: true, limit: '200kb', parameterLimit: 2000 }));
  app.use(rejectNulInput);
  app.use(
    session({
      name: 'nqi.sid',
      secret: config.sessionSecret,
      store: sessionStore,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: { httpOnly: true, sameSite: 'lax', secure: config.isProduction && config.publicUrl.startsWith('https://'), maxAge: config.sessionMaxAgeMs },
    }),
  );
  app.use(passport.initialize());
  app.use(passport.session());
  app.use(csrfProtection);
  app.use(acceptedBodies);
  app.use(layoutRenderer());
  app.use(flashMiddleware);
}

/** What every page's layout reads: the user, the header's links, helpers, and an empty form state. */
export function pageLocals(config: Config) {
  return (req: Request, res: Response, next: NextFunction) => {
    // A signed-in user's pages carry their company's data: never kept by shared caches or on disk after sign-out.
    if (req.user) res.setHeader('Cache-Control', 'private, no-store');
    res.locals.user = req.user ?? null;
    res.locals.roleLabels = ROLE_LABELS;
    res.locals.nav = navFor(req.user && asPrincipal(req.user), req.user?.unread ?? 0);
    // Booking buttons only for those who can book: companies, and visitors (who are asked to sign in first).
    res.locals.mayBook = !req.user || roleMay(req.user, 'booking.create');
    res.locals.currentPath = req.path;
    res.locals.largeText = req.user ? !!req.user.largeText : largeTextFromCookie(req.headers.cookie);
    res.locals.publicUrl = config.publicUrl;
    // The token is made only when a page renders a form, so anonymous pages do not create sessions.
    res.locals.csrfToken = () => issueCsrfToken(req);
    Object.assign(res.locals, viewHelpers);
    res.locals.feeLabels = feeViewLabels;
    res.locals.adminSections = ADMIN_SECTIONS;
    res.locals.fmt = { date: formatDate, dateTime: formatDateTime, dateWeekday: formatDateWithWeekday };
    res.locals.errors = {};
    res.locals.values = {};
    next();
  };
}

/**
 * A password set by an administrator must be replaced before anything else: pages lead to the password form, and
 * every other request — a booking POST included — is refused until it is changed. Signing out stays possible.
 */
export function forcedPasswordChange(req: Request, res: Response, next: NextFunction): void {
  if (!req.user?.mustChangePassword || req.path === PASSWORD_PATH || (req.method === 'POST' && req.path === '/logout')) return next();
  if (req.method === 'GET' || req.method === 'HEAD') return res.redirect(PASSWORD_PATH);
  next(new ForbiddenError('管理员为您设置了临时密码，请先修改密码后再办理其他业务。'));
}
