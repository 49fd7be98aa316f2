import { expect } from 'chai';
import { addWorkingDays, dayInfo, isWorkingDay, workingDaysBetween } from '../../src/calendar/workdays.js';

describe('working days (chinese-days + closures)', () => {
  it('knows the 2026 National Day holiday and the make-up Saturday (调休)', () => {
    expect(isWorkingDay('2026-10-01')).to.equal(false);
    expect(isWorkingDay('2026-10-07')).to.equal(false);
    expect(isWorkingDay('2026-10-08')).to.equal(true);
    expect(isWorkingDay('2026-10-10')).to.equal(true); // Saturday, make-up workday
    expect(isWorkingDay('2026-10-11')).to.equal(false); // Sunday
  });

  it('counts turnaround in working days across the holiday', () => {
    // accepted Wed 09-30; 5 working days: 10-08, 10-09, 10-10 (Sat, make-up), 10-12, 10-13
    expect(addWorkingDays('2026-09-30', 5)).to.equal('2026-10-13');
    expect(addWorkingDays('2026-09-30', 1)).to.equal('2026-10-08');
    expect(workingDaysBetween('2026-09-30', '2026-10-13')).to.equal(5);
  });

  it('skips node closures (typhoon days) as non-working', () => {
    const closed = new Set(['2026-10-08', '2026-10-09']);
    expect(isWorkingDay('2026-10-08', closed)).to.equal(false);
    expect(addWorkingDays('2026-09-30', 1, closed)).to.equal('2026-10-10');
  });

  it('falls back to statutory holidays for a year without a published arrangement, marked as estimated', () => {
    const newYear = dayInfo('2027-01-01');
    expect(newYear).to.deep.equal({ date: '2027-01-01', working: false, estimated: true });
    expect(dayInfo('2027-02-05').working).to.equal(false); // 除夕 (Spring Festival eve, lunar 12-30)
    expect(dayInfo('2027-02-08').working).to.equal(false); // 正月初三
    expect(dayInfo('2027-02-09').working).to.equal(true);
    expect(dayInfo('2027-04-05').working).to.equal(false); // 清明 (solar term)
    expect(dayInfo('2027-10-04').working).to.equal(true); // only Oct 1–3 are statutory
    expect(dayInfo('2026-10-04').estimated).to.equal(false);
  });
});
