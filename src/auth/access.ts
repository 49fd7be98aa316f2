import { ForbiddenError, NotFoundError } from '../shared/errors.js';

export type Role = 'enterprise' | 'lab_staff' | 'node_manager' | 'park_admin' | 'platform_admin' | 'expert';

interface PrincipalBase {
  id: number;
  name: string;
  mobile: string;
  email: string | null;
  mustChangePassword: boolean;
  /** Unread in-app messages, loaded with the user on each request (for the header). */
  unread?: number;
  /** 大字版: larger text and higher contrast on every page. */
  largeText?: boolean;
  /** 企业管理员 (enterprise users): manages the company's colleagues. */
  companyAdmin?: boolean;
  /** 线下窗口 duty (node staff), granted by the node manager. */
  windowDuty?: boolean;
  /** Coordinator duty (协调人) granted since, null when not held: a grant on the user, not a role. */
  coordinatorSince?: Date | null;
}

/*
 * The signed-in user as every check sees it (loaded fresh from the database on each request). One variant per role,
 * each with the scope it always has (the database's users_scope_matches_role CHECK guarantees it): after
 * `assertCan(user, 'booking.create')` the compiler knows `user.enterpriseId` is a number.
 */
export type EnterprisePrincipal = PrincipalBase & { role: 'enterprise'; enterpriseId: number; nodeId: null; parkId: null };
type NodeScoped = { enterpriseId: null; nodeId: number; parkId: null };
export type LabStaffPrincipal = PrincipalBase & NodeScoped & { role: 'lab_staff' };
export type NodeManagerPrincipal = PrincipalBase & NodeScoped & { role: 'node_manager' };
export type StaffPrincipal = LabStaffPrincipal | NodeManagerPrincipal;
export type ParkAdminPrincipal = PrincipalBase & { role: 'park_admin'; enterpriseId: null; nodeId: null; parkId: number };
export type PlatformAdminPrincipal = PrincipalBase & { role: 'platform_admin'; enterpriseId: null; nodeId: null; parkId: null };
/** An outside expert of the pool (专家库): no scope of their own; sees the needs assigned to them and the open pool. */
export type ExpertPrincipal = PrincipalBase & { role: 'expert'; enterpriseId: null; nodeId: null; parkId: null };
export type Principal = EnterprisePrincipal | LabStaffPrincipal | NodeManagerPrincipal | ParkAdminPrincipal | PlatformAdminPrincipal | ExpertPrincipal;

/** A principal as a users row carries it (scope columns nullable); `asPrincipal` narrows it to its variant. */
export type PrincipalRow = PrincipalBase & { role: Role; enterpriseId: number | null; nodeId: number | null; parkId: number | null };

export function asPrincipal(row: PrincipalRow): Principal {
  return row as Principal;
}

/**
 * Where a record sits in the network: the company it belongs to, the node that serves it, the park of that company.
 * A record outside the user's scope is treated as not existing (404), never as "forbidden" (403).
 */
export interface RecordScope {
  enterpriseId?: number | null;
  nodeId?: number | null;
  parkId?: number | null;
}

export const STAFF_ROLES: readonly Role[] = ['lab_staff', 'node_manager'];
export const ADMIN_ROLES: readonly Role[] = ['node_manager', 'park_admin', 'platform_admin'];

/**
 * What each role may do at all. The second half of every decision — is this record in the user's scope — is
 * `inScope`. Routes ask `assertCan(user, action, record)`; nothing else decides access.
 */
const ACTIONS = {
  'enterprise.read': ['enterprise', 'park_admin', 'platform_admin'],
  'enterprise.manage': ['platform_admin'],
  'booking.create': ['enterprise'],
  'booking.read': ['enterprise', 'lab_staff', 'node_manager', 'park_admin', 'platform_admin'],
  'booking.change': ['enterprise'],
  'booking.work': ['lab_staff', 'node_manager'],
  'lab.queue': ['lab_staff', 'node_manager'],
  'report.manage': ['lab_staff', 'node_manager'],
  'notification.read': ['enterprise', 'lab_staff', 'node_manager', 'park_admin', 'platform_admin', 'expert'],
  'ledger.manage': ['enterprise'],
  'stats.read': ['node_manager', 'park_admin', 'platform_admin'],
  'node.manage': ['node_manager', 'platform_admin'],
  'staff.manage': ['node_manager', 'platform_admin'],
  'signatory.manage': ['node_manager', 'platform_admin'],
  /** A node's measurement standards (计量标准), named on its certificates. */
  'standard.manage': ['node_manager', 'platform_admin'],
  'catalog.manage': ['platform_admin'],
  'limits.verify': ['platform_admin'],
  'user.manage': ['platform_admin'],
  'audit.read': ['platform_admin'],
  'compliance.read': ['park_admin', 'platform_admin'],
  'outbox.manage': ['platform_admin'],
  // open sharing (shared equipment): book, run the node's desk, describe instruments, set the platform's rules
  'equipment.book': ['enterprise'],
  'equipment.read': ['enterprise', 'lab_staff', 'node_manager', 'park_admin', 'platform_admin'],
  'equipment.operate': ['lab_staff', 'node_manager'],
  'equipment.manage': ['node_manager', 'platform_admin'],
  'equipment.rules': ['platform_admin'],
  'equipment.offer': ['enterprise'],
  'equipment.review': ['platform_admin'],
  'calendar.manage': ['platform_admin'],
  /** The read-only booking lists behind the dashboards, each in the reader's scope. */
  'booking.oversee': ['node_manager', 'park_admin', 'platform_admin'],
  /** API keys and webhooks of the user's company (its company admins: DUTIES), node (its manager) or the platform. */
  'integration.manage': ['enterprise', 'node_manager', 'platform_admin'],
  /** The company workspace: colleagues, invitations, join requests (company admins: DUTIES). */
  'company.manage': ['enterprise'],
  /** The walk-in window: find or register a company, book on its behalf, run the queue (window duty: DUTIES). */
  'window.operate': ['lab_staff', 'node_manager'],
  /** Grant or withdraw the window duty of the node's staff. */
  'window.grant': ['node_manager'],
  /** 一件事: bundles are the platform's; a company files a chain; readers see chains in their scope. */
  'bundle.manage': ['platform_admin'],
  'chain.create': ['enterprise'],
  'chain.read': ['enterprise', 'park_admin', 'platform_admin'],
  /** Quality needs: companies and parks submit; readers in scope; experts and coordinators are checked in needs/access. */
  'need.submit': ['enterprise', 'park_admin'],
  'need.read': ['enterprise', 'park_admin', 'platform_admin', 'expert', 'lab_staff', 'node_manager'],
} as const satisfies Record<string, readonly Role[]>;

/** Actions that need a duty granted on the user on top of the role (roles stay few; duties are grants). */
const DUTIES: Partial<Record<keyof typeof ACTIONS, (user: Pick<Principal, 'role'> & Pick<PrincipalBase, 'companyAdmin' | 'windowDuty'>) => boolean>> = {
  'company.manage': (u) => u.companyAdmin === true,
  'integration.manage': (u) => u.role !== 'enterprise' || u.companyAdmin === true,
  'window.operate': (u) => u.windowDuty === true,
};

export type Action = keyof typeof ACTIONS;
/** The principal variants that may take an action at all. */
export type PrincipalFor<A extends Action> = Extract<Principal, { role: (typeof ACTIONS)[A][number] }>;

export function roleMay(user: Pick<Principal, 'role'> & Pick<PrincipalBase, 'companyAdmin' | 'windowDuty'>, action: Action): boolean {
  const duty = DUTIES[action];
  return (ACTIONS[action] as readonly Role[]).includes(user.role) && (duty === undefined || duty(user));
}

export function inScope(user: Principal, record: RecordScope): boolean {
  switch (user.role) {
    case 'platform_admin':
      return true;
    case 'enterprise':
      return record.enterpriseId != null && record.enterpriseId === user.enterpriseId;
    case 'lab_staff':
    case 'node_manager':
      return record.nodeId != null && record.nodeId === user.nodeId;
    case 'park_admin':
      return record.parkId != null && record.parkId === user.parkId;
    case 'expert':
      // an expert's records are the needs assigned to them: checked by the needs feature, never by scope
      return false;
  }
}

export function can<A extends Action>(user: Principal, action: A, record?: RecordScope): user is PrincipalFor<A> {
  return roleMay(user, action) && (record === undefined || inScope(user, record));
}

/**
 * Throws ForbiddenError when the role may never do this, NotFoundError when the record is outside the scope; after it
 * the user is narrowed to the roles that may act.
 */
export function assertCan<A extends Action>(user: Principal, action: A, record?: RecordScope): asserts user is PrincipalFor<A> {
  if (!roleMay(user, action)) throw new ForbiddenError();
  if (record !== undefined && !inScope(user, record)) throw new NotFoundError();
}

/**
 * The coordinator duty (协调人): held by city-centre staff or platform admins it was granted to. A coordinator follows
 * every open chain (whatever node or company) and re-routes steps; without the grant nobody does.
 */
export function isCoordinator(user: Principal | undefined): boolean {
  if (!user || !user.coordinatorSince) return false;
  return user.role === 'platform_admin' || user.role === 'lab_staff' || user.role === 'node_manager';
}

export function assertCoordinator(user: Principal): void {
  if (!isCoordinator(user)) throw new ForbiddenError('此功能仅限协调人使用。');
}

/** Reading a chain: its company, its park's admin, a platform admin, or any coordinator. Others: 404 (or 403 by role). */
export function assertCanReadChain(user: Principal, chain: RecordScope): void {
  if (isCoordinator(user)) return;
  assertCan(user, 'chain.read', chain);
}
