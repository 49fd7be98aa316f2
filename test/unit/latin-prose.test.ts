import { expect } from 'chai';
import { findLatinProse } from '../../e2e/support/latin-prose.js';

/* The check the e2e crawl runs on every page: English prose and internal codes fail, the Latin a Chinese page needs passes. */
describe('Latin-prose detector', () => {
  const flagged = (text: string) => findLatinProse(text).map((f) => f.text);

  describe('finds what a user should never read', () => {
    const cases: [string, string][] = [
      ['强检范围：钢卷尺 was compulsory under the 1987 list; believed dropped in the 2019/2020 catalog。', 'was compulsory under the'],
      ['believed listed as 压力仪表', 'believed listed as'],
      ['周期：generally <= 1 year。', 'generally'],
      ['限值：fuel counts as containing ULO if Ca>30 and Zn>15 mg/kg', 'fuel counts as containing'],
      ['限值：same as VIA', 'same as'],
      ['提交结果 in_progress → to_verify', 'in_progress'],
      ['对象 booking #702', 'booking'],
      ['Scope wording from memory', 'Scope wording from memory'],
      ['外观：Clear and bright', 'Clear and bright'],
      ['状态 pending', 'pending'],
      ['例如 e.g. 压力表', 'e.g'],
    ];
    for (const [text, expected] of cases) {
      it(`flags “${expected}” in “${text.slice(0, 40)}”`, () => {
        expect(flagged(text).join(' | ')).to.contain(expected);
      });
    }
  });

  describe('passes the Latin a Chinese page needs', () => {
    const fine = [
      '判定依据 ISO 8217:2017 表 2，方法 ISO 3104（GB/T 265）',
      '依据 JJG 52—2013《弹性元件式一般压力表、压力真空表和真空表》、JJF 1033-2016',
      '方法 ASTM D4294 / IP 570 / SH/T 0689，ISO/IEC 17025，NB/SH/T 0812',
      '运动黏度（50 ℃） mm²/s，密度 kg/m³，酸值 mg KOH/g，硫含量 % (m/m)，流量 m³/h，压力 0.6 MPa / 100 kPa',
      '预约号 JL-20261127-0001，报告编号 NQI-2026-JL-000123（第 2 版），验证码 AB3K7XQP',
      '统一社会信用代码 91330902MA2A1234X5',
      '支持 PDF/JPG/PNG/XLSX/DOCX，导出 CSV 或 Excel',
      '联系 admin@nqi.example.com 或访问 http://127.0.0.1:3000/verify?t=abc_DEF-123 核验',
      '样品：低硫燃料油 VLSFO，牌号 ISO 8217 RMG 380，燃油交付单（BDN）编号 BDN-E2E-0001',
      '按 MARPOL 附则Ⅵ 判定；ECA 内 0.10 %；CCAI、ULO（Ca > 30 且 Zn > 15）、FAME',
      '签章 PDF 的 SHA-256：e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      '周转时间 P90 为 4 个工作日；扫描 QR 码',
      'pH 计、Y-100 压力表、型号 YB-150A、证书 DH2026-0001',
      '服务 CAL-PG、套餐 PKG-RM-FULL，CMA 资质认定、CCC 认证、CNAS 认可',
      '下载导入模板（.xlsx）；只接受 Excel 2007 及以上格式（.xlsx，按文件内容校验）',
      '制造商 德国 Automation 公司，型号 QNix 8500',
      '附件 list.pdf（计量器具清单），台账 ledger_2026.xlsx',
    ];
    for (const text of fine) {
      it(`passes “${text.slice(0, 40)}”`, () => {
        expect(findLatinProse(text)).to.deep.equal([]);
      });
    }
  });

  it('says where a finding is, with some text around it', () => {
    const [finding] = findLatinProse('审计日志：张伟 修改了 booking #702 的状态');
    expect(finding).to.include({ text: 'booking', reason: 'lowercase word' });
    expect(finding!.context).to.contain('修改了 booking #702');
  });
});
