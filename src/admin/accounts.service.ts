import type { Principal } from '../auth/access.js';
import type { AccountsDeps } from './context.js';
import { listEnterprises, reviewEnterprise, setEnterpriseActive } from './enterprises.js';
import { createUser, listUsers, resetPassword, setUserActive, userFormOptions } from './users.js';

export type { AccountsDeps } from './context.js';

/** Accounts' management face: staff and admin users (users.ts) and the companies signed up (enterprises.ts). */
export function makeAccountsService(deps: AccountsDeps) {
  return {
    listUsers: (actor: Principal, query: Parameters<typeof listUsers>[2]) => listUsers(deps, actor, query),
    userFormOptions: (actor: Principal) => userFormOptions(deps, actor),
    createUser: (actor: Principal, input: unknown) => createUser(deps, actor, input),
    resetPassword: (actor: Principal, id: number) => resetPassword(deps, actor, id),
    setUserActive: (actor: Principal, id: number, active: boolean) => setUserActive(deps, actor, id, active),
    listEnterprises: (actor: Principal, query: Parameters<typeof listEnterprises>[2]) => listEnterprises(deps, actor, query),
    reviewEnterprise: (actor: Principal, id: number, input: unknown) => reviewEnterprise(deps, actor, id, input),
    setEnterpriseActive: (actor: Principal, id: number, active: boolean) => setEnterpriseActive(deps, actor, id, active),
  };
}

export type AccountsService = ReturnType<typeof makeAccountsService>;
