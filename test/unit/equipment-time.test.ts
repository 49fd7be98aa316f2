import { expect } from 'chai';
import { instantOf, shanghaiTime } from '../../src/shared/time.js';
import { freeIntervals, nextFreeSlots } from '../../src/equipment/availability.js';
import { amountFor, billedMinutes, formatYuan, userCategoryOf } from '../../src/equipment/domain.js';
import { earliestStart } from '../../src/equipment/time-rules.js';

describe('shared equipment: time and money', () => {
  it('converts Shanghai wall-clock times by the fixed +08:00 offset (no daylight saving)', () => {
    expect(instantOf('2026-07-01', '09:30').toISOString()).to.equal('2026-07-01T01:30:00.000Z');
    expect(instantOf('2026-01-01', '09:30').toISOString()).to.equal('2026-01-01T01:30:00.000Z');
    expect(shanghaiTime(new Date('2026-03-29T01:00:00Z'))).to.equal('09:00');
  });

  it('rounds the earliest start up to the half-hour grid after the notice', () => {
    expect(earliestStart(new Date('2026-09-28T09:10:00+08:00'), 24).toISOString()).to.equal(new Date('2026-09-29T09:30:00+08:00').toISOString());
    expect(earliestStart(new Date('2026-09-28T09:00:00+08:00'), 0).toISOString()).to.equal(new Date('2026-09-28T09:00:00+08:00').toISOString());
  });

  it('finds the gaps of a day at least half an hour long', () => {
    const busy = [{ start: 540, end: 600 }, { start: 615, end: 700 }, { start: 900, end: 1100 }];
    expect(freeIntervals(510, 1020, busy)).to.deep.equal([{ start: 510, end: 540 }, { start: 700, end: 900 }]);
    expect(freeIntervals(510, 1020, [])).to.deep.equal([{ start: 510, end: 1020 }]);
  });

  it('offers the first slot of the same length on each following working day', () => {
    const rules = { openFrom: '08:30', openUntil: '17:00', minNoticeHours: 24, maxHours: 4, horizonDays: 30 };
    const working = (d: string) => (d === '2026-10-01' ? { working: false as const, reason: '是法定节假日' } : { working: true as const });
    const held = (from: string, to: string) => ({ id: 1, kind: 'booking', status: 'approved' as const, enterpriseId: 1, startsAt: new Date(from), endsAt: new Date(to) });
    const rows = [held('2026-09-30T08:30:00+08:00', '2026-09-30T16:00:00+08:00'), held('2026-10-02T08:30:00+08:00', '2026-10-02T10:00:00+08:00')];
    const slots = nextFreeSlots(rules, working, rows, new Date('2026-09-28T09:00:00+08:00'), new Date('2026-09-30T10:00:00+08:00'), 120, 3);
    expect(slots).to.deep.equal([
      { date: '2026-10-02', startTime: '10:00', endTime: '12:00' },
      { date: '2026-10-03', startTime: '08:30', endTime: '10:30' },
      { date: '2026-10-04', startTime: '08:30', endTime: '10:30' },
    ]);
  });

  it('bills actual use rounded up to the half hour (at least half an hour), or the booked time', () => {
    expect(billedMinutes('actual', 120, 95)).to.equal(120);
    expect(billedMinutes('actual', 120, 61)).to.equal(90);
    expect(billedMinutes('actual', 120, 5)).to.equal(30);
    expect(billedMinutes('actual', 60, 150)).to.equal(150);
    expect(billedMinutes('booked', 120, 20)).to.equal(120);
    expect(amountFor(12_050, 90)).to.equal(18_075);
    expect(formatYuan(1_234_567)).to.equal('¥12,345.67');
  });

  it('rates a research institute as research, a company by whether it sits in a park', () => {
    expect(userCategoryOf({ orgType: 'institute', parkId: 3 })).to.equal('research');
    expect(userCategoryOf({ orgType: 'company', parkId: 3 })).to.equal('park');
    expect(userCategoryOf({ orgType: 'company', parkId: null })).to.equal('other');
  });
});
