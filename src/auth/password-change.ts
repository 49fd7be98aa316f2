import type { Db } from '../db/client.js';
import { recordEvent } from '../events/record.js';
import { ValidationError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import type { Principal } from './access.js';
import * as repo from './auth.repo.js';
import { changePasswordSchema } from './auth.schemas.js';
import { hashPassword, verifyPassword } from './password.js';

/** A user replaces their password, knowing the current one; the change is in the audit log. */
export async function changePassword(db: Db, user: Principal, input: unknown): Promise<void> {
  const v = parseInput(changePasswordSchema, input);
  const currentHash = await repo.findPasswordHash(db, user.id);
  if (!currentHash || !(await verifyPassword(currentHash, v.currentPassword))) {
    throw new ValidationError({ currentPassword: '当前密码不正确' });
  }
  const newHash = await hashPassword(v.newPassword);
  await db.transaction(async (tx) => {
    await repo.setPassword(tx, user.id, newHash);
    await recordEvent(tx, { actorUserId: user.id, entityType: 'user', entityId: user.id, action: 'user.password_changed' });
  });
}
