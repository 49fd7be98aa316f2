import { expect } from 'chai';
import { standardsBesides } from '../../src/catalog/catalog.view.js';

describe('a service guide\'s 法律依据', () => {
  it('names each document once, whatever its spelling or edition, after the legal basis', () => {
    const basis = ['《中华人民共和国计量法》', 'JJG 443—2023《燃油加油机检定规程》'];
    expect(standardsBesides(['JJG 443-2023 (试行)', 'JJG 443-2015', 'JJF 1321-2011', 'JJF1321-2011 (加油机)', '船检规范'], basis)).to.deep.equal(['JJF 1321-2011', '船检规范']);
    // a longer number is another document
    expect(standardsBesides(['JJG 4430-2020'], basis)).to.deep.equal(['JJG 4430-2020']);
    expect(standardsBesides(['GB/T 1884-2000', 'ISO 3675'], ['NB/SH/T 0916 及 GB/T 1884'])).to.deep.equal(['ISO 3675']);
  });
});
