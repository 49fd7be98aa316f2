import { adminHref } from '../admin/admin.view.js';
import { isCoordinator, type Principal } from '../auth/access.js';
import { enterpriseHref } from '../enterprises/enterprises.view.js';

export interface NavItem {
  href: string;
  label: string;
  badge?: number;
}

/** The header's links: what the signed-in role can do (public pages for everyone). */
export function navFor(user: Principal | undefined, unread = 0): NavItem[] {
  const items: NavItem[] = [
    { href: '/services', label: '服务目录' },
    { href: '/nodes', label: '服务网点' },
    { href: '/equipment', label: '共享仪器' },
  ];
  if (!user) return items;
  if (user.role === 'enterprise') {
    items.unshift({ href: '/bookings', label: '我的预约' }, { href: '/chains', label: '一件事联办' }, { href: '/instruments', label: '器具台账' });
    items.push(user.companyAdmin ? { href: '/company', label: '企业空间' } : { href: enterpriseHref(user.enterpriseId), label: '企业信息' });
    // keys and webhooks are the company admins' (access.ts: integration.manage)
    if (user.companyAdmin) items.push({ href: '/company/api-keys', label: '开放接口' });
  }
  if (user.role === 'lab_staff' || user.role === 'node_manager') {
    items.unshift({ href: '/lab', label: '工作台' });
    // Node staff work the shared instruments from their desk (its sub-navigation leads to the public list).
    items.splice(items.findIndex((i) => i.href === '/equipment'), 1, { href: '/equipment/desk', label: '共享仪器' });
    if (user.windowDuty) items.splice(1, 0, { href: '/window', label: '线下窗口' });
    else if (user.role === 'node_manager') items.splice(1, 0, { href: '/window/staff', label: '窗口值守' });
  }
  if (user.role === 'node_manager') {
    items.splice(1, 0, { href: adminHref.dashboard, label: '统计' }, { href: adminHref.node(user.nodeId), label: '网点管理' }, { href: adminHref.users, label: '人员' }, { href: '/lab/api-keys', label: '开放接口' });
  }
  if (user.role === 'park_admin') items.unshift({ href: adminHref.dashboard, label: '园区统计' }, { href: '/admin/compliance', label: '强检合规' });
  if (user.role === 'platform_admin') items.unshift({ href: adminHref.dashboard, label: '管理后台' });
  if (user.role === 'park_admin') items.splice(2, 0, { href: '/chains', label: '一件事联办' });
  // A company reaches its quality needs from the 一件事 page (the header stays one line wide).
  if (user.role === 'park_admin') items.splice(2, 0, { href: '/needs', label: '质量需求' });
  if (user.role === 'expert') items.unshift({ href: '/needs', label: '质量需求' });
  if (isCoordinator(user)) items.splice(1, 0, { href: '/coordinator/chains', label: '一件事协调' }, { href: '/needs', label: '质量需求' });
  items.push({ href: '/notifications', label: '站内信', ...(unread > 0 ? { badge: unread } : {}) });
  return items;
}
