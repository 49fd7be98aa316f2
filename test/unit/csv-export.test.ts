import { expect } from 'chai';
import { toCsv } from '../../src/stats/export.js';

describe('CSV exports', () => {
  it('neutralise text a spreadsheet would run as a formula, after leading spaces and in full-width signs too', () => {
    const table = { key: 't', title: 't', columns: [{ key: 'name', label: '名称' }, { key: 'n', label: '数量', format: 'int' as const }], rows: ['=1+1', ' =HYPERLINK("x")', '＝1+1', '＋1', '@SUM(A1)', '\t=1', '舟山海星', '—'].map((name, i) => ({ name, n: i - 1 })) };
    const lines = toCsv(table).toString('utf8').replace(/^\uFEFF/, '').trim().split('\r\n').slice(1);
    expect(lines).to.deep.equal([`'=1+1,-1`, `"' =HYPERLINK(""x"")",0`, `'＝1+1,1`, `'＋1,2`, `'@SUM(A1),3`, `'\t=1,4`, '舟山海星,5', '—,6']);
  });
});
