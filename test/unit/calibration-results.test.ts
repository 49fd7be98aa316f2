import { expect } from 'chai';
import { verificationPeriodOf } from '../../src/lab/samples.js';
import { parseCalibrationResults, parseMpe, spanOf, type CalibrationPoint } from '../../src/lab/results.js';
import { fieldErrorsOf as refusal } from '../support/refusal.js';

const TODAY = '2026-12-04';
const GAUGE = { id: 7, instrumentName: '一般压力表', serialNo: 'PG-01', compulsory: false };
const GAUGE_STANDARDS = ['JJG 52-2013'];
const BALANCE_STANDARDS = ['JJG 1036-2022', 'JJF 1847-2020'];
const METER_STANDARDS = ['JJF 1587-2016'];

/** A results form with one line for item 7. */
function form(line: Record<string, unknown>, points: [string, string, string?][] = []) {
  return { cal: { i7: { certificateNo: 'JD2026-000001', nextDueDate: '2027-06-03', unit: 'MPa', ...line, points: points.map(([nominal, measured, uncertainty]) => ({ nominal, measured, uncertainty: uncertainty ?? '' })) } } };
}

describe('calibration results: the conclusion follows from the data', () => {
  it('reads an MPE as metrologists write it, absolute or relative to the nominal value', () => {
    expect(parseMpe('±0.026')).to.deep.equal({ value: 0.026, relative: false });
    expect(parseMpe('0.026')).to.deep.equal({ value: 0.026, relative: false });
    expect(parseMpe('±0.5%')).to.deep.equal({ value: 0.5, relative: true });
    expect(parseMpe('+-1 ％')).to.deep.equal({ value: 1, relative: true });
    expect(parseMpe('＋－0.02')).to.deep.equal({ value: 0.02, relative: false });
    for (const bad of ['', '±', 'abc', '-0.5', '0', '±1.6级']) expect(parseMpe(bad), bad).to.equal(undefined);
  });

  it('合格 within the MPE is kept with each point\'s MPE, the unit and the MPE as written', () => {
    const parsed = parseCalibrationResults(form({ conclusion: 'pass', unit: 'MPa', mpe: '0.026' }, [['0', '0.004'], ['0.8', '0.79'], ['1.6', '1.626']]), [GAUGE], TODAY, GAUGE_STANDARDS);
    expect(parsed.conclusion).to.equal('pass');
    expect(parsed.rows[0]).to.include({ conclusion: 'pass', unit: 'MPa', limitText: '±0.026' });
    expect(parsed.rows[0]!.points).to.deep.equal([
      { nominal: 0, measured: 0.004, error: 0.004, mpe: 0.026, uncertainty: null },
      { nominal: 0.8, measured: 0.79, error: -0.01, mpe: 0.026, uncertainty: null },
      { nominal: 1.6, measured: 1.626, error: 0.026, mpe: 0.026, uncertainty: null },
    ]);
  });

  it('gives the error to the decimals the readings were typed with, and no next date on a 不合格', () => {
    const parsed = parseCalibrationResults(form({ conclusion: 'pass', mpe: '±0.01' }, [['10', '10.001'], ['1.600', '1.6']]), [GAUGE], TODAY, GAUGE_STANDARDS);
    expect((parsed.rows[0]!.points as CalibrationPoint[]).map((p) => p.error)).to.deep.equal([0.001, 0]);
    const failed = parseCalibrationResults(form({ conclusion: 'fail', mpe: '±0.01' }, [['10', '10.05']]), [GAUGE], TODAY, GAUGE_STANDARDS);
    expect(failed.rows[0]!.nextDueDate, 'the form\'s default date is not printed as 复检日期').to.equal(null);
  });

  it('refuses 合格 when one error is beyond the MPE (relative MPE taken at each nominal value), naming the point', () => {
    const errors = refusal(() => parseCalibrationResults(form({ conclusion: 'pass', mpe: '±0.5%' }, [['1', '1.004'], ['10', '13']]), [GAUGE], TODAY, GAUGE_STANDARDS));
    expect(errors['cal.7.conclusion']).to.equal('第 2 点（标称值 10）示值误差 +3 超出最大允许误差 ±0.05：不能判为合格');
  });

  it('refuses 合格 without check points or without an MPE', () => {
    expect(refusal(() => parseCalibrationResults(form({ conclusion: 'pass', mpe: '±0.026' }), [GAUGE], TODAY, GAUGE_STANDARDS))['cal.7.points']).to.contain('合格须由数据得出');
    expect(refusal(() => parseCalibrationResults(form({ conclusion: 'pass' }, [['1', '1']]), [GAUGE], TODAY, GAUGE_STANDARDS))['cal.7.mpe']).to.contain('判为合格须给出最大允许误差');
    expect(refusal(() => parseCalibrationResults(form({ conclusion: 'pass', mpe: '1.6级' }, [['1', '1']]), [GAUGE], TODAY, GAUGE_STANDARDS))['cal.7.mpe']).to.contain('±0.026');
    expect(refusal(() => parseCalibrationResults(form({ conclusion: 'pass', mpe: '±500%' }, [['1', '5']]), [GAUGE], TODAY, GAUGE_STANDARDS))['cal.7.mpe']).to.contain('超出常理');
    // readings without their unit mean nothing on a certificate
    expect(refusal(() => parseCalibrationResults(form({ conclusion: 'pass', mpe: '±0.026', unit: '' }, [['1', '1']]), [GAUGE], TODAY, GAUGE_STANDARDS))['cal.7.unit']).to.equal('请填写测量点读数的单位（如 MPa、kg、℃）');
  });

  it('不合格 stands on a point beyond the MPE; with every point within it, the remark must say what failed', () => {
    const beyond = parseCalibrationResults(form({ conclusion: 'fail', nextDueDate: '', mpe: '±0.026' }, [['1.6', '1.66']]), [GAUGE], TODAY, GAUGE_STANDARDS);
    expect(beyond.conclusion).to.equal('fail');
    expect(refusal(() => parseCalibrationResults(form({ conclusion: 'fail', nextDueDate: '', mpe: '±0.026' }, [['1.6', '1.61']]), [GAUGE], TODAY, GAUGE_STANDARDS))['cal.7.remark']).to.contain('各测量点均在最大允许误差内');
    expect(refusal(() => parseCalibrationResults(form({ conclusion: 'fail', nextDueDate: '' }), [GAUGE], TODAY, GAUGE_STANDARDS))['cal.7.remark']).to.equal('请在备注写明不合格的项目或原因');
    const glass = parseCalibrationResults(form({ conclusion: 'fail', nextDueDate: '', remark: '表盘玻璃破裂，指针松动' }), [GAUGE], TODAY, GAUGE_STANDARDS);
    expect(glass.rows[0]).to.include({ conclusion: 'fail', remark: '表盘玻璃破裂，指针松动', points: null });
  });

  it('a calibration gives every point\'s expanded uncertainty and needs no MPE', () => {
    const errors = refusal(() => parseCalibrationResults(form({ conclusion: 'calibrated' }, [['20', '20.01', '0.02 g'], ['50', '50.02']]), [GAUGE], TODAY, BALANCE_STANDARDS));
    expect(errors['cal.7.points.1']).to.contain('扩展不确定度');
    const ok = parseCalibrationResults(form({ conclusion: 'calibrated', unit: 'g' }, [['20', '20.01', '0.02 g']]), [GAUGE], TODAY, BALANCE_STANDARDS);
    expect(ok.conclusion).to.equal('info');
    expect(ok.rows[0]).to.include({ limitText: null, unit: 'g' });
  });

  it('a service with only a 校准规范 (JJF) cannot issue a 检定证书; a 强检 instrument is verified, not only calibrated', () => {
    expect(refusal(() => parseCalibrationResults(form({ conclusion: 'pass', mpe: '±0.5%' }, [['1', '1']]), [GAUGE], TODAY, METER_STANDARDS))['cal.7.conclusion']).to.equal(
      '本服务依据校准规范（JJF 1587-2016），没有检定规程：只能校准，出具校准证书',
    );
    const compulsory = { ...GAUGE, compulsory: true };
    expect(refusal(() => parseCalibrationResults(form({ conclusion: 'calibrated' }, [['1', '1', '0.01 MPa']]), [compulsory], TODAY, GAUGE_STANDARDS))['cal.7.conclusion']).to.contain('该器具属强制检定：应按 JJG 52-2013 检定');
    // the balance has both: verified when compulsory, calibrated otherwise
    expect(parseCalibrationResults(form({ conclusion: 'calibrated' }, [['1', '1', '0.1 mg']]), [GAUGE], TODAY, BALANCE_STANDARDS).rows).to.have.length(1);
  });

  it('a 检定证书 is valid no longer than the regulation\'s period; a 校准证书 gives a recalibration date only when asked', () => {
    const gauge = verificationPeriodOf({ categoryCode: 'CAL-PG', categoryName: '一般压力表', periodMonths: 6, regulations: ['JJG 52-2013'] });
    expect(gauge).to.deep.equal({ months: 6, regulation: 'JJG 52-2013', categoryName: '一般压力表' });
    const pass = (nextDueDate: string) => form({ conclusion: 'pass', mpe: '±0.026', nextDueDate }, [['1.6', '1.61']]);
    expect(refusal(() => parseCalibrationResults(pass('2027-12-03'), [GAUGE], TODAY, GAUGE_STANDARDS, gauge))['cal.7.nextDueDate']).to.equal('JJG 52-2013 规定一般压力表的检定周期不超过 6 个月：有效期至最迟 2027-06-03');
    expect(parseCalibrationResults(pass('2027-06-03'), [GAUGE], TODAY, GAUGE_STANDARDS, gauge).rows[0]!.nextDueDate, 'six months to the day before').to.equal('2027-06-03');
    expect(refusal(() => parseCalibrationResults(pass(''), [GAUGE], TODAY, GAUGE_STANDARDS, gauge))['cal.7.nextDueDate']).to.contain('检定有效期');
    // a limited-life meter's first verification is valid for its life; a period not checked against the regulation sets no bound
    expect(verificationPeriodOf({ categoryCode: 'CAL-WM', categoryName: '水表', periodMonths: 24, regulations: ['JJG 162-2019'] })!.months).to.equal(72);
    expect(verificationPeriodOf({ categoryCode: 'CAL-PPG', categoryName: '精密压力表', periodMonths: 12, regulations: ['JJG 49-2013'] })).to.equal(undefined);
    const calibrated = parseCalibrationResults(form({ conclusion: 'calibrated', nextDueDate: '' }, [['20', '20.01', '0.02']]), [GAUGE], TODAY, BALANCE_STANDARDS);
    expect(calibrated.rows[0]!.nextDueDate, 'no date asked for, none printed').to.equal(null);
  });

  it('refuses one certificate number on two instruments (verification finds a certificate by it)', () => {
    const body = { cal: { i7: { conclusion: 'calibrated', certificateNo: 'JZ-1', unit: 'g', points: [{ nominal: '20', measured: '20.01', uncertainty: '0.02' }] }, i8: { conclusion: 'calibrated', certificateNo: 'jz-1', unit: 'g', points: [{ nominal: '20', measured: '20.01', uncertainty: '0.02' }] } } };
    const second = { ...GAUGE, id: 8, serialNo: 'PG-02' };
    expect(refusal(() => parseCalibrationResults(body, [GAUGE, second], TODAY, BALANCE_STANDARDS))['cal.8.certificateNo']).to.equal('证书编号 jz-1 与一般压力表（PG-01）的相同：每份证书的编号应唯一');
  });

  it('takes an MPE in % of the span (JJG 52: the class times the span, the same at every point)', () => {
    expect(parseMpe('±1.6%FS')).to.deep.equal({ value: 1.6, relative: true, ofSpan: true });
    expect(parseMpe('2.5%量程')).to.deep.equal({ value: 2.5, relative: true, ofSpan: true });
    expect([spanOf('(0～1.6) MPa'), spanOf('0-25 MPa'), spanOf('(-0.1～0.9) MPa'), spanOf('0~0.25MPa'), spanOf('1.6 级'), spanOf(null)]).to.deep.equal([1.6, 25, 1, 0.25, undefined, undefined]);
    const small = { ...GAUGE, measuringRange: '(0～0.25) MPa' };
    const line = parseCalibrationResults(form({ conclusion: 'pass', mpe: '±2.5%FS' }, [['0.05', '0.054'], ['0.25', '0.245']]), [small], TODAY, GAUGE_STANDARDS);
    expect((line.rows[0]!.points as CalibrationPoint[]).map((p) => p.mpe), '2.5 % of 0.25 MPa at both points').to.deep.equal([0.00625, 0.00625]);
    expect(line.rows[0]!.limitText).to.equal('±2.5%FS');
    // as % of each nominal value the low point would have been judged against ±0.00125 and failed
    expect(refusal(() => parseCalibrationResults(form({ conclusion: 'pass', mpe: '±2.5%' }, [['0.05', '0.054']]), [small], TODAY, GAUGE_STANDARDS))['cal.7.conclusion']).to.contain('超出最大允许误差');
    expect(refusal(() => parseCalibrationResults(form({ conclusion: 'pass', mpe: '±1.6%FS' }, [['1', '1.01']]), [GAUGE], TODAY, GAUGE_STANDARDS))['cal.7.mpe']).to.contain('按量程百分比计算须有器具的测量范围');
  });
});
