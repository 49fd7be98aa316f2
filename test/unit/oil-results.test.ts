import { expect } from 'chai';
import { parseCorrosionClass } from '../../src/lab/judgement.js';
import { parseOilResults, type OilSampleForResults } from '../../src/lab/results.js';
import { fieldErrorsOf as refusal } from '../support/refusal.js';

/** A gasoline sample with a density limit still 待核实 (judged by the tester) and copper strip corrosion (≤ 1 级). */
const SAMPLE: OilSampleForResults = {
  id: 3,
  sampleName: '92# 车用汽油',
  gradeCode: 'GB17930-VIB-92#',
  items: [
    { code: 'OIL-DEN20', name: '密度（20 ℃）', unit: 'kg/m³', plausibleMin: 600, plausibleMax: 1100, limit: { kind: 'range', minValue: 720, maxValue: 775, criterion: null, verified: false, source: 'GB 17930-2016 表 1' } },
    { code: 'OIL-CU', name: '铜片腐蚀（50 ℃，3 h）', unit: '级', plausibleMin: 1, plausibleMax: 4, limit: { kind: 'max', minValue: null, maxValue: 1, criterion: null, verified: true, source: 'GB 17930-2016 表 1' } },
  ],
};

const form = (density: string, manual: string, copper: string) => ({ results: { i3: { 'OIL-DEN20': density, 'OIL-CU': copper } }, manual: { i3: { 'OIL-DEN20': manual } } });

describe('oil results: what the report prints must agree', () => {
  it('reads copper strip corrosion ratings as GB/T 5096 writes them', () => {
    expect(parseCorrosionClass('1a')).to.deep.equal({ value: 1, text: '1a' });
    expect(parseCorrosionClass(' 1 B 级')).to.deep.equal({ value: 1, text: '1b' });
    expect(parseCorrosionClass('3')).to.deep.equal({ value: 3, text: '3' });
    // only the shades the colour plate has: 1a–1b, 2a–2e, 3a–3b, 4a–4c
    expect(parseCorrosionClass('2e')).to.deep.equal({ value: 2, text: '2e' });
    for (const bad of ['5a', '1f', '1c', '3c', '4d', 'a', '1.5', '']) expect(parseCorrosionClass(bad), bad).to.equal(undefined);
  });

  it('judges a rating by its class and prints it as rated: 1b meets ≤ 1 级, 2a does not', () => {
    const ok = parseOilResults(form('741.2', 'pass', '1b'), [SAMPLE]);
    expect(ok.rows.find((r) => r.testItemCode === 'OIL-CU')).to.include({ valueText: '1b', valueNumber: 1, judgement: 'pass' });
    const worse = parseOilResults(form('741.2', 'pass', '2a'), [SAMPLE]);
    expect(worse.rows.find((r) => r.testItemCode === 'OIL-CU')).to.include({ valueText: '2a', judgement: 'fail' });
    expect(worse.conclusion).to.equal('fail');
  });

  it('refuses a tester\'s judgement that the printed limit contradicts, either way', () => {
    expect(refusal(() => parseOilResults(form('775.3', 'pass', '1a'), [SAMPLE]))['manual.3.OIL-DEN20']).to.equal(
      '结果 775.3 不符合所列限值（720 – 775 kg/m³），不能判为“符合”；如标准原文限值不同，请联系平台管理员核对更正该限值',
    );
    expect(refusal(() => parseOilResults(form('741.2', 'fail', '1a'), [SAMPLE]))['manual.3.OIL-DEN20']).to.contain('符合所列限值（720 – 775 kg/m³），不能判为“不符合”');
    const agreed = parseOilResults(form('775.3', 'fail', '1a'), [SAMPLE]);
    expect(agreed.rows.find((r) => r.testItemCode === 'OIL-DEN20')).to.include({ judgement: 'fail', judgementBasis: 'tester', limitSource: 'GB 17930-2016 表 1（待核实）' });
  });

  it('does not judge lubricity where its own condition rules it out: sulphur at or above 500 mg/kg', () => {
    const dma: OilSampleForResults = {
      id: 4,
      sampleName: 'DMA',
      gradeCode: 'ISO8217-DMA',
      items: [
        { code: 'OIL-S-PCT', name: '硫含量', unit: '% m/m', plausibleMin: 0, plausibleMax: 5, limit: { kind: 'max', minValue: null, maxValue: 1, criterion: null, verified: true, source: 'ISO 8217:2017 表 1' } },
        { code: 'OIL-LUB', name: '润滑性', unit: 'μm', plausibleMin: 100, plausibleMax: 1000, limit: { kind: 'max', minValue: null, maxValue: 520, criterion: null, verified: true, source: 'ISO 8217:2017 表 1', condition: '仅适用于硫含量低于 500 mg/kg（0.050 %，质量分数）的燃料' } },
      ],
    };
    const lub = (sulphur: string) => parseOilResults({ results: { i4: { 'OIL-S-PCT': sulphur, 'OIL-LUB': '530' } } }, [dma]).rows.find((r) => r.testItemCode === 'OIL-LUB');
    expect(lub('0.10')).to.include({ judgement: 'not_applicable', judgementBasis: 'auto' });
    expect(lub('0.050')).to.include({ judgement: 'not_applicable' });
    expect(lub('0.045')).to.include({ judgement: 'fail' });
    expect(parseOilResults({ results: { i4: { 'OIL-S-PCT': '0.10', 'OIL-LUB': '530' } } }, [dma]).conclusion).to.equal('pass');
  });

  it('judges used lubricating oil from calcium, zinc and phosphorus by ISO 8217\'s rule, printed as measured', () => {
    const rmg: OilSampleForResults = {
      id: 5,
      sampleName: 'VLSFO',
      gradeCode: 'ISO8217-RMG380',
      items: [{ code: 'OIL-ULO', name: '废润滑油（ULO）', unit: 'mg/kg', plausibleMin: null, plausibleMax: null, limit: { kind: 'criterion', minValue: null, maxValue: null, criterion: '不含废润滑油（ULO）：钙 > 30 mg/kg 且锌 > 15 mg/kg，或钙 > 30 mg/kg 且磷 > 15 mg/kg 时，判定为含有废润滑油', verified: true, source: 'ISO 8217:2017 表 2' } }],
    };
    const ulo = (ca: string, zn: string, p: string) => parseOilResults({ results: { i5: { 'OIL-ULO': { ca, zn, p } } } }, [rmg]);
    expect(ulo('8', '3', '2').rows[0]).to.include({ valueText: 'Ca 8 / Zn 3 / P 2', judgement: 'pass', judgementBasis: 'auto' });
    expect(ulo('45', '20', '2').rows[0]).to.include({ valueText: 'Ca 45 / Zn 20 / P 2', judgement: 'fail' });
    expect(ulo('45', '3', '16').rows[0]!.judgement, 'calcium and phosphorus').to.equal('fail');
    expect(ulo('30', '20', '20').rows[0]!.judgement, 'calcium at 30 is not above it').to.equal('pass');
    expect(ulo('25', '<1', '<1').rows[0]).to.include({ valueText: 'Ca 25 / Zn <1 / P <1', judgement: 'pass' });
    const refused = (ca: string, zn: string, p: string) => refusal(() => ulo(ca, zn, p))['results.5.OIL-ULO'];
    expect(refused('', '3', '2')).to.equal('请填写废润滑油（ULO）的钙（Ca）含量，mg/kg');
    expect(refused('8', 'Zn 3', '2')).to.contain('锌（Zn）含量应填写 0 – 10000 的数值');
    expect(refused('45', '<20', '2'), 'a bound on the wrong side decides nothing').to.contain('不能判定是否超过 15 mg/kg');
    // what no fuel contains, or no number a lab writes, is refused (it would be printed on the report and /verify)
    expect(refused('-45', '3', '2')).to.contain('钙（Ca）含量应填写 0 – 10000 的数值');
    expect(refused('8', '1e308', '2')).to.contain('锌（Zn）含量应填写 0 – 10000 的数值');
    expect(refused('8', '3', '99999999999999999999')).to.contain('磷（P）含量应填写 0 – 10000 的数值');
    expect(refused('20000', '3', '2')).to.contain('超出合理范围');
    expect(refused('<-5', '3', '2')).to.contain('钙（Ca）含量应填写');
    // one free-text value (the old form) is no longer taken for the three
    expect(refusal(() => parseOilResults({ results: { i5: { 'OIL-ULO': 'Ca 8, Zn 3, P 2' } } }, [rmg]))['results.5.OIL-ULO']).to.contain('钙（Ca）');
  });

  it('asks for density and viscosity, not for CCAI, when CCAI is left to be calculated and cannot be', () => {
    const rmg: OilSampleForResults = {
      id: 6,
      sampleName: 'RMG',
      gradeCode: 'ISO8217-RMG380',
      items: [
        { code: 'OIL-DEN15', name: '密度（15 ℃）', unit: 'kg/m³', plausibleMin: 600, plausibleMax: 1100, limit: { kind: 'max', minValue: null, maxValue: 991, criterion: null, verified: true, source: 'ISO 8217:2017 表 2' } },
        { code: 'OIL-KV50', name: '运动黏度（50 ℃）', unit: 'mm²/s', plausibleMin: 1, plausibleMax: 1000, limit: { kind: 'max', minValue: null, maxValue: 380, criterion: null, verified: true, source: 'ISO 8217:2017 表 2' } },
        { code: 'OIL-CCAI', name: '计算碳芳香度指数（CCAI）', unit: '-', plausibleMin: 700, plausibleMax: 1000, limit: { kind: 'max', minValue: null, maxValue: 870, criterion: null, verified: true, source: 'ISO 8217:2017 表 2' } },
      ],
    };
    const errors = refusal(() => parseOilResults({ results: { i6: { 'OIL-DEN15': '9x5', 'OIL-KV50': '350', 'OIL-CCAI': '' } } }, [rmg]));
    expect(errors['results.6.OIL-CCAI']).to.equal('CCAI 留空时由密度（15 ℃）和运动黏度（50 ℃）计算：请先填好这两项的数值，或直接填写 CCAI');
    expect(errors['results.6.OIL-DEN15']).to.contain('应填写数值');
    // calculated from a density no fuel has, it is the density to check, not a CCAI nobody typed
    const high = refusal(() => parseOilResults({ results: { i6: { 'OIL-DEN15': '1099', 'OIL-KV50': '1.5', 'OIL-CCAI': '' } } }, [rmg]));
    expect(high['results.6.OIL-CCAI']).to.match(/^按所填密度和运动黏度计算的 CCAI 为 \d+，超出合理范围（700 – 1000）：请核对密度（15 ℃）和运动黏度（50 ℃）$/);
  });
});
