import type { Db } from '../db/client.js';
import type { Principal } from './access.js';
import * as repo from './auth.repo.js';
import { authenticate } from './login.js';
import { changePassword } from './password-change.js';
import { registerCompany } from './register.js';
import { systemClock, type Clock } from '../shared/time.js';


/** Accounts' own face: sign-up (register.ts), sign-in (login.ts), the password (password-change.ts), the signed-in user. */
export function makeAuthService(db: Db, clock: Clock = systemClock) {
  return {
    loadPrincipal: (id: number) => repo.findPrincipalById(db, id),
    loadSession: (sid: string) => repo.findSessionWithPrincipal(db, sid),
    register: (input: unknown) => registerCompany(db, clock, input),
    authenticate: (identifier: string, password: string) => authenticate(db, identifier, password),
    changePassword: (user: Principal, input: unknown) => changePassword(db, user, input),
  };
}

export type AuthService = ReturnType<typeof makeAuthService>;
