import { and, desc, eq, gte, isNull, lt, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { instrumentImports } from '../db/schema.js';

export type NewImportDraft = typeof instrumentImports.$inferInsert;

export async function insertDraft(ex: Executor, draft: NewImportDraft): Promise<void> {
  await ex.insert(instrumentImports).values(draft);
}

export async function findDraft(ex: Executor, token: string) {
  return (await ex.select().from(instrumentImports).where(eq(instrumentImports.token, token)))[0];
}

export async function lockDraft(ex: Executor, token: string) {
  return (await ex.select().from(instrumentImports).where(eq(instrumentImports.token, token)).for('update'))[0];
}

export async function markImported(ex: Executor, id: number, count: number): Promise<void> {
  await ex.update(instrumentImports).set({ importedAt: sql`now()`, importedCount: count }).where(eq(instrumentImports.id, id));
}

/** A user's uploads of the last week not yet imported (the import page offers them again). */
export async function pendingDraftsOf(ex: Executor, userId: number, since: Date) {
  return ex
    .select({ token: instrumentImports.token, fileName: instrumentImports.fileName, total: instrumentImports.total, valid: instrumentImports.valid, createdAt: instrumentImports.createdAt })
    .from(instrumentImports)
    .where(and(eq(instrumentImports.userId, userId), isNull(instrumentImports.importedAt), gte(instrumentImports.createdAt, since)))
    .orderBy(desc(instrumentImports.createdAt))
    .limit(5);
}

/** Previews nobody confirmed within a week are removed (their rows can be large). */
export async function deleteStaleDrafts(ex: Executor, before: Date): Promise<void> {
  await ex.delete(instrumentImports).where(and(isNull(instrumentImports.importedAt), lt(instrumentImports.createdAt, before)));
}
