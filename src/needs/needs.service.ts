import type { Principal } from '../auth/access.js';
import { expertProfileForm, ownExpertId, saveExpertProfile } from './experts.js';
import { acceptNeed, assignNeed, closeNeed, listNeedsFor, needAttachment, needPage, needsDashboard, postMessage, rateNeed, resolveNeed, submitNeed, type NeedsDeps, type NeedUpload } from './needs.js';
import { bookNeed, planNeedBookings, proposeServices } from './to-bookings.js';

/** Quality needs answered by experts (质量需求 / 专家库). */
export function makeNeedsService(deps: NeedsDeps) {
  return {
    submit: (user: Principal, body: unknown, files?: NeedUpload) => submitNeed(deps, user, body, files),
    list: (user: Principal) => listNeedsFor(deps, user),
    page: (user: Principal, number: string) => needPage(deps, user, number),
    assign: (user: Principal, number: string, body: unknown) => assignNeed(deps, user, number, body),
    accept: (user: Principal, number: string) => acceptNeed(deps, user, number),
    message: (user: Principal, number: string, body: unknown, files?: NeedUpload) => postMessage(deps, user, number, body, files),
    attachment: (user: Principal, number: string, id: number) => needAttachment(deps, user, number, id),
    propose: (user: Principal, number: string, body: unknown) => proposeServices(deps, user, number, body),
    bookingPlan: (user: Principal, number: string) => planNeedBookings(deps, user, number),
    book: (user: Principal, number: string, body: Record<string, unknown>) => bookNeed(deps, user, number, body),
    expertForm: (user: Principal, id: number) => expertProfileForm(deps, user, id),
    saveExpert: (user: Principal, id: number, body: unknown) => saveExpertProfile(deps, user, id, body),
    ownExpertId: (user: Principal) => ownExpertId(deps, user),
    resolve: (user: Principal, number: string, body: unknown) => resolveNeed(deps, user, number, body),
    rate: (user: Principal, number: string, body: unknown) => rateNeed(deps, user, number, body),
    close: (user: Principal, number: string, body: unknown) => closeNeed(deps, user, number, body),
    dashboard: (user: Principal) => needsDashboard(deps, user),
  };
}

export type NeedsService = ReturnType<typeof makeNeedsService>;
