import type { Db } from '../db/client.js';
import { asPrincipal, type Principal } from './access.js';
import * as repo from './auth.repo.js';
import { burnPasswordCheck, verifyPassword } from './password.js';

/** Returns the principal for valid credentials, or null — the same null (and the same time) whether or not the account exists. */
export async function authenticate(db: Db, identifier: string, password: string): Promise<Principal | null> {
  const candidate = await repo.findLoginCandidate(db, identifier.trim());
  if (!candidate) {
    await burnPasswordCheck(password);
    return null;
  }
  if (!(await verifyPassword(candidate.passwordHash, password))) return null;
  const { passwordHash: _hash, ...principal } = candidate;
  await repo.touchLastLogin(db, principal.id);
  return asPrincipal(principal);
}
