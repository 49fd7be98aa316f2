import { WEBHOOK_EVENTS } from '../events/webhooks.js';
import type { Principal } from '../auth/access.js';
import { SCOPE_LABELS, SCOPES_OF_OWNER, type KeyOwnerType } from './scopes.js';

export const WEBHOOK_EVENT_LABELS: Record<(typeof WEBHOOK_EVENTS)[number] | 'ping', string> = {
  'booking.created': '新预约提交',
  'booking.status_changed': '预约状态变化',
  'report.issued': '报告签发',
  'report.revised': '报告更正',
  'report.revoked': '报告撤销',
  'instrument.due': '器具到期提醒',
  ping: '测试推送',
};

/** Where a role manages its integrations: the company, the node (its manager) or the platform. */
export function integrationBase(user: Pick<Principal, 'role'>): '/company' | '/lab' | '/admin' {
  return user.role === 'enterprise' ? '/company' : user.role === 'node_manager' ? '/lab' : '/admin';
}

export function integrationLabels(ownerType: KeyOwnerType) {
  return {
    scopes: SCOPES_OF_OWNER[ownerType].map((s) => ({ value: s, label: SCOPE_LABELS[s] })),
    scopeLabels: SCOPE_LABELS,
    events: WEBHOOK_EVENTS.map((e) => ({ value: e, label: WEBHOOK_EVENT_LABELS[e] })),
    eventLabels: WEBHOOK_EVENT_LABELS,
    ownerTitle: ownerType === 'company' ? '本企业' : ownerType === 'node' ? '本网点' : '平台',
  };
}
