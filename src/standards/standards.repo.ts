import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { measurementStandards } from '../db/schema.js';

export type NewStandard = typeof measurementStandards.$inferInsert;
export type StandardRow = typeof measurementStandards.$inferSelect;

/** A node's standards, those in service first, then by name. */
export async function standardsOfNode(ex: Executor, nodeId: number): Promise<StandardRow[]> {
  return ex
    .select()
    .from(measurementStandards)
    .where(eq(measurementStandards.nodeId, nodeId))
    .orderBy(sql`${measurementStandards.retiredAt} IS NOT NULL`, asc(measurementStandards.name), asc(measurementStandards.id));
}

/** The standards a node may still name on a certificate (not retired), for the results form and its check. */
export async function standardsInService(ex: Executor, nodeId: number): Promise<StandardRow[]> {
  return ex
    .select()
    .from(measurementStandards)
    .where(and(eq(measurementStandards.nodeId, nodeId), isNull(measurementStandards.retiredAt)))
    .orderBy(asc(measurementStandards.name), asc(measurementStandards.id));
}

export async function insertStandard(ex: Executor, row: NewStandard): Promise<number> {
  const [created] = await ex.insert(measurementStandards).values(row).returning({ id: measurementStandards.id });
  return created!.id;
}

export async function findStandard(ex: Executor, id: number): Promise<StandardRow | undefined> {
  const [row] = await ex.select().from(measurementStandards).where(eq(measurementStandards.id, id));
  return row;
}

export async function retireStandard(ex: Executor, id: number, by: number): Promise<void> {
  await ex.update(measurementStandards).set({ retiredAt: sql`now()`, retiredBy: by }).where(and(eq(measurementStandards.id, id), isNull(measurementStandards.retiredAt)));
}
