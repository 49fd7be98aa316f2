import type { Principal } from '../../auth/access.js';

export interface NavItem {
  href: string;
  label: string;
  badge?: number;
}

/** The header's links: what the signed-in role can do (public pages for everyone). */
export function navFor(user: Principal | undefined): NavItem[] {
  const items: NavItem[] = [
    { href: '/services', label: '服务目录' },
    { href: '/nodes', label: '服务网点' },
  ];
  if (!user) return items;
  if (user.role === 'enterprise' && user.enterpriseId) {
    items.unshift({ href: '/bookings', label: '我的预约' });
    items.push({ href: `/enterprises/${user.enterpriseId}`, label: '企业信息' });
  }
  return items;
}
