import { expect } from 'chai';
import { capacitySchema } from '../../src/admin/admin.schemas.js';
import { parseInput } from '../../src/shared/validation.js';
import { fieldErrorsOf } from '../support/refusal.js';

describe('a node\'s capacity form', () => {
  it('says a negative number is below the minimum (−1 is an integer), and a fraction is not an integer', () => {
    const errors = fieldErrorsOf(() => parseInput(capacitySchema, { capacityAm: '-1', capacityPm: '2.5', slotTimes: '', slotCapacity: '0' }));
    expect(errors.capacityAm).to.equal('上午名额不能小于 0');
    expect(errors.capacityPm).to.equal('下午名额应为整数');
    expect(parseInput(capacitySchema, { capacityAm: '8', capacityPm: '0', slotTimes: '', slotCapacity: '0' })).to.include({ capacityAm: 8, capacityPm: 0 });
  });
});
