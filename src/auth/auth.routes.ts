import { Router, type Request } from 'express';
import type { Store } from 'express-rate-limit';
import type { DrizzleSessionStore } from '../db/session-store.js';
import { accountRoutes } from './account.routes.js';
import type { AuthService } from './auth.service.js';
import { loginRoutes, type LoginThrottle } from './login.routes.js';
import type { PassportInstance } from './passport.js';
import { registerRoutes } from './register.routes.js';

export { DEFAULT_LOGIN_THROTTLE, type LoginThrottle } from './login.routes.js';

export interface AuthRouteDeps {
  auth: AuthService;
  /** The parks a company can choose at registration. */
  parks: () => Promise<{ id: number; name: string }[]>;
  /** A rate-limit store shared by every app process, per key prefix. */
  rateLimitStore: (prefix: string) => Store;
  passport: PassportInstance;
  sessionStore: DrizzleSessionStore;
  throttle: LoginThrottle;
  /** Puts a CSRF token into the new session at once, so pages opened in parallel right after login share it. */
  issueCsrfToken: (req: Request) => void;
}

/** Accounts on the web: sign-in and out (login.routes), company sign-up (register.routes), own account (account.routes). */
export function authRoutes(deps: AuthRouteDeps): Router {
  return Router().use(loginRoutes(deps), registerRoutes(deps), accountRoutes(deps));
}
