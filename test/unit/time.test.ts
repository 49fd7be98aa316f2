import { expect } from 'chai';
import { isIsoDate, isoDateOrUndefined } from '../../src/shared/time.js';

describe('dates from queries and forms (one check: isIsoDate)', () => {
  it('accepts real calendar dates in the platform’s years', () => {
    for (const d of ['2026-10-01', '2028-02-29', '1900-01-01', '2199-12-31']) expect(isIsoDate(d), d).to.equal(true);
  });

  it('refuses impossible dates, dates outside 1900–2199, other spellings and anything that is not one string', () => {
    const refused: unknown[] = ['9999-99-99', '2026-02-30', '0000-00-00', '0000-01-01', '9999-12-31', '1899-12-31', '2200-01-01', '2026-13-01', '2027-02-29', '20261001', '2026-1-1', ' 2026-10-01x', '２０２６-１０-０１', '', null, undefined, 20261001, ['2026-10-01'], { a: '2026-10-01' }];
    for (const d of refused) expect(isIsoDate(d), JSON.stringify(d)).to.equal(false);
  });

  it('gives a query value back only when it is a date (trimmed)', () => {
    expect(isoDateOrUndefined(' 2026-10-08 ')).to.equal('2026-10-08');
    expect(isoDateOrUndefined('9999-12-31')).to.equal(undefined);
    expect(isoDateOrUndefined(['2026-10-08', '2026-10-09'])).to.equal(undefined);
  });
});
