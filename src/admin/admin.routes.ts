import { Router } from 'express';
import type { AuditService } from '../audit/audit.service.js';
import type { StatsService } from '../stats/stats.service.js';
import type { AccountsService } from './accounts.service.js';
import { auditRoutes } from './audit.routes.js';
import { dashboardRoutes } from './dashboard.routes.js';
import { enterprisesAdminRoutes } from './enterprises.routes.js';
import type { NetworkService } from './network.service.js';
import { nodesRoutes } from './nodes.routes.js';
import { servicesRoutes } from './services.routes.js';
import { usersRoutes } from './users.routes.js';

export interface AdminRouteDeps {
  stats: StatsService;
  network: NetworkService;
  accounts: AccountsService;
  audit: AuditService;
}

/** The management pages under /admin, one router per area. */
export function adminRoutes(deps: AdminRouteDeps): Router {
  return Router().use(
    dashboardRoutes(deps.stats),
    nodesRoutes(deps.network),
    servicesRoutes(deps.network),
    usersRoutes(deps.accounts),
    enterprisesAdminRoutes(deps.accounts),
    auditRoutes(deps.audit),
  );
}
