import type { Express } from 'express';
import type { Logger } from 'pino';
import { adminRoutes } from './admin/admin.routes.js';
import { makeAccountsService } from './admin/accounts.service.js';
import { makeNetworkService } from './admin/network.service.js';
import { makeAuditService } from './audit/audit.service.js';
import { authRoutes } from './auth/auth.routes.js';
import type { AuthService } from './auth/auth.service.js';
import type { PassportInstance } from './auth/passport.js';
import { makeThrottle, type LoginThrottle } from './auth/throttle.js';
import { bookingsRoutes } from './bookings/bookings.routes.js';
import { makeBookingsService } from './bookings/bookings.service.js';
import { chainsRoutes } from './chains/chains.routes.js';
import { needsRoutes } from './needs/needs.routes.js';
import { makeNeedsService } from './needs/needs.service.js';
import { makeChainsService } from './chains/chains.service.js';
import { makeAvailability } from './capacity/availability.js';
import { windowsRoutes } from './capacity/windows.routes.js';
import { makeWindowsService } from './capacity/windows.service.js';
import { calendarRoutes } from './calendar/calendar.routes.js';
import { makeCalendarService } from './calendar/calendar.service.js';
import { catalogRoutes } from './catalog/catalog.routes.js';
import { makeCatalogService } from './catalog/catalog.service.js';
import { makeReferenceData } from './catalog/reference.js';
import type { Config } from './config.js';
import type { Db } from './db/client.js';
import type { ReadRouting } from './db/read-replica.js';
import type { DrizzleSessionStore } from './db/session-store.js';
import { displayRoutes } from './display/display.routes.js';
import { enterprisesRoutes } from './enterprises/enterprises.routes.js';
import { equipmentDeskRoutes } from './equipment/desk.routes.js';
import { equipmentRoutes } from './equipment/equipment.routes.js';
import { makeEquipmentService } from './equipment/equipment.service.js';
import { equipmentReportsRoutes } from './equipment/reports.routes.js';
import { makeOpenDataService } from './open-data/open-data.service.js';
import { openDataRoutes } from './open-data/open-data.routes.js';
import { makeEnterprisesService } from './enterprises/enterprises.service.js';
import { issueCsrfToken } from './http/csrf.js';
import type { PageCache } from './http/page-cache.js';
import { DbRateLimitStore } from './http/rate-limit-store.js';
import { labRoutes } from './lab/lab.routes.js';
import { makeLabService } from './lab/lab.service.js';
import { notificationsRoutes } from './notifications/notifications.routes.js';
import { makeNotificationsService } from './notifications/notifications.service.js';
import { reportsRoutes } from './reports/reports.routes.js';
import { makeReportsService } from './reports/reports.service.js';
import { TtlCache } from './shared/cache.js';
import type { Clock } from './shared/time.js';
import { makeStatsService } from './stats/stats.service.js';
import { feesRoutes } from './fees/fees.routes.js';
import { makeFeesService } from './fees/fees.service.js';
import { oilLimitsRoutes } from './oil-limits/oil-limits.routes.js';
import { makeOilLimitsService } from './oil-limits/oil-limits.service.js';
import { signatoriesRoutes } from './signatories/signatories.routes.js';
import { standardsRoutes } from './standards/standards.routes.js';
import { makeStandardsService } from './standards/standards.service.js';
import { makeSignatoriesService } from './signatories/signatories.service.js';
import { DEFAULT_DRAFT_QUOTA, type DraftQuota } from './uploads/quota.js';
import { makeDocumentStore } from './uploads/storage.js';
import { dailySchedule } from './jobs/daily.js';
import { calendarRoutes as calendarFeedRoutes } from './ledger/calendar.routes.js';
import { complianceRoutes } from './ledger/compliance.routes.js';
import { ledgerRouters } from './ledger/ledger.routes.js';
import { makeLedgerService } from './ledger/ledger.service.js';
import { makeEmailSender } from './outbox/email.js';
import { outboxRoutes } from './outbox/outbox.routes.js';
import { makeOutbox } from './outbox/outbox.service.js';
import { apiRoutes } from './api/api.routes.js';
import { makeApiService } from './api/api.service.js';
import { integrationsRoutes } from './api/integrations.routes.js';
import { makeKeysService } from './api/keys.service.js';
import { buildOpenApi } from './api/openapi.js';
import { makeWebhooksService } from './api/webhooks.service.js';
import { companyRoutes } from './company/company.routes.js';
import { makeCompanyService } from './company/company.service.js';
import { signIn } from './auth/login.routes.js';
import { windowRoutes } from './window/window.routes.js';
import { makeWindowService } from './window/window.service.js';

/** What the composition root needs from the app: the database, settings, and the pieces the web layer already made. */
export interface CompositionDeps {
  config: Config;
  db: Db;
  /**
   * The lag-tolerant reads (dashboards and their exports, ledger exports, open data, the public catalog): the replica
   * when DATABASE_READ_URL is set, else the same handle as db. Given to those services only.
   */
  readDb: Db;
  reads: ReadRouting;
  logger: Logger;
  clock: Clock;
  auth: AuthService;
  passport: PassportInstance;
  sessionStore: DrizzleSessionStore;
  pageCache: PageCache;
  loginThrottle?: LoginThrottle;
  verifyLimit?: { limit: number; windowMs: number };
  /** Public progress lookups (/track) per address (default 30 per 10 minutes). */
  trackLimit?: { limit: number; windowMs: number };
  /** Draft upload caps and the review step's rate (defaults in src/uploads/quota.ts). */
  draftQuota?: Partial<DraftQuota>;
  /** Invitation and password-reset link uses per address (default 20 per 10 minutes). */
  tokenLimit?: { limit: number; windowMs: number };
}

/** Builds every feature's service once; nothing else creates services. */
export function buildServices(deps: CompositionDeps) {
  const { config, db, readDb, clock, sessionStore, pageCache } = deps;
  const availability = makeAvailability({ db, clock, horizonDays: config.bookingHorizonDays });
  const storage = makeDocumentStore(config.fileStore, { db, uploadDir: config.uploadDir });
  // Catalog and reference data share one cache: a network change made in the admin pages clears both.
  const catalogCache = new TtlCache<unknown>(30_000);
  // After a catalog change its cache refills from the primary until the replica has surely replayed the change.
  const catalogChanged = () => {
    deps.reads.stickToPrimary();
    catalogCache.clear();
    pageCache.clear();
  };
  const reference = makeReferenceData(db, catalogCache);
  const reports = makeReportsService({ db, clock, storage });
  // The outbox delivers e-mail only when SMTP_URL is set; without it e-mail waits (and nothing enqueues it).
  const outbox = makeOutbox({ db, logger: deps.logger });
  if (config.smtpUrl) outbox.register('email', makeEmailSender(config.smtpUrl, config.mailFrom).send);
  const stats = makeStatsService({ db: readDb, clock, cacheMs: config.dashboardCacheSeconds * 1000 });
  const chains = makeChainsService({ db, clock, availability, reference });
  // Steps a completion unblocks are booked after its commit; a step that finds no window waits for the coordinator.
  const onCompleted = () => chains.scheduleReady().catch((err: unknown) => deps.logger.error({ err }, 'chains: scheduling the steps a completion unblocked failed; the coordinator sees them as 待排期'));
  const destroySessions = (userId: number) => sessionStore.destroyUserSessions(userId);
  // Webhooks go through the same outbox: written with the event, sent (signed) after commit, retried with back-off.
  const webhooks = makeWebhooksService({ db, logger: deps.logger, allowPrivate: config.webhookAllowPrivate });
  outbox.register('webhook', webhooks.send);
  const catalog = makeCatalogService(readDb, availability, catalogCache);
  const bookings = makeBookingsService({ db, availability, storage, clock, reference, draftQuota: { ...DEFAULT_DRAFT_QUOTA, ...deps.draftQuota }, onCompleted });
  const ledger = makeLedgerService({ db, clock, logger: deps.logger, availability, storage, reference, outbox, publicUrl: config.publicUrl, readDb });
  const lab = makeLabService({ db, clock, storage, reports, autoCompleteDays: config.autoCompleteDays, reference, onCompleted });
  return {
    window: makeWindowService({ db, clock }),
    outbox,
    webhooks,
    keys: makeKeysService({ db, clock }),
    api: makeApiService({ db, bookings, catalog, availability, reports, lab, ledger, clock }),
    ledger,
    company: makeCompanyService({ db, clock, destroySessions, emailEnabled: !!config.smtpUrl, publicUrl: config.publicUrl }),
    availability,
    reports,
    catalog,
    enterprises: makeEnterprisesService(db),
    bookings,
    lab,
    chains,
    needs: makeNeedsService({ db, clock, availability, reference, storage }),
    notifications: makeNotificationsService(db),
    stats,
    equipment: makeEquipmentService({ db, clock, storage, periodOf: stats.periodOf }),
    openData: makeOpenDataService({ db: readDb, clock }),
    network: makeNetworkService({
      db,
      clock,
      onCatalogChange: catalogChanged,
    }),
    accounts: makeAccountsService({ db, destroySessions: (userId) => sessionStore.destroyUserSessions(userId) }),
    audit: makeAuditService(db),
    signatories: makeSignatoriesService({ db, clock }),
    standards: makeStandardsService({ db, clock }),
    oilLimits: makeOilLimitsService({ db }),
    fees: makeFeesService({ db, clock }),
    reference,
    calendar: makeCalendarService({ db, clock, logger: deps.logger }),
    windows: makeWindowsService({
      db,
      clock,
      onChange: catalogChanged,
    }),
  };
}

export type Services = ReturnType<typeof buildServices>;

/**
 * The open API (/api/v1, /api/docs): mounted before sessions, form parsing and CSRF — it authenticates by bearer key
 * only, so no cookie can ever act on it. Answers every /api path itself (problem+json).
 */
export function mountApiRouters(app: Express, services: Services, deps: CompositionDeps): void {
  let document: object | undefined;
  app.use(
    apiRoutes({
      api: services.api,
      keys: services.keys,
      reports: services.reports,
      openapi: () => (document ??= buildOpenApi(deps.config.publicUrl)),
      rateLimitStore: (prefix) => new DbRateLimitStore(deps.db, prefix),
      logger: deps.logger,
    }),
  );
}

/** Mounts every feature's router; a new feature adds its line here. */
export function mountFeatureRouters(app: Express, services: Services, deps: CompositionDeps): void {
  const { config, db, logger } = deps;
  // Routers get a store factory for their rate limits, not the database handle.
  const rateLimitStore = (prefix: string) => new DbRateLimitStore(db, prefix);
  // First: holds requests until the entered holiday arrangements are in memory (working days depend on them).
  app.use(calendarRoutes(services.calendar));
  app.use(catalogRoutes(services.catalog, { prices: (service) => services.fees.pricesOfService(service) }));
  // The login page says how a forgotten password is reset here: by e-mail (SMTP_URL set) or by an administrator.
  app.use((_req, res, next) => {
    res.locals.resetByEmail = services.company.resetByEmail;
    next();
  });
  app.use(
    authRoutes({
      auth: deps.auth,
      passport: deps.passport,
      sessionStore: deps.sessionStore,
      parks: () => services.catalog.parks(),
      throttle: makeThrottle({ db, store: rateLimitStore, ...(deps.loginThrottle ? { limits: deps.loginThrottle } : {}), secret: config.sessionSecret, secureCookie: config.isProduction && config.publicUrl.startsWith('https://') }),
      issueCsrfToken: (req) => void issueCsrfToken(req),
    }),
  );
  app.use(displayRoutes({ db, secureCookies: config.isProduction && config.publicUrl.startsWith('https://') }));
  app.use(enterprisesRoutes(services.enterprises));
  app.use(companyRoutes({ company: services.company, rateLimitStore, tokenLimit: deps.tokenLimit ?? { limit: 20, windowMs: 10 * 60_000 }, signIn: (req, user) => signIn(req, user, { issueCsrfToken: (r) => void issueCsrfToken(r) }) }));
  app.use(calendarFeedRoutes({ ledger: services.ledger }));
  for (const router of ledgerRouters({ ledger: services.ledger })) app.use(router);
  app.use(bookingsRoutes({ bookings: services.bookings, publicUrl: config.publicUrl, rateLimitStore, trackLimit: deps.trackLimit ?? { limit: 30, windowMs: 10 * 60_000 }, ledger: { picks: services.ledger.picks, prefill: services.ledger.prefillRows } }));
  app.use(labRoutes({ lab: services.lab }));
  app.use(chainsRoutes({ chains: services.chains }));
  app.use(needsRoutes({ needs: services.needs }));
  app.use(reportsRoutes({ reports: services.reports, rateLimitStore, publicUrl: config.publicUrl, logger, verifyLimit: deps.verifyLimit ?? { limit: 30, windowMs: 10 * 60_000 } }));
  app.use(notificationsRoutes(services.notifications));
  app.use(feesRoutes({ fees: services.fees }));
  app.use(oilLimitsRoutes({ limits: services.oilLimits }));
  app.use(signatoriesRoutes({ signatories: services.signatories, nodeName: async (id) => (await services.reference.node(id))?.name }));
  app.use(standardsRoutes({ standards: services.standards, nodeName: async (id) => (await services.reference.node(id))?.name }));
  app.use(complianceRoutes({ ledger: services.ledger }));
  app.use(outboxRoutes({ outbox: services.outbox }));
  app.use(integrationsRoutes({ keys: services.keys, webhooks: services.webhooks, publicUrl: config.publicUrl }));
  // The equipment desk and reports first: their fixed paths (/equipment/desk …) come before /equipment/:id.
  app.use(equipmentDeskRoutes({ equipment: services.equipment }));
  app.use(equipmentReportsRoutes({ equipment: services.equipment }));
  app.use(equipmentRoutes({ equipment: services.equipment }));
  app.use(openDataRoutes({ openData: services.openData, publicUrl: config.publicUrl }));
  app.use(windowsRoutes(services.windows));
  app.use(windowRoutes({ window: services.window, bookings: services.bookings, parks: () => services.catalog.parks(), publicUrl: deps.config.publicUrl }));
  app.use(adminRoutes({ stats: services.stats, network: services.network, accounts: services.accounts, audit: services.audit }));
}

/**
 * Background work every process runs (safe on any number of them): the outbox worker (each message claimed by one
 * process, SKIP LOCKED) and the ledger's daily job (once per day, job_runs). Returns the stop for shutdown.
 */
export function startBackgroundJobs(services: Services, deps: { clock: Clock; logger: Logger }): () => Promise<void> {
  const stopOutbox = services.outbox.start();
  const stopDaily = dailySchedule({ clock: deps.clock, logger: deps.logger, name: 'ledger.reminders', fromHour: 7, everyMs: 10 * 60_000, run: (day) => services.ledger.runDailyJob(day) });
  return async () => {
    await Promise.all([stopOutbox(), stopDaily()]);
  };
}
