import type { Role } from './access.js';

/** Where each role lands after login. */
export function homeFor(role: Role): string {
  switch (role) {
    case 'enterprise':
      return '/bookings';
    case 'lab_staff':
    case 'node_manager':
      return '/lab';
    case 'park_admin':
    case 'platform_admin':
      return '/admin';
    case 'expert':
      return '/needs';
  }
}
