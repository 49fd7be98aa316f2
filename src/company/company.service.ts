import type { Principal } from '../auth/access.js';
import { resetColleaguePassword, setColleagueActive, setColleagueAdmin, workspace } from './colleagues.js';
import type { CompanyDeps } from './context.js';
import { acceptInvitation, inviteColleague, openInvitation, revokeInvitation } from './invitations.js';
import { approveJoinRequest, refuseJoinRequest } from './join.js';
import { checkResetToken, requestPasswordReset, resetPassword } from './password-reset.js';

export type { CompanyDeps } from './context.js';

/** The company workspace's face: colleagues (colleagues.ts), invitations, join requests (join.ts), password resets. */
export function makeCompanyService(deps: CompanyDeps) {
  return {
    workspace: (user: Principal) => workspace(deps, user),
    setActive: (user: Principal, id: number, active: boolean) => setColleagueActive(deps, user, id, active),
    setAdmin: (user: Principal, id: number, input: unknown) => setColleagueAdmin(deps, user, id, input),
    resetColleaguePassword: (user: Principal, id: number) => resetColleaguePassword(deps, user, id),
    invite: (user: Principal, input: unknown) => inviteColleague(deps, user, input),
    revokeInvitation: (user: Principal, id: number) => revokeInvitation(deps, user, id),
    openInvitation: (token: string) => openInvitation(deps, token),
    acceptInvitation: (token: string, input: unknown) => acceptInvitation(deps, token, input),
    approveJoin: (user: Principal, id: number) => approveJoinRequest(deps, user, id),
    refuseJoin: (user: Principal, id: number) => refuseJoinRequest(deps, user, id),
    /** Whether a forgotten password is reset by e-mail here (SMTP_URL set) or by a company admin / the platform. */
    resetByEmail: deps.emailEnabled,
    requestReset: (input: unknown) => requestPasswordReset(deps, input),
    checkReset: (token: string) => checkResetToken(deps, token),
    reset: (token: string, input: unknown) => resetPassword(deps, token, input),
  };
}

export type CompanyService = ReturnType<typeof makeCompanyService>;
