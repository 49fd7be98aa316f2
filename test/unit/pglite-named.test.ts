import { PGlite } from '@electric-sql/pglite';
import { expect } from 'chai';
import { PgliteNamedStatements } from '../../src/db/pglite-named.js';

describe('named prepared statements on the embedded database', () => {
  let client: PGlite;
  before(async () => {
    client = new PGlite();
    await client.exec(`CREATE TABLE t (id int primary key, number text); INSERT INTO t VALUES (1, 'JL-20261202-0001');`);
  });
  after(() => client.close());

  it('answers the same statement again after one call was refused (a NUL byte in a parameter)', async () => {
    const named = new PgliteNamedStatements(client);
    const lookup = (n: string) => named.query('by_number', 'SELECT id FROM t WHERE number = $1', [n]);
    expect((await lookup('JL-20261202-0001')).rows).to.deep.equal([{ id: 1 }]);
    let refused: unknown;
    await lookup('\u0000').catch((err: unknown) => (refused = err));
    expect(refused, 'the NUL byte is refused by the database').to.be.instanceOf(Error);
    // the statement stays usable: before the fix every later call failed with "prepared statement already exists"
    expect((await lookup('JL-20261202-0001')).rows).to.deep.equal([{ id: 1 }]);
    expect((await lookup('JL-20261202-0002')).rows).to.deep.equal([]);
  });

  it('refused on its first call, the statement still works on the next', async () => {
    const named = new PgliteNamedStatements(client);
    const lookup = (n: string) => named.query('first_refused', 'SELECT id FROM t WHERE number = $1', [n]);
    await lookup('\u0000').catch(() => undefined);
    expect((await lookup('JL-20261202-0001')).rows).to.deep.equal([{ id: 1 }]);
  });
});
