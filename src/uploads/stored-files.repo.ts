import { eq, inArray } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { storedFiles } from '../db/schema.js';

/** SQL of the database document store (src/uploads/storage.ts): one row per stored document. */

export async function insertStoredFile(db: Executor, storedName: string, content: Buffer): Promise<void> {
  await db.insert(storedFiles).values({ storedName, content, sizeBytes: content.length });
}

export async function storedFileContent(db: Executor, storedName: string): Promise<Buffer | undefined> {
  const [row] = await db.select({ content: storedFiles.content }).from(storedFiles).where(eq(storedFiles.storedName, storedName));
  return row?.content;
}

export async function deleteStoredFiles(db: Executor, storedNames: string[]): Promise<void> {
  if (storedNames.length) await db.delete(storedFiles).where(inArray(storedFiles.storedName, storedNames));
}
