import { and, asc, eq, gte, isNull, lte, or, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { serviceCategories, signatories, users } from '../db/schema.js';

export type NewSignatory = typeof signatories.$inferInsert;

/** Whether a user may sign for a node and a service category on a day: a grant in force that covers the category. */
export async function isSignatoryOn(ex: Executor, q: { userId: number; nodeId: number; categoryCode: string; day: string }): Promise<boolean> {
  const n = await ex.$count(
    signatories,
    and(
      eq(signatories.userId, q.userId),
      eq(signatories.nodeId, q.nodeId),
      isNull(signatories.revokedAt),
      or(isNull(signatories.categoryCode), eq(signatories.categoryCode, q.categoryCode)),
      lte(signatories.validFrom, q.day),
      or(isNull(signatories.validUntil), gte(signatories.validUntil, q.day)),
    ),
  );
  return n > 0;
}

/** A node's grants, current first, with the names a page shows. */
export async function signatoriesOfNode(ex: Executor, nodeId: number) {
  return ex
    .select({
      id: signatories.id,
      userId: signatories.userId,
      userName: users.name,
      userActive: users.active,
      categoryCode: signatories.categoryCode,
      categoryName: serviceCategories.name,
      validFrom: signatories.validFrom,
      validUntil: signatories.validUntil,
      grantedAt: signatories.grantedAt,
      revokedAt: signatories.revokedAt,
    })
    .from(signatories)
    .innerJoin(users, eq(users.id, signatories.userId))
    .leftJoin(serviceCategories, eq(serviceCategories.code, signatories.categoryCode))
    .where(eq(signatories.nodeId, nodeId))
    .orderBy(sql`${signatories.revokedAt} IS NOT NULL`, asc(users.name), asc(signatories.id));
}

export async function insertSignatory(ex: Executor, row: NewSignatory): Promise<number> {
  const [created] = await ex.insert(signatories).values(row).returning({ id: signatories.id });
  return created!.id;
}

export async function findSignatory(ex: Executor, id: number) {
  const rows = await ex.select().from(signatories).where(eq(signatories.id, id));
  return rows[0];
}

export async function revokeSignatory(ex: Executor, id: number, by: number): Promise<void> {
  await ex.update(signatories).set({ revokedAt: sql`now()`, revokedBy: by }).where(and(eq(signatories.id, id), isNull(signatories.revokedAt)));
}
