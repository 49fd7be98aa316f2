import { expect } from 'chai';
import { printedMethod } from '../../src/reports/content.js';

/** The method an oil report cites follows the standard the sample is judged against. */
describe('the method an oil report line cites', () => {
  it('is the Chinese method for a national product standard (GB 19147, GB 17930, GB 17411), when the item has one', () => {
    expect(printedMethod(['ISO 20846', 'ISO 20884', 'ASTM D5453', 'SH/T 0689', 'GB/T 11140'], 'GB 19147-2016')).to.equal('SH/T 0689');
    expect(printedMethod(['EN 12916', 'SH/T 0806'], 'GB 19147-2016')).to.equal('SH/T 0806');
    expect(printedMethod(['EN 14078', 'ASTM D7963', 'IP 579', 'NB/SH/T 0916', 'GB/T 23801'], 'GB 19147-2016')).to.equal('NB/SH/T 0916');
    expect(printedMethod(['IP 309（SH/T 0248）', 'IP 612'], 'GB 19147-2016'), 'the equivalent named beside a foreign method').to.equal('SH/T 0248');
    expect(printedMethod(['ISO 3104（GB/T 11137）', 'ISO 3104（GB/T 265）'], 'GB 17411-2015')).to.equal('GB/T 11137');
  });

  it('is the lab\'s first method as written for ISO 8217, an agreement, or an item without a Chinese method', () => {
    expect(printedMethod(['ISO 3104（GB/T 265）', 'ASTM D445'], 'ISO 8217:2017')).to.equal('ISO 3104（GB/T 265）');
    expect(printedMethod(['IP 501', 'IP 470'], 'GB 17411-2015')).to.equal('IP 501');
    expect(printedMethod(['ASTM D5185', 'GB/T 17476'], '用户约定 / 设备制造商要求')).to.equal('ASTM D5185');
    expect(printedMethod([], 'GB 19147-2016')).to.equal('—');
  });
});
