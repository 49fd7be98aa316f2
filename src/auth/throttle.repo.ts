import { eq, or } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { users } from '../db/schema.js';

/** The user an identifier (mobile or e-mail, already normalised) belongs to, active or not: the key of its sign-in counter. */
export async function accountIdOf(ex: Executor, identifier: string): Promise<number | undefined> {
  if (!identifier) return undefined;
  const rows = await ex
    .select({ id: users.id })
    .from(users)
    .where(or(eq(users.mobile, identifier), eq(users.email, identifier.toLowerCase())))
    .limit(1);
  return rows[0]?.id;
}
