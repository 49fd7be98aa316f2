import { Router, type Request } from 'express';
import type { DrizzleSessionStore } from '../db/session-store.js';
import { accountRoutes } from './account.routes.js';
import type { AuthService } from './auth.service.js';
import { loginRoutes } from './login.routes.js';
import type { PassportInstance } from './passport.js';
import { registerRoutes } from './register.routes.js';

import type { Throttle } from './throttle.js';

export type { LoginThrottle } from './throttle.js';

export interface AuthRouteDeps {
  auth: AuthService;
  /** The parks a company can choose at registration. */
  parks: () => Promise<{ id: number; name: string }[]>;
  passport: PassportInstance;
  sessionStore: DrizzleSessionStore;
  /** Guessing limits: sign-in per account and address (trusted devices apart), password checks, sign-ups. */
  throttle: Throttle;
  /** Puts a CSRF token into the new session at once, so pages opened in parallel right after login share it. */
  issueCsrfToken: (req: Request) => void;
}

/** Accounts on the web: sign-in and out (login.routes), company sign-up (register.routes), own account (account.routes). */
export function authRoutes(deps: AuthRouteDeps): Router {
  return Router().use(loginRoutes(deps), registerRoutes(deps), accountRoutes(deps));
}
