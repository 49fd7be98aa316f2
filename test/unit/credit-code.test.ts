import { expect } from 'chai';
import { checkCreditCode, creditCodeCheckChar, normalizeCreditCode } from '../../src/enterprises/credit-code.js';

describe('unified social credit code (GB 32100)', () => {
  it('accepts the worked example from the standard notes', () => {
    expect(checkCreditCode('91350100M000100Y43')).to.deep.equal({ status: 'valid', code: '91350100M000100Y43' });
  });

  it('accepts the synthetic Zhoushan code and computes its check character', () => {
    expect(creditCodeCheckChar('91330900MA2A0B1C4')).to.equal('R');
    expect(checkCreditCode('91330900MA2A0B1C4R').status).to.equal('valid');
  });

  it('reads lower-case and spaced input as the user meant it', () => {
    expect(normalizeCreditCode(' 9133 0900 ma2a0b1c4r ')).to.equal('91330900MA2A0B1C4R');
    expect(checkCreditCode('91330900ma2a0b1c4r')).to.deep.equal({ status: 'valid', code: '91330900MA2A0B1C4R' });
  });

  it('reports a wrong check character with the expected one', () => {
    expect(checkCreditCode('91350100M000100Y44')).to.deep.equal({ status: 'bad_check', code: '91350100M000100Y44', expected: '3' });
  });

  it('flags the known legacy irregular code as a check mismatch (warn, not format error)', () => {
    expect(checkCreditCode('91350203M0001QAY9B').status).to.equal('bad_check');
  });

  it('refuses wrong lengths with the length in the message', () => {
    const result = checkCreditCode('9133090');
    expect(result.status).to.equal('bad_format');
    expect(result.status === 'bad_format' && result.reason).to.contain('18 位').and.contain('7 位');
  });

  it('refuses letters that are not in the character set (I, O, Z, S, V)', () => {
    for (const bad of ['91330900MA2A0B1C4I', '91330900MA2A0O1C4R', '91330900MA2A0S1C4R', 'Z1330900MA2A0B1C4R']) {
      const result = checkCreditCode(bad);
      expect(result.status, bad).to.equal('bad_format');
      expect(result.status === 'bad_format' && result.reason, bad).to.match(/不能包含字符/);
    }
  });

  it('refuses letters where the area code must be digits', () => {
    const result = checkCreditCode('9133AB00MA2A0B1C4R');
    expect(result.status).to.equal('bad_format');
    expect(result.status === 'bad_format' && result.reason).to.contain('行政区划');
  });
});
