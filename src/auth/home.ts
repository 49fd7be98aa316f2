import type { Role } from './access.js';

/** Where each role lands after login. */
export function homeFor(role: Role): string {
  return role === 'enterprise' ? '/bookings' : '/account';
}
