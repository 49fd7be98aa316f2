import { and, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { apiKeys, enterprises, users } from '../db/schema.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type KeyOwner = { ownerType: 'company'; enterpriseId: number } | { ownerType: 'node'; nodeId: number } | { ownerType: 'platform' };

export function ownerWhere(owner: KeyOwner): SQL | undefined {
  if (owner.ownerType === 'company') return and(eq(apiKeys.ownerType, 'company'), eq(apiKeys.enterpriseId, owner.enterpriseId));
  if (owner.ownerType === 'node') return and(eq(apiKeys.ownerType, 'node'), eq(apiKeys.nodeId, owner.nodeId));
  return eq(apiKeys.ownerType, 'platform');
}

export async function insertKey(ex: Executor, values: typeof apiKeys.$inferInsert): Promise<ApiKeyRow> {
  const [row] = await ex.insert(apiKeys).values(values).returning();
  return row!;
}

export async function listKeys(ex: Executor, owner: KeyOwner) {
  return ex
    .select({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix, scopes: apiKeys.scopes, lastUsedAt: apiKeys.lastUsedAt, revokedAt: apiKeys.revokedAt, createdAt: apiKeys.createdAt, createdByName: users.name })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.createdBy))
    .where(ownerWhere(owner))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}

/**
 * How many live keys an owner has, counted under a lock on the owner (a transaction-scoped advisory lock), so that
 * two keys created at once are counted one after the other.
 */
export async function countLiveKeysLocked(ex: Executor, owner: KeyOwner): Promise<number> {
  const who = owner.ownerType === 'company' ? `company:${owner.enterpriseId}` : owner.ownerType === 'node' ? `node:${owner.nodeId}` : 'platform';
  await ex.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`api_keys|${who}`}))`);
  return ex.$count(apiKeys, and(ownerWhere(owner), isNull(apiKeys.revokedAt)));
}

/** Revokes a key of this owner that is still live; false when there is none. */
export async function revokeKey(ex: Executor, owner: KeyOwner, id: number, at: Date): Promise<boolean> {
  const rows = await ex
    .update(apiKeys)
    .set({ revokedAt: at })
    .where(and(eq(apiKeys.id, id), ownerWhere(owner), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}

/** The key by its hash with the user it acts for. */
export async function findByHash(ex: Executor, hash: string) {
  const rows = await ex
    .select({ key: apiKeys, user: { id: users.id, role: users.role, name: users.name, mobile: users.mobile, email: users.email, enterpriseId: users.enterpriseId, nodeId: users.nodeId, parkId: users.parkId, active: users.active, companyAdmin: users.companyAdmin }, companyActive: enterprises.active })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.createdBy))
    .leftJoin(enterprises, eq(enterprises.id, users.enterpriseId))
    .where(eq(apiKeys.keyHash, hash));
  return rows[0];
}

/** Last-used time, written at most once a minute per key (not one write per request). */
export async function touchKey(ex: Executor, id: number, at: Date): Promise<void> {
  await ex
    .update(apiKeys)
    .set({ lastUsedAt: at })
    .where(and(eq(apiKeys.id, id), sql`(${apiKeys.lastUsedAt} IS NULL OR ${apiKeys.lastUsedAt} < ${new Date(at.getTime() - 60_000)})`));
}
