import type { IncomingMessage } from 'node:http';
import { Passport } from 'passport';

export type PassportInstance = InstanceType<typeof Passport>;
import { Strategy as LocalStrategy } from 'passport-local';
import type { AuthService } from './auth.service.js';

/**
 * One Passport instance per app (not the module singleton), so several apps in one test process never share state.
 * The session keeps only the user id; the user is reloaded on every request, so a deactivated account or a
 * changed role takes effect at once.
 */
export function createPassport(auth: AuthService, sessions?: { takePrincipal(sid: string, userId: unknown): { principal: unknown } | undefined }): PassportInstance {
  const passport = new Passport();
  passport.use(
    new LocalStrategy({ usernameField: 'identifier', passwordField: 'password' }, (identifier, password, done) => {
      auth.authenticate(identifier, password).then((user) => done(null, user ?? false), done);
    }),
  );
  passport.serializeUser((user, done) => done(null, (user as Express.User).id));
  passport.deserializeUser((req: IncomingMessage, id: unknown, done: (err: unknown, user?: Express.User | false) => void) => {
    if (typeof id !== 'number') return done(null, false);
    // Usually read together with the session, in the same statement and the same request.
    const hit = sessions?.takePrincipal((req as { sessionID?: string }).sessionID ?? '', id);
    if (hit) return done(null, (hit.principal as Express.User | null) ?? false);
    auth.loadPrincipal(id).then((user) => done(null, user ?? false), done);
  });
  return passport;
}
