import { expect } from 'chai';
import { addMonths, dayjs, daysBetween, formatDate, formatDateTime, isIsoDate, isoDateOrUndefined, lastDayOfMonth, shanghaiStartOfDay, TZ } from '../../src/shared/time.js';

describe('dates from queries and forms (one check: isIsoDate)', () => {
  it('accepts real calendar dates in the platform’s years', () => {
    for (const d of ['2026-10-01', '2028-02-29', '1900-01-01', '2199-12-31']) expect(isIsoDate(d), d).to.equal(true);
  });

  it('refuses impossible dates, dates outside 1900–2199, other spellings and anything that is not one string', () => {
    const refused: unknown[] = ['9999-99-99', '2026-02-30', '0000-00-00', '0000-01-01', '9999-12-31', '1899-12-31', '2200-01-01', '2026-13-01', '2027-02-29', '20261001', '2026-1-1', ' 2026-10-01x', '２０２６-１０-０１', '', null, undefined, 20261001, ['2026-10-01'], { a: '2026-10-01' }];
    for (const d of refused) expect(isIsoDate(d), JSON.stringify(d)).to.equal(false);
  });

  it('agrees with a strict calendar parse on every month and day spelling of leap, century and ordinary years', () => {
    for (const year of ['1900', '2000', '2024', '2026', '2100', '2199']) {
      for (let m = 0; m <= 13; m++) {
        for (let d = 0; d <= 32; d++) {
          const text = `${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
          expect(isIsoDate(text), text).to.equal(dayjs(text, 'YYYY-MM-DD', true).isValid());
        }
      }
    }
  });

  it('gives a query value back only when it is a date (trimmed)', () => {
    expect(isoDateOrUndefined(' 2026-10-08 ')).to.equal('2026-10-08');
    expect(isoDateOrUndefined('9999-12-31')).to.equal(undefined);
    expect(isoDateOrUndefined(['2026-10-08', '2026-10-09'])).to.equal(undefined);
  });
});

describe('times shown on pages (Shanghai, by arithmetic)', () => {
  it('formats instants as the time-zone conversion did, across midnight, month and year ends', () => {
    const instants = ['2026-12-31T15:59:59.999Z', '2026-12-31T16:00:00.000Z', '2026-02-28T16:30:00Z', '2028-02-28T16:00:00Z', '1990-06-01T00:00:00Z', '2026-12-02T05:10:33.123Z'];
    for (const iso of instants) {
      const expected = dayjs(iso).tz(TZ).format('YYYY-MM-DD HH:mm');
      expect(formatDateTime(new Date(iso)), iso).to.equal(expected);
      expect(formatDateTime(iso), iso).to.equal(expected);
      expect(formatDate(new Date(iso)), iso).to.equal(expected.slice(0, 10));
    }
    // as PostgreSQL writes a timestamptz
    expect(formatDateTime('2026-12-02 16:05:00.5+00')).to.equal('2026-12-03 00:05');
  });

  it('shows nothing for no value or an unreadable one', () => {
    expect(formatDateTime(null)).to.equal('');
    expect(formatDateTime('not a time')).to.equal('');
    expect(formatDate(new Date(Number.NaN))).to.equal('');
  });
});

describe('Shanghai days as instants (period filters)', () => {
  it('begins a day where the time-zone database says, before and after 1992, and knows month ends', () => {
    for (const day of ['2026-12-02', '2026-01-01', '2028-02-29', '1991-07-15', '1988-12-31', '1900-01-01']) {
      expect(shanghaiStartOfDay(day).toISOString(), day).to.equal(dayjs.tz(day, TZ).toDate().toISOString());
    }
    expect(['2026-02', '2028-02', '2026-12', '2026-04'].map(lastDayOfMonth)).to.deep.equal(['2026-02-28', '2028-02-29', '2026-12-31', '2026-04-30']);
  });
});

describe('calendar arithmetic on dates (no time zone involved)', () => {
  it('adds months as the calendar library did: the day kept, or the month end when the month is shorter', () => {
    const cases: [string, number][] = [['2026-01-31', 1], ['2024-01-31', 1], ['2026-03-31', -1], ['2026-12-02', -14], ['2026-12-15', 1], ['2025-02-28', 12], ['2024-02-29', 12], ['2024-02-29', -48], ['2026-05-31', -15]];
    for (const [from, months] of cases) expect(addMonths(from, months), `${from} ${months}`).to.equal(dayjs(from).add(months, 'month').format('YYYY-MM-DD'));
    expect(addMonths('2026-01-31', 1)).to.equal('2026-02-28');
    expect(addMonths('2026-12-02', -14)).to.equal('2025-10-02');
  });

  it('counts the days between two dates, negative backwards, across month, year and leap days', () => {
    expect(daysBetween('2026-12-02', '2026-12-02')).to.equal(0);
    expect(daysBetween('2026-12-31', '2027-01-01')).to.equal(1);
    expect(daysBetween('2024-02-28', '2024-03-01')).to.equal(2);
    expect(daysBetween('2026-12-02', '2025-10-02')).to.equal(-426);
    expect(daysBetween('1991-04-13', '1991-04-15'), 'across a daylight-saving change of the old Shanghai rules').to.equal(2);
  });
});
