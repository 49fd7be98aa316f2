import { Passport } from 'passport';

export type PassportInstance = InstanceType<typeof Passport>;
import { Strategy as LocalStrategy } from 'passport-local';
import type { AuthService } from './auth.service.js';

/**
 * One Passport instance per app (not the module singleton), so several apps in one test process never share state.
 * The session keeps only the user id; the user is reloaded on every request, so a deactivated account or a
 * changed role takes effect at once.
 */
export function createPassport(auth: AuthService): PassportInstance {
  const passport = new Passport();
  passport.use(
    new LocalStrategy({ usernameField: 'identifier', passwordField: 'password' }, (identifier, password, done) => {
      auth.authenticate(identifier, password).then((user) => done(null, user ?? false), done);
    }),
  );
  passport.serializeUser((user, done) => done(null, (user as Express.User).id));
  passport.deserializeUser((id: unknown, done) => {
    if (typeof id !== 'number') return done(null, false);
    auth.loadPrincipal(id).then((user) => done(null, user ?? false), done);
  });
  return passport;
}
