import type { Role } from './access.js';

/** Where each role lands after login. */
export function homeFor(_role: Role): string {
  return '/account';
}
