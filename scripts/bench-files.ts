/*
 * Document store throughput (npm run bench:files): save and read N documents through each store of
 * src/uploads/storage.ts, the interface every upload and download goes through: disk (UPLOAD_DIR, a temp folder)
 * and database (stored_files on the PostgreSQL server of DATABASE_URL, a fresh database dropped afterwards).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:files -- [--small 200] [--large 20] [--c 4]
 *
 * Sets: --small documents of 2 MB and --large documents of 20 MB (the upload limit is 10 MB per file: the 20 MB set
 * measures headroom). --c requests at a time, as concurrent uploads would. Prints MB/s and per-document p50/p99.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runMigrations } from '../src/db/migrate.js';
import { DatabaseStorage, FileStorage, type DocumentStore } from '../src/uploads/storage.js';
import { arg, freshDatabase, percentile } from './bench-support.js';

const MB = 1024 * 1024;

async function pool<T>(items: T[], c: number, work: (item: T) => Promise<void>): Promise<number[]> {
  const times: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        const t0 = performance.now();
        await work(item);
        times.push(performance.now() - t0);
      }
    }),
  );
  return times.sort((a, b) => a - b);
}

async function measure(store: DocumentStore, n: number, sizeMb: number, c: number) {
  // distinct content per document (a shared prefix would let nothing be deduplicated anyway: bytea is not deduplicated)
  const base = randomBytes(sizeMb * MB);
  const docs = Array.from({ length: n }, (_, i) => {
    const b = Buffer.from(base);
    b.writeUInt32BE(i, 0);
    return b;
  });
  const names: string[] = [];
  let t0 = performance.now();
  const up = await pool(docs, c, async (d) => {
    names.push((await store.save(d)).storedName);
  });
  const upMs = performance.now() - t0;
  t0 = performance.now();
  const down = await pool(names, c, async (name) => {
    const content = await store.read(name);
    if (content?.length !== sizeMb * MB) throw new Error(`read ${name}: ${content?.length} bytes`);
  });
  const downMs = performance.now() - t0;
  await store.remove(names);
  const total = (n * sizeMb) / (1 /* MB */);
  const row = (label: string, ms: number, times: number[]) =>
    `${store.kind.padEnd(8)} ${`${n} × ${sizeMb} MB`.padEnd(12)} ${label.padEnd(8)} ${(total / (ms / 1000)).toFixed(0).padStart(6)} MB/s   p50 ${percentile(times, 50).toFixed(0).padStart(5)} ms   p99 ${percentile(times, 99).toFixed(0).padStart(5)} ms`;
  console.log(row('upload', upMs, up));
  console.log(row('download', downMs, down));
}

async function main() {
  const small = arg('small', 200);
  const large = arg('large', 20);
  const c = arg('c', 4);
  const serverUrl = process.env.DATABASE_URL;
  const scratch = mkdtempSync(path.join(tmpdir(), 'nqi-bench-files-'));
  const fresh = serverUrl ? await freshDatabase(serverUrl) : undefined;
  try {
    const stores: DocumentStore[] = [new FileStorage(scratch)];
    if (fresh) {
      await runMigrations(fresh.database);
      stores.push(new DatabaseStorage(fresh.database.db));
    } else console.log('DATABASE_URL not set: the database store is measured only on PostgreSQL');
    console.log(`document stores, ${c} at a time${fresh ? `; database: ${fresh.label}` : ''}`);
    for (const store of stores) {
      await measure(store, small, 2, c);
      await measure(store, large, 20, c);
    }
    console.log(`RSS ${(process.memoryUsage().rss / MB).toFixed(0)} MB`);
  } finally {
    await fresh?.database.close();
    await fresh?.drop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
