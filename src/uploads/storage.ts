import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/client.js';
import { deleteStoredFiles, insertStoredFile, storedFileContent } from './stored-files.repo.js';

const STORED_NAME = /^[a-f0-9]{32}$/;

export interface SavedFile {
  storedName: string;
  sha256: string;
  sizeBytes: number;
}

/**
 * Where uploaded documents live (attachments, signed report PDFs, equipment photos). Every saver and every download
 * goes through this interface; the original name, type and SHA-256 are kept in the database rows that refer to a
 * document by its random stored name. Nothing here trusts a client-supplied name.
 *
 * A document is saved before the transaction that records it and removed again when that transaction fails (the
 * callers' compensation), so both stores behave the same: no row refers to a missing document, no orphan survives a
 * refused save.
 */
export interface DocumentStore {
  readonly kind: 'disk' | 'database';
  save(buffer: Buffer): Promise<SavedFile>;
  /** The document's content, or undefined when it is gone (a swept draft, a disk lost). */
  read(storedName: string): Promise<Buffer | undefined>;
  remove(storedNames: string[]): Promise<void>;
}

export type FileStoreKind = DocumentStore['kind'];

function newStoredFile(buffer: Buffer): SavedFile {
  return { storedName: randomBytes(16).toString('hex'), sha256: createHash('sha256').update(buffer).digest('hex'), sizeBytes: buffer.length };
}

function assertStoredName(storedName: string): void {
  if (!STORED_NAME.test(storedName)) throw new Error('invalid stored file name');
}

/** Single-host store: files under UPLOAD_DIR (outside public/), in 256 folders by the name's first two characters. */
export class FileStorage implements DocumentStore {
  readonly kind = 'disk' as const;
  constructor(private readonly root: string) {}

  pathOf(storedName: string): string {
    assertStoredName(storedName);
    return path.join(this.root, storedName.slice(0, 2), storedName);
  }

  async save(buffer: Buffer): Promise<SavedFile> {
    const saved = newStoredFile(buffer);
    const file = this.pathOf(saved.storedName);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, buffer, { flag: 'wx', mode: 0o640 });
    return saved;
  }

  async read(storedName: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(storedName));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async remove(storedNames: string[]): Promise<void> {
    await Promise.all(storedNames.map((n) => rm(this.pathOf(n), { force: true })));
  }
}

/**
 * Multi-host store: the content in PostgreSQL (table stored_files, bytea), so every app host behind a load balancer
 * serves every document, and pg_dump backups and streaming replicas carry the documents with the rows.
 */
export class DatabaseStorage implements DocumentStore {
  readonly kind = 'database' as const;
  constructor(private readonly db: Db) {}

  async save(buffer: Buffer): Promise<SavedFile> {
    const saved = newStoredFile(buffer);
    await insertStoredFile(this.db, saved.storedName, buffer);
    return saved;
  }

  async read(storedName: string): Promise<Buffer | undefined> {
    assertStoredName(storedName);
    return storedFileContent(this.db, storedName);
  }

  async remove(storedNames: string[]): Promise<void> {
    storedNames.forEach(assertStoredName);
    await deleteStoredFiles(this.db, storedNames);
  }
}

/** The configured store (FILE_STORE; see src/config.ts for the default). */
export function makeDocumentStore(kind: FileStoreKind, opts: { db: Db; uploadDir: string }): DocumentStore {
  return kind === 'database' ? new DatabaseStorage(opts.db) : new FileStorage(opts.uploadDir);
}
