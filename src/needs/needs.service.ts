import type { Principal } from '../auth/access.js';
import { acceptNeed, assignNeed, closeNeed, listNeedsFor, needPage, needsDashboard, postMessage, rateNeed, resolveNeed, submitNeed, type NeedsDeps } from './needs.js';

/** Quality needs answered by experts (质量需求 / 专家库). */
export function makeNeedsService(deps: NeedsDeps) {
  return {
    submit: (user: Principal, body: unknown) => submitNeed(deps, user, body),
    list: (user: Principal) => listNeedsFor(deps, user),
    page: (user: Principal, number: string) => needPage(deps, user, number),
    assign: (user: Principal, number: string, body: unknown) => assignNeed(deps, user, number, body),
    accept: (user: Principal, number: string) => acceptNeed(deps, user, number),
    message: (user: Principal, number: string, body: unknown) => postMessage(deps, user, number, body),
    resolve: (user: Principal, number: string, body: unknown) => resolveNeed(deps, user, number, body),
    rate: (user: Principal, number: string, body: unknown) => rateNeed(deps, user, number, body),
    close: (user: Principal, number: string, body: unknown) => closeNeed(deps, user, number, body),
    dashboard: (user: Principal) => needsDashboard(deps, user),
  };
}

export type NeedsService = ReturnType<typeof makeNeedsService>;
