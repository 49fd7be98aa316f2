import { expect } from 'chai';
import { missingHolidays, parseNotice } from '../../src/calendar/notice.js';
import { addWorkingDays, dateIsEstimated, dayInfo, installCalendarOverrides, isWorkingDay, workingDaysBetween, yearIsEstimated, yearSource } from '../../src/calendar/workdays.js';

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

  it('falls back to statutory holidays for a year without a published arrangement, with in-lieu days, marked as estimated', () => {
    const newYear = dayInfo('2027-01-01');
    expect(newYear).to.deep.equal({ date: '2027-01-01', working: false, holiday: true, name: '元旦', estimated: true });
    expect(dayInfo('2027-02-05').working).to.equal(false); // 除夕 (Spring Festival eve, lunar 12-30)
    expect(dayInfo('2027-02-08').working).to.equal(false); // 正月初三
    // 春节 2027: 初一 and 初二 fall on Saturday and Sunday, so Tuesday 02-09 and Wednesday 02-10 are off in lieu (补休)
    expect(dayInfo('2027-02-09')).to.include({ working: false, name: '春节（补休）' });
    expect(dayInfo('2027-02-10').working).to.equal(false);
    expect(dayInfo('2027-02-11').working).to.equal(true);
    expect(dayInfo('2027-04-05').working).to.equal(false); // 清明 (solar term)
    // 劳动节 05-01/02 are a Saturday and a Sunday: Monday 05-03 and Tuesday 05-04 off
    expect([dayInfo('2027-05-03').working, dayInfo('2027-05-04').working, dayInfo('2027-05-05').working]).to.deep.equal([false, false, true]);
    // 国庆节 10-01 is a Friday, 10-02/03 the weekend: 10-04 and 10-05 off; 10-06 a working day until the notice says otherwise
    expect([dayInfo('2027-10-04').working, dayInfo('2027-10-05').working, dayInfo('2027-10-06').working]).to.deep.equal([false, false, true]);
    expect(dayInfo('2026-10-04').estimated).to.equal(false);
  });

  describe('an arrangement entered by the platform admin', () => {
    afterEach(() => installCalendarOverrides({ days: new Map(), years: new Set() }));

    it('overrides the estimate for its year: its holidays and make-up days, nothing estimated', () => {
      expect(yearIsEstimated(2027)).to.equal(true);
      installCalendarOverrides({
        days: new Map([
          ['2027-10-06', { kind: 'holiday', name: '国庆节' }],
          ['2027-10-07', { kind: 'holiday', name: '国庆节' }],
          ['2027-09-26', { kind: 'workday', name: '国庆节' }],
        ]),
        years: new Set([2027]),
      });
      expect(yearSource(2027)).to.equal('entered');
      expect(dayInfo('2027-10-06')).to.deep.equal({ date: '2027-10-06', working: false, holiday: true, name: '国庆节', estimated: false });
      expect(dayInfo('2027-09-26').working).to.equal(true); // a Sunday, make-up workday
      // days the entry does not name are plain weekdays and weekends: the estimate's in-lieu days are gone
      expect(dayInfo('2027-05-03')).to.include({ working: true, estimated: false });
      expect(dateIsEstimated('2027-10-08')).to.equal(false);
      expect(dateIsEstimated('2028-01-04')).to.equal(true);
    });

    it('also overrides a year the package covers', () => {
      installCalendarOverrides({ days: new Map([['2026-10-08', { kind: 'holiday', name: '国庆节' }]]), years: new Set([2026]) });
      expect(isWorkingDay('2026-10-08')).to.equal(false);
      expect(isWorkingDay('2026-10-05')).to.equal(true); // no longer the package's holiday
      expect(isWorkingDay('2026-10-10')).to.equal(false); // nor its make-up Saturday
    });
  });
});

describe('reading a holiday notice', () => {
  const notice2027 = [
    '国务院办公厅关于2027年部分节假日安排的通知',
    '一、元旦：1月1日（周五）至3日（周日）放假，共3天。',
    '二、春节：2月5日（农历除夕、周五）至11日（农历正月初六、周四）放假调休，共7天。1月31日（周日）、2月20日（周六）上班。',
    '七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。',
  ].join('\n');

  it('reads the notice lines: holidays as ranges, make-up workdays, the preamble skipped', () => {
    const parsed = parseNotice(notice2027, 2027);
    expect(parsed.errors).to.deep.equal([]);
    expect(parsed.ignored).to.equal(1);
    expect(parsed.entries.filter((e) => e.kind === 'holiday')).to.have.length(17);
    expect(parsed.entries.filter((e) => e.kind === 'workday').map((e) => e.date)).to.deep.equal(['2027-01-31', '2027-02-20', '2027-09-26', '2027-10-09']);
    expect(parsed.entries.find((e) => e.date === '2027-02-05')).to.deep.include({ kind: 'holiday', name: '春节', line: 3 });
    expect(missingHolidays(parsed.entries)).to.deep.equal(['清明节', '劳动节', '端午节', '中秋节']);
  });

  it('reads plain and CSV lines, and a 元旦 block starting in December of the year before', () => {
    const parsed = parseNotice('2027-05-01 至 2027-05-05 放假 劳动节\n2027-04-25,上班,劳动节\n元旦：12月31日至1月2日放假，共3天。', 2027);
    expect(parsed.errors).to.deep.equal([]);
    expect(parsed.entries.map((e) => `${e.date} ${e.kind}`)).to.include.members(['2027-05-03 holiday', '2027-04-25 workday', '2026-12-31 holiday', '2027-01-02 holiday']);
  });

  it('names every line it cannot read, in Chinese, and keeps reading the rest', () => {
    const parsed = parseNotice(
      ['清明节：4月5日（周一）放假，共1天。', '劳动节：5月1日至5日放假，共4天。', '端午节：2月30日放假', '2027-06-09 休假 端午节', '中秋节：9月15日放假。9月14日上班。', '国庆节：10月1日至3日放假。10月1日上班。'].join('\n'),
      2027,
    );
    expect(parsed.errors).to.deep.equal([
      '第 2 行：写明“共4天”，但 5月1日 至 5月5日 是 5 天，请核对',
      '第 3 行：日期“2月30日”不存在',
      '第 4 行：“休假”应为“放假”或“上班”',
      '第 5 行：9月14日是周二，调休上班日应是周六或周日',
      '第 6 行：10月1日既列为放假又列为上班',
    ]);
    expect(parsed.entries.map((e) => e.date)).to.deep.equal(['2027-04-05']);
  });
});
