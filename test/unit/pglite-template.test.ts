import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import { openDatabase, rowsOf } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { ensurePgliteTemplate, pgliteTemplateFile } from '../../src/db/pglite-template.js';
import { nodes } from '../../src/db/schema.js';
import { fromRoot } from '../../src/shared/paths.js';

/** A new embedded data folder starts from a migrated cluster made once per set of migrations (src/db/pglite-template.ts). */
describe('new embedded data folders from the template', function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  const newDir = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nqi-template-'));
    dirs.push(dir);
    return dir;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  const systemIdOf = async (dataDir: string, inWorker: boolean) => {
    const database = await openDatabase({ kind: 'pglite-dir', dataDir, inWorker });
    try {
      await runMigrations(database);
      const [row] = rowsOf<{ id: string }>(await database.db.execute(sql`SELECT system_identifier::text AS id FROM pg_control_system()`));
      const [applied] = rowsOf<{ n: number }>(await database.db.execute(sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`));
      await database.db.insert(nodes).values({ code: 'T1', name: '模板测试站', shortName: '模板', kind: 'station', district: '定海区', address: '定海区', hours: '工作日', phone: '0580-1234567' });
      return { id: row!.id, applied: applied!.n };
    } finally {
      await database.close();
    }
  };

  it('is named after the migrations and made once', async () => {
    const file = await ensurePgliteTemplate();
    expect(file).to.equal(pgliteTemplateFile());
    expect(path.basename(file)).to.match(/^[0-9a-f]{16}$/);
    expect(existsSync(path.join(file, 'PG_VERSION')), 'a PostgreSQL cluster folder').to.equal(true);
    const made = statSync(file).mtimeMs;
    await ensurePgliteTemplate();
    expect(statSync(file).mtimeMs, 'not made again').to.equal(made);
  });

  it('removes the templates of earlier migration sets when it makes a new one', async () => {
    const file = await ensurePgliteTemplate();
    const stale = path.join(path.dirname(file), '0000000000000000');
    const staleTarball = path.join(path.dirname(file), '0000000000000000.tar.gz');
    mkdirSync(stale, { recursive: true });
    writeFileSync(path.join(stale, 'PG_VERSION'), 'an older migration set');
    writeFileSync(staleTarball, 'an earlier build\'s template');
    rmSync(file, { recursive: true });
    await ensurePgliteTemplate();
    expect(existsSync(file)).to.equal(true);
    expect(existsSync(stale)).to.equal(false);
    expect(existsSync(staleTarball)).to.equal(false);
    expect(readdirSync(path.dirname(file)), 'no partial template left').to.deep.equal([path.basename(file)]);
  });

  it('is made once when two first starts make it at the same time', async () => {
    const file = await ensurePgliteTemplate();
    rmSync(file, { recursive: true });
    const [a, b] = await Promise.all([ensurePgliteTemplate(), ensurePgliteTemplate()]);
    expect([a, b]).to.deep.equal([file, file]);
    expect(existsSync(path.join(file, 'PG_VERSION'))).to.equal(true);
    expect(readdirSync(path.dirname(file)), 'neither staging folder left').to.deep.equal([path.basename(file)]);
  });

  it('gives new folders the migrated cluster (same cluster identity, every migration applied), in the worker too', async () => {
    await ensurePgliteTemplate();
    const journal = (await import(fromRoot('drizzle', 'meta', '_journal.json'), { with: { type: 'json' } })) as { default: { entries: unknown[] } };
    const a = newDir();
    const b = newDir();
    const first = await systemIdOf(a, false);
    const second = await systemIdOf(b, true);
    expect(first.id, 'both copied from one template, not made by initdb').to.equal(second.id);
    expect(first.applied).to.equal(journal.default.entries.length);
    expect(readdirSync(a), 'no staging folder left').to.deep.equal(['pgdata']);
    // opened again, the folder is resumed (not replaced): the row written before is there
    const again = await openDatabase({ kind: 'pglite-dir', dataDir: a });
    try {
      expect((await again.db.select().from(nodes)).map((n) => n.code)).to.deep.equal(['T1']);
    } finally {
      await again.close();
    }
  });
});
