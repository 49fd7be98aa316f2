import { expect } from 'chai';
import { parseEnvironment, parseLineStandards, standardsFor, type StandardForResults } from '../../src/lab/conditions.js';

const PISTON: StandardForResults = { id: 1, name: '0.05 级活塞式压力计标准装置', certificateNo: '［2023］浙量标舟证字第 012 号', measuringRange: '(0.04～60) MPa', accuracy: '0.05 级', validUntil: '2027-06-30', categoryCodes: ['CAL-PG'] };
const OLD: StandardForResults = { ...PISTON, id: 2, name: '原活塞式压力计', certificateNo: '［2018］浙量标舟证字第 021 号', validUntil: '2026-11-15' };
const WEIGHTS: StandardForResults = { id: 3, name: 'E2 等级砝码组', certificateNo: '［2022］浙量标舟证字第 033 号', measuringRange: '1 mg～20 kg', accuracy: 'E2 等级', validUntil: '2028-01-31', categoryCodes: ['CAL-EBAL'] };
const LAB = { standards: [PISTON, OLD, WEIGHTS], categoryCode: 'CAL-PG' };
const TODAY = '2026-12-04';

describe('a certificate\'s measurement standards and environment (JJF 1071)', () => {
  it('offers the standards kept for the category (all the node\'s when none is)', () => {
    expect(standardsFor(LAB).map((s) => s.id)).to.deep.equal([1, 2]);
    expect(standardsFor({ ...LAB, categoryCode: 'CAL-DMM' }).map((s) => s.id)).to.deep.equal([1, 2, 3]);
  });

  it('names at least one standard in date, offered for the category, and keeps it as it stood that day', () => {
    const errors: Record<string, string> = {};
    expect(parseLineStandards(['1'], LAB, TODAY, '压力表（PG-1）', 'k', errors)).to.deep.equal([{ name: PISTON.name, certificateNo: PISTON.certificateNo, measuringRange: PISTON.measuringRange, accuracy: PISTON.accuracy, validUntil: '2027-06-30' }]);
    expect(errors).to.deep.equal({});
    const refused = (raw: unknown, lab = LAB) => {
      const e: Record<string, string> = {};
      parseLineStandards(raw, lab, TODAY, '压力表（PG-1）', 'k', e);
      return e.k;
    };
    expect(refused(undefined)).to.equal('请选择压力表（PG-1）检定/校准所用的计量标准');
    expect(refused('2')).to.equal('计量标准“原活塞式压力计”的考核证书已于 2026-11-15 到期，不能用于检定/校准：请选用其他计量标准，或复查换证后重新登记');
    expect(refused('3'), 'the weights are not kept for pressure gauges').to.equal('请选择本网点在用的计量标准');
    expect(refused('99')).to.equal('请选择本网点在用的计量标准');
    expect(refused(['1', 'x'])).to.equal('请选择本网点在用的计量标准');
    // a standard named twice (or 25 times) is printed once
    const twice: Record<string, string> = {};
    expect(parseLineStandards(Array(25).fill('1'), LAB, TODAY, '压力表（PG-1）', 'k', twice)).to.have.length(1);
    expect(refused('1', { standards: [], categoryCode: 'CAL-PG' })).to.contain('本网点尚未登记可用于该类器具的计量标准');
  });

  it('takes place, temperature and humidity as a lab writes them, and refuses what no lab records', () => {
    const errors: Record<string, string> = {};
    expect(parseEnvironment({ conditions: { place: ' 市计量院实验室 ', temperature: '20.5 ℃', humidity: '55 %RH' } }, errors)).to.deep.equal({ place: '市计量院实验室', temperature: '20.5', humidity: '55' });
    expect(errors).to.deep.equal({});
    const bad: Record<string, string> = {};
    parseEnvironment({ conditions: { place: '', temperature: '二十度', humidity: '120' } }, bad);
    expect(bad).to.deep.equal({
      'conditions.place': '请填写检定/校准地点（如本站实验室，或委托方现场地址）',
      'conditions.temperature': '环境温度应为 −30～60 之间的数值（℃），如 20.5',
      'conditions.humidity': '相对湿度应为 0～100 之间的数值（%RH），如 55',
    });
    // only plain decimals, as a thermometer reads: 1e1 or -0 would be printed as typed on the certificate
    const odd: Record<string, string> = {};
    parseEnvironment({ conditions: { place: '实验室', temperature: '1e1', humidity: '-0' } }, odd);
    expect(Object.keys(odd).sort()).to.deep.equal(['conditions.humidity', 'conditions.temperature']);
    const none: Record<string, string> = {};
    parseEnvironment({}, none);
    expect(Object.keys(none).sort()).to.deep.equal(['conditions.humidity', 'conditions.place', 'conditions.temperature']);
  });
});
