import { and, asc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { oilGrades, oilLimits, oilTestItems, users } from '../db/schema.js';

export interface LimitFilter {
  grade?: string;
  verified?: boolean;
}

/** The oil limits for the platform admin's review, with grade and item names. */
export async function listLimits(ex: Executor, f: LimitFilter) {
  const conditions = [f.grade ? eq(oilLimits.gradeCode, f.grade) : undefined, f.verified === undefined ? undefined : eq(oilLimits.verified, f.verified)].filter((c) => c !== undefined);
  return ex
    .select({
      id: oilLimits.id,
      gradeCode: oilLimits.gradeCode,
      gradeName: oilGrades.name,
      itemName: oilTestItems.name,
      unit: oilTestItems.unit,
      itemCode: oilLimits.itemCode,
      edition: oilLimits.edition,
      variant: oilLimits.variant,
      kind: oilLimits.kind,
      minValue: oilLimits.minValue,
      maxValue: oilLimits.maxValue,
      criterion: oilLimits.criterion,
      condition: oilLimits.condition,
      source: oilLimits.source,
      verified: oilLimits.verified,
      verifiedAt: oilLimits.verifiedAt,
      verifiedByName: users.name,
    })
    .from(oilLimits)
    .innerJoin(oilGrades, eq(oilGrades.code, oilLimits.gradeCode))
    .innerJoin(oilTestItems, eq(oilTestItems.code, oilLimits.itemCode))
    .leftJoin(users, eq(users.id, oilLimits.verifiedBy))
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(asc(oilGrades.sortOrder), asc(oilLimits.edition), asc(oilTestItems.sortOrder), asc(oilLimits.variant));
}

export async function findLimit(ex: Executor, id: number) {
  const rows = await ex.select().from(oilLimits).where(eq(oilLimits.id, id));
  return rows[0];
}

/** Marks a limit verified once; returns false when it already was (a concurrent click). */
export async function markVerified(ex: Executor, id: number, by: number): Promise<boolean> {
  const rows = await ex
    .update(oilLimits)
    .set({ verified: true, verifiedBy: by, verifiedAt: sql`now()` })
    .where(and(eq(oilLimits.id, id), eq(oilLimits.verified, false)))
    .returning({ id: oilLimits.id });
  return rows.length > 0;
}
