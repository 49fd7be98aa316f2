import { expect } from 'chai';
import { reminderMessage } from '../../src/ledger/reminders.js';
import { addMonthsInclusive, compulsoryUsesOf, maxUseLimit, nextDueOf, serialKey, thresholdOf } from '../../src/ledger/rules.js';
import { normaliseDate } from '../../src/ledger/workbook.js';

describe('ledger rules', () => {
  it('a period ends the day before the same day of the month (month ends kept)', () => {
    expect(addMonthsInclusive('2026-03-15', 12)).to.equal('2027-03-14');
    expect(addMonthsInclusive('2026-04-10', 6)).to.equal('2026-10-09');
    expect(addMonthsInclusive('2026-08-31', 6)).to.equal('2027-02-27'); // no 31 February: the end of the month, minus one
    expect(addMonthsInclusive('2021-05-20', 72)).to.equal('2027-05-19');
    expect(addMonthsInclusive('2026-01-01', 1)).to.equal('2026-01-31');
  });

  it('takes the due date from the certificate, else from the last date and the period or use limit', () => {
    expect(nextDueOf({ regime: 'periodic', periodMonths: 12, lastCalibrationDate: '2026-01-10', nextDueDate: '2026-12-01' })).to.deep.equal({ nextDueDate: '2026-12-01', dueSource: 'manual' });
    expect(nextDueOf({ regime: 'periodic', periodMonths: 12, lastCalibrationDate: '2026-01-10', nextDueDate: null })).to.deep.equal({ nextDueDate: '2027-01-09', dueSource: 'period' });
    expect(nextDueOf({ regime: 'limited_life', periodMonths: 120, lastCalibrationDate: '2019-06-01', nextDueDate: null })).to.deep.equal({ nextDueDate: '2029-05-31', dueSource: 'use_limit' });
    expect(nextDueOf({ regime: 'periodic', periodMonths: null, lastCalibrationDate: '2026-01-10', nextDueDate: null })).to.deep.equal({ nextDueDate: null, dueSource: null });
  });

  it('reminder thresholds: 30, 7, 0 days before, then overdue', () => {
    expect([31, 30, 8, 7, 1, 0, -1].map(thresholdOf)).to.deep.equal([undefined, '30', '30', '7', '7', '0', 'overdue']);
  });

  it('compares serial numbers without case, full-width characters or spaces', () => {
    expect(serialKey('ｐｇ－２０２４ 001')).to.equal('PG-2024001');
    expect(serialKey(' pg-2024-001 ')).to.equal(serialKey('PG-2024-001'));
  });

  it('knows which uses put a category under 强检, and the use limits of water and gas meters', () => {
    expect(compulsoryUsesOf({ code: 'CAL-PG', compulsory: 'conditional' })).to.deep.equal(['safety']);
    expect(compulsoryUsesOf({ code: 'CAL-PPG', compulsory: 'no' })).to.deep.equal([]);
    expect(compulsoryUsesOf({ code: 'CAL-NEW', compulsory: 'yes' })).to.have.length(4);
    expect(maxUseLimit('CAL-WM')).to.equal(72);
    expect(maxUseLimit('CAL-GM')).to.equal(120);
    expect(maxUseLimit('CAL-PG')).to.equal(undefined);
  });

  it('reads dates the way people type them in Excel', () => {
    expect(['2025/3/1', '2025.03.01', '2025年3月1日', '20250301', '2025-3-1'].map(normaliseDate)).to.deep.equal(Array(5).fill('2025-03-01'));
    expect(normaliseDate('明年')).to.equal('明年');
  });

  it('one message per company: counts by threshold, most urgent listed first, long lists cut', () => {
    const rows: Parameters<typeof reminderMessage>[0] = Array.from({ length: 20 }, (_, i) => ({ instrument_id: i, enterprise_id: 1, due_date: '2026-10-20', threshold: '30' as const, name: `表${i}`, serial_no: `S${i}` }));
    rows.push({ instrument_id: 99, enterprise_id: 1, due_date: '2026-09-20', threshold: 'overdue', name: '氧气表', serial_no: 'OX' });
    rows.push({ instrument_id: 98, enterprise_id: 1, due_date: '2026-09-28', threshold: '0', name: '水表', serial_no: 'WM', regime: 'limited_life' });
    const m = reminderMessage(rows, '2026-09-28');
    expect(m.title).to.equal('计量器具到期提醒：1 台已超期，1 台今天到期，20 台 30 天内到期');
    expect(m.body.split('\n').slice(0, 2)).to.deep.equal(['氧气表（出厂编号 OX）2026-09-20 到期，已超期 8 天', '水表（出厂编号 WM）2026-09-28 使用期限届满（须到期轮换），就是今天']);
    expect(m.body).to.contain('……等共 22 台。');
  });
});
