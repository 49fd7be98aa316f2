import { expect } from 'chai';
import { limitDigits, printedLimitValue } from '../../src/lab/limit-digits.js';
import { describeLimit, judge, judgeBounded, overallOf, parseBounded, parseMeasured, type SpecLimit } from '../../src/lab/judgement.js';

const limit = (l: Partial<SpecLimit> & Pick<SpecLimit, 'kind'>): SpecLimit => ({ minValue: null, maxValue: null, criterion: null, source: 'TEST', verified: true, ...l });

describe('judgement against specification limits', () => {
  it('max: below and equal pass, above fails', () => {
    const max = limit({ kind: 'max', maxValue: 991 });
    expect(judge(990.9, max)).to.equal('pass');
    expect(judge(991, max)).to.equal('pass');
    expect(judge(991.1, max)).to.equal('fail');
  });

  it('min: above and equal pass, below fails', () => {
    const min = limit({ kind: 'min', minValue: 60 });
    expect(judge(60, min)).to.equal('pass');
    expect(judge(59.9, min)).to.equal('fail');
  });

  it('range: both ends included', () => {
    const range = limit({ kind: 'range', minValue: 810, maxValue: 845 });
    expect(judge(810, range)).to.equal('pass');
    expect(judge(845, range)).to.equal('pass');
    expect(judge(809.9, range)).to.equal('fail');
    expect(judge(845.1, range)).to.equal('fail');
  });

  it('no limit (missing, a note or a criterion) is 无限值 for automatic judgement', () => {
    expect(judge(5, undefined)).to.equal('no_limit');
    expect(judge(5, limit({ kind: 'note', criterion: 'report' }))).to.equal('no_limit');
    expect(judge(5, limit({ kind: 'criterion', criterion: 'clear and bright' }))).to.equal('no_limit');
  });

  it('overall: any fail fails; no_limit does not', () => {
    expect(overallOf(['pass', 'no_limit', 'pass'])).to.equal('pass');
    expect(overallOf(['pass', 'fail'])).to.equal('fail');
  });

  it('describes limits for the report', () => {
    expect(describeLimit(limit({ kind: 'max', maxValue: 0.5 }), '% m/m')).to.equal('≤ 0.5 % m/m');
    expect(describeLimit(limit({ kind: 'range', minValue: 2, maxValue: 6 }), 'mm²/s')).to.equal('2 – 6 mm²/s');
    expect(describeLimit(limit({ kind: 'min', minValue: 40 }), '-')).to.equal('≥ 40');
  });

  it('reads numbers as testers type them and refuses the ambiguous', () => {
    expect(parseMeasured('0.45')).to.equal(0.45);
    expect(parseMeasured(' -6 ')).to.equal(-6);
    expect(parseMeasured('+12')).to.equal(12);
    expect(parseMeasured('1.2e3')).to.equal(1200);
    expect(parseMeasured('1,000')).to.equal(undefined);
    expect(parseMeasured('12 mg/kg')).to.equal(undefined);
    expect(parseMeasured('')).to.equal(undefined);
  });

  it('judges a result reported as a bound ("<0.60", ">480") only where the bound decides it', () => {
    expect(parseBounded('<0.60')).to.deep.equal({ relation: '<', bound: 0.6 });
    expect(parseBounded('＜ 0.002')).to.deep.equal({ relation: '<', bound: 0.002 });
    expect(parseBounded('>480')).to.deep.equal({ relation: '>', bound: 480 });
    expect(parseBounded('0.60')).to.equal(undefined);
    expect(parseBounded('<abc')).to.equal(undefined);
    const max = limit({ kind: 'max', maxValue: 2 });
    const min = limit({ kind: 'min', minValue: 60 });
    const range = limit({ kind: 'range', minValue: 2, maxValue: 6 });
    expect(judgeBounded({ relation: '<', bound: 0.6 }, max)).to.equal('pass');
    expect(judgeBounded({ relation: '<', bound: 2 }, max)).to.equal('pass');
    expect(judgeBounded({ relation: '<', bound: 3 }, max)).to.equal(undefined); // 2.5 or 1.5: undecided
    expect(judgeBounded({ relation: '>', bound: 2 }, max)).to.equal('fail');
    expect(judgeBounded({ relation: '>', bound: 1 }, max)).to.equal(undefined);
    expect(judgeBounded({ relation: '>', bound: 60 }, min)).to.equal('pass');
    expect(judgeBounded({ relation: '<', bound: 60 }, min)).to.equal('fail');
    expect(judgeBounded({ relation: '<', bound: 70 }, min)).to.equal(undefined);
    expect(judgeBounded({ relation: '<', bound: 2 }, range)).to.equal('fail');
    expect(judgeBounded({ relation: '>', bound: 6 }, range)).to.equal('fail');
    expect(judgeBounded({ relation: '<', bound: 5 }, range)).to.equal(undefined);
    expect(judgeBounded({ relation: '<', bound: 5 }, limit({ kind: 'criterion', criterion: '清澈透亮' }))).to.equal('no_limit');
  });
});

describe('p90 from a histogram (as PostgreSQL percentile_cont)', () => {
  it('interpolates between closest ranks', async () => {
    const { percentileOf } = await import('../../src/stats/stats.repo.js');
    expect(percentileOf([], 0.9)).to.equal(null);
    expect(percentileOf([{ days: 4, n: 1 }], 0.9)).to.equal(4);
    expect(percentileOf([{ days: 2, n: 1 }, { days: 6, n: 1 }], 0.9)).to.be.closeTo(5.6, 1e-9);
    // 1..10 once each: percentile_cont(0.9) = 9.1
    expect(percentileOf(Array.from({ length: 10 }, (_, i) => ({ days: i + 1, n: 1 })), 0.9)).to.be.closeTo(9.1, 1e-9);
    // 3 × 1 day and 1 × 10 days: ranks 0..3, p90 at 2.7 → between 1 and 10 → 1 + 0.7 × 9 = 7.3
    expect(percentileOf([{ days: 1, n: 3 }, { days: 10, n: 1 }], 0.9)).to.be.closeTo(7.3, 1e-9);
  });
});

describe('limits printed as their specification prints them', () => {
  it('ISO 8217 digits per characteristic, viscosity in four significant figures, MARPOL sulphur in two decimals', () => {
    const iso = (item: string, kind: 'max' | 'min' | 'range', minValue: number | null, maxValue: number | null, unit: string) =>
      describeLimit({ kind, minValue, maxValue, criterion: null, source: 'ISO 8217:2017 表 2', verified: true, digits: limitDigits(item, 'ISO 8217:2017 表 2') }, unit);
    expect(iso('OIL-DEN15', 'max', null, 991, 'kg/m³')).to.equal('≤ 991.0 kg/m³');
    expect(iso('OIL-KV50', 'max', null, 380, 'mm²/s')).to.equal('≤ 380.0 mm²/s');
    expect(iso('OIL-KV40', 'range', 2, 11, 'mm²/s')).to.equal('2.000 – 11.00 mm²/s');
    expect(iso('OIL-ASH', 'max', null, 0.1, '% m/m')).to.equal('≤ 0.100 % m/m');
    expect(iso('OIL-H2S', 'max', null, 2, 'mg/kg')).to.equal('≤ 2.00 mg/kg');
    expect(iso('OIL-CCAI', 'max', null, 870, '')).to.equal('≤ 870');
    expect(iso('OIL-POUR', 'max', null, -6, '℃')).to.equal('≤ -6 ℃');
    expect(limitDigits('OIL-S-PCT', 'MARPOL 附则Ⅵ 第 14 条')).to.deep.equal({ decimals: 2 });
    // other specifications print the stored value
    expect(limitDigits('OIL-DEN20', 'GB 17930-2016 表 1')).to.equal(undefined);
    expect(printedLimitValue(0.5, undefined)).to.equal('0.5');
  });
});
