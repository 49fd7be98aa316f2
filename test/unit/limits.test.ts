import { expect } from 'chai';
import { judge } from '../../src/lab/judgement.js';
import { limitFor, type LimitRow } from '../../src/lab/limits.js';

/** The judging limit of a sample, with the expected values written from ISO 8217:2017 table 1 and MARPOL Annex VI. */
describe('which limit judges a sample', () => {
  const row = (over: Partial<LimitRow>): LimitRow => ({ itemCode: 'OIL-POUR', gradeCode: 'ISO8217-DMA', edition: 'ISO 8217:2017', variant: '', kind: 'max', minValue: null, maxValue: null, criterion: null, source: 'ISO 8217:2017 表 1', verified: true, condition: null, ...over });
  const rows: LimitRow[] = [
    row({ variant: 'winter', maxValue: -6 }),
    row({ variant: 'summer', maxValue: 0 }),
    row({ itemCode: 'OIL-S-PCT', maxValue: 1.0 }),
    row({ itemCode: 'OIL-S-PCT', gradeCode: 'ISO8217-RMG380', kind: 'criterion', criterion: '按法定要求判定', source: 'ISO 8217:2017 表 2' }),
    row({ itemCode: 'OIL-DEN15', gradeCode: 'ISO8217-RMG380', maxValue: 991, source: 'ISO 8217:2017 表 2' }),
    row({ itemCode: 'OIL-DEN15', gradeCode: 'ISO8217-RMG380', edition: 'ISO 8217:2024', maxValue: 999 }),
  ];
  const dma = (variant: string | null, sulphur: string | null = null) => ({ gradeCode: 'ISO8217-DMA', edition: 'ISO 8217:2017', variant, sulphurRequirement: sulphur });

  it('a winter DMA at −3 ℃ pour point fails (≤ −6); the same value passes as summer quality (≤ 0)', () => {
    expect(judge(-3, limitFor(rows, 'OIL-POUR', dma('winter')))).to.equal('fail');
    expect(judge(-3, limitFor(rows, 'OIL-POUR', dma('summer')))).to.equal('pass');
    // no quality chosen: no seasonal limit applies (the booking form requires the choice)
    expect(limitFor(rows, 'OIL-POUR', dma(null))).to.equal(undefined);
  });

  it('uses the booked edition only', () => {
    const rmg = { gradeCode: 'ISO8217-RMG380', edition: 'ISO 8217:2017', variant: null, sulphurRequirement: null };
    expect(limitFor(rows, 'OIL-DEN15', rmg)?.maxValue).to.equal(991);
    expect(limitFor(rows, 'OIL-DEN15', { ...rmg, edition: 'ISO 8217:2012' })).to.equal(undefined);
  });

  it('sulphur: the stricter of the specification and the statutory limit the customer named', () => {
    // DMA: ISO max 1.00 %; used outside an ECA the fuel must meet 0.50 %, inside 0.10 %
    expect(limitFor(rows, 'OIL-S-PCT', dma(null, 'global'))).to.include({ kind: 'max', maxValue: 0.5, verified: true });
    expect(limitFor(rows, 'OIL-S-PCT', dma(null, 'eca'))).to.include({ maxValue: 0.1 });
    expect(limitFor(rows, 'OIL-S-PCT', dma(null, 'none'))).to.include({ maxValue: 1.0 });
    // RMG 380: ISO says "statutory requirements"; with a scrubber nothing judges it, otherwise the statutory limit does
    const rmg = (s: string) => ({ gradeCode: 'ISO8217-RMG380', edition: 'ISO 8217:2017', variant: null, sulphurRequirement: s });
    expect(limitFor(rows, 'OIL-S-PCT', rmg('global'))).to.include({ kind: 'max', maxValue: 0.5 });
    expect(judge(0.52, limitFor(rows, 'OIL-S-PCT', rmg('global')))).to.equal('fail');
    expect(limitFor(rows, 'OIL-S-PCT', rmg('none'))).to.equal(undefined);
  });
});
