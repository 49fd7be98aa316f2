import { expect } from 'chai';
import { asc, sql } from 'drizzle-orm';
import { boolean, date, integer, jsonb, numeric, pgTable, serial, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { insertRows } from '../../src/db/bulk-insert.js';
import type { Database } from '../../src/db/client.js';
import { createTestDatabase } from '../support/db.js';

/** A scratch table with the kinds of column the seed and the event writer send through insertRows. */
const samples = pgTable(
  'bulk_insert_samples',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull(),
    label: text('label'),
    status: text('status').notNull().default('new'),
    count: integer('count'),
    amount: numeric('amount', { precision: 8, scale: 2 }),
    day: date('day'),
    at: timestamp('at', { withTimezone: true }),
    tags: text('tags').array(),
    data: jsonb('data').$type<Record<string, unknown> | string[] | null>(),
    verified: boolean('verified').notNull().default(false),
  },
  (t) => [unique('bulk_insert_samples_code').on(t.code)],
);

describe('insertRows: many rows in one statement (src/db/bulk-insert.ts)', function () {
  this.timeout(30_000);
  let database: Database;
  before(async () => {
    database = await createTestDatabase();
    await database.db.execute(
      sql.raw(`CREATE TABLE bulk_insert_samples (id serial PRIMARY KEY, code text NOT NULL CONSTRAINT bulk_insert_samples_code UNIQUE, label text,
        status text NOT NULL DEFAULT 'new', count integer, amount numeric(8,2), day date, at timestamptz, tags text[], data jsonb, verified boolean NOT NULL DEFAULT false)`),
    );
  });
  after(() => database.close());
  beforeEach(() => database.db.execute(sql.raw('TRUNCATE bulk_insert_samples RESTART IDENTITY')));

  const all = () => database.db.select().from(samples).orderBy(asc(samples.id));

  it('writes every value as Drizzle would, gives the ids back in the order of the rows, and leaves defaults to the database', async () => {
    const at = new Date('2026-12-02T01:30:00.000Z');
    const rows = [
      { code: 'A', label: '甲 "引号" \\ 反斜杠', count: 3, amount: '12.50', day: '2026-12-02', at, tags: ['x', 'y z', '逗,号'], data: { nested: { n: 1 }, list: [1, 2] } },
      { code: 'B', status: 'done', verified: true, data: ['a', 'b'] },
      { code: 'C', label: null, data: null },
    ];
    const ids = await insertRows(database.db, samples, rows, { returning: { id: samples.id, code: samples.code } });
    const saved = await all();
    expect(ids).to.deep.equal(saved.map((s) => ({ id: s.id, code: s.code })));
    expect(saved.map((s) => s.code)).to.deep.equal(['A', 'B', 'C']);
    expect(saved[0]).to.deep.include({ label: '甲 "引号" \\ 反斜杠', status: 'new', count: 3, amount: '12.50', day: '2026-12-02', tags: ['x', 'y z', '逗,号'], verified: false });
    expect(saved[0]!.at!.toISOString()).to.equal(at.toISOString());
    expect(saved[0]!.data).to.deep.equal({ nested: { n: 1 }, list: [1, 2] });
    // left out: the column's default where it has one, null where it has none (as Drizzle's DEFAULT)
    expect(saved[1]).to.deep.include({ status: 'done', verified: true, label: null, count: null, day: null, at: null, tags: null });
    expect(saved[1]!.data).to.deep.equal(['a', 'b']);
    expect(saved[2]).to.deep.include({ label: null, data: null, status: 'new' });
  });

  it('keeps the order of the rows across statements (rows setting different columns, and more rows than one statement takes)', async () => {
    const rows = Array.from({ length: 25 }, (_, i) => (i % 4 === 0 ? { code: `R${i}`, status: 'odd' } : { code: `R${i}`, count: i }));
    const ids = await insertRows(database.db, samples, rows, { chunk: 7, returning: { id: samples.id } });
    const saved = await all();
    expect(saved.map((s) => s.code)).to.deep.equal(rows.map((r) => r.code));
    expect(ids.map((r) => r.id)).to.deep.equal(saved.map((s) => s.id));
    expect(saved.filter((s) => s.status === 'odd').map((s) => s.code)).to.deep.equal(['R0', 'R4', 'R8', 'R12', 'R16', 'R20', 'R24']);
  });

  it('on conflict: updates the columns asked (all but the key and those kept), or skips and returns only the rows written', async () => {
    await insertRows(database.db, samples, [
      { code: 'A', label: 'old', count: 1, verified: true },
      { code: 'B', label: 'old', count: 1 },
    ]);
    await insertRows(
      database.db,
      samples,
      [
        { code: 'A', label: 'new', count: 2, verified: false },
        { code: 'C', label: 'new', count: 3, verified: false },
      ],
      { onConflict: { target: [samples.code], update: 'all', keep: [samples.verified] } },
    );
    expect((await all()).map((s) => [s.code, s.label, s.count, s.verified])).to.deep.equal([
      ['A', 'new', 2, true],
      ['B', 'old', 1, false],
      ['C', 'new', 3, false],
    ]);
    const made = await insertRows(database.db, samples, [{ code: 'B', label: 'again' }, { code: 'D' }], { onConflict: { doNothing: true }, returning: { code: samples.code } });
    expect(made).to.deep.equal([{ code: 'D' }]);
    expect((await all()).find((s) => s.code === 'B')!.label).to.equal('old');
  });

  it('writes nothing when a row is refused (one statement: no half of the rows saved)', async () => {
    let refused: unknown;
    await insertRows(database.db, samples, [{ code: 'X' }, { code: 'X' }]).catch((err: unknown) => (refused = err));
    expect(refused).to.be.instanceOf(Error);
    expect(await all()).to.deep.equal([]);
  });
});
