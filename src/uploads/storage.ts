import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const STORED_NAME = /^[a-f0-9]{32}$/;

/**
 * Files live under UPLOAD_DIR (outside public/) with random names and no extension; the original name, type and
 * SHA-256 are kept in the database. Nothing here trusts a client-supplied name.
 */
export class FileStorage {
  constructor(private readonly root: string) {}

  pathOf(storedName: string): string {
    if (!STORED_NAME.test(storedName)) throw new Error('invalid stored file name');
    return path.join(this.root, storedName.slice(0, 2), storedName);
  }

  async save(buffer: Buffer): Promise<{ storedName: string; sha256: string; sizeBytes: number }> {
    const storedName = randomBytes(16).toString('hex');
    const file = this.pathOf(storedName);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, buffer, { flag: 'wx', mode: 0o640 });
    return { storedName, sha256: createHash('sha256').update(buffer).digest('hex'), sizeBytes: buffer.length };
  }

  async remove(storedNames: string[]): Promise<void> {
    await Promise.all(storedNames.map((n) => rm(this.pathOf(n), { force: true })));
  }
}
