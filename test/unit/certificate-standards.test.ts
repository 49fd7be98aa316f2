import { expect } from 'chai';
import { certificateStandards } from '../../src/reports/reports.view.js';

describe('what a calibration certificate names as its basis', () => {
  it('a verification its 检定规程, a calibration its 校准规范, each falling back to all the service has', () => {
    const balance = ['JJG 1036 (电子天平)', 'JJF 1847-2020 (电子天平校准规范)'];
    expect(certificateStandards(balance, 'pass')).to.deep.equal(['JJG 1036 (电子天平)']);
    expect(certificateStandards(balance, 'fail')).to.deep.equal(['JJG 1036 (电子天平)']);
    expect(certificateStandards(balance, 'calibrated')).to.deep.equal(['JJF 1847-2020 (电子天平校准规范)']);
    expect(certificateStandards(['JJG 30-2012'], 'calibrated')).to.deep.equal(['JJG 30-2012']);
    expect(certificateStandards(['JJF 1101-2019'], 'pass')).to.deep.equal(['JJF 1101-2019']);
    expect(certificateStandards([], 'pass')).to.deep.equal([]);
  });

  it('one edition of each document: the first listed', () => {
    expect(certificateStandards(['JJG 443-2023 (试行)', 'JJG 443-2015'], 'pass')).to.deep.equal(['JJG 443-2023 (试行)']);
    expect(certificateStandards(['JJG 577-2012', 'JJG 1190-2022'], 'pass')).to.deep.equal(['JJG 577-2012', 'JJG 1190-2022']);
    expect(certificateStandards(['JJG 111-2019', 'JJG 1162-2019'], 'pass')).to.deep.equal(['JJG 111-2019', 'JJG 1162-2019']);
  });
});
