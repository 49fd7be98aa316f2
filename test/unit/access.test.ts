import { expect } from 'chai';
import { asPrincipal, assertCan, can, type Principal, type PrincipalRow, type Role } from '../../src/auth/access.js';
import { ForbiddenError, NotFoundError } from '../../src/shared/errors.js';

function principal(role: Role, scope: Partial<PrincipalRow> = {}): Principal {
  return asPrincipal({ id: 1, role, name: 'x', mobile: '13800000000', email: null, enterpriseId: null, nodeId: null, parkId: null, mustChangePassword: false, ...scope });
}

describe('access: the one guard module', () => {
  const record = { enterpriseId: 10, nodeId: 20, parkId: 30 };

  it('scopes each role to its own records', () => {
    expect(can(principal('enterprise', { enterpriseId: 10 }), 'booking.read', record)).to.equal(true);
    expect(can(principal('enterprise', { enterpriseId: 11 }), 'booking.read', record)).to.equal(false);
    expect(can(principal('lab_staff', { nodeId: 20 }), 'booking.read', record)).to.equal(true);
    expect(can(principal('lab_staff', { nodeId: 21 }), 'booking.read', record)).to.equal(false);
    expect(can(principal('park_admin', { parkId: 30 }), 'booking.read', record)).to.equal(true);
    expect(can(principal('park_admin', { parkId: 31 }), 'booking.read', record)).to.equal(false);
    expect(can(principal('platform_admin'), 'booking.read', record)).to.equal(true);
  });

  it('never matches a record that has no scope value (null is not equal to null)', () => {
    expect(can(principal('enterprise', { enterpriseId: null }), 'booking.read', { enterpriseId: null })).to.equal(false);
    expect(can(principal('park_admin', { parkId: null }), 'enterprise.read', { parkId: null })).to.equal(false);
  });

  it('throws 403 for a role that may never act, 404 for an out-of-scope record', () => {
    expect(() => assertCan(principal('enterprise', { enterpriseId: 10 }), 'booking.work', record)).to.throw(ForbiddenError);
    expect(() => assertCan(principal('lab_staff', { nodeId: 99 }), 'booking.work', record)).to.throw(NotFoundError);
    expect(() => assertCan(principal('lab_staff', { nodeId: 20 }), 'booking.work', record)).not.to.throw();
  });
});
