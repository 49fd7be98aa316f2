import { assertCan, type Principal } from '../auth/access.js';
import { findBookingByNumber } from '../bookings/bookings.repo.js';
import { EVENT_LABELS } from '../bookings/lifecycle.js';
import { EQUIPMENT_AUDIT_LABELS } from '../equipment/lifecycle.js';
import type { Db } from '../db/client.js';
import { dayjs, isIsoDate, TZ } from '../shared/time.js';
import { listEvents, type EventFilter } from './audit.repo.js';

const PAGE_SIZE = 50;

/** Every action the audit log can hold, with its wording (booking timeline + management). */
export const AUDIT_ACTIONS: Record<string, string> = {
  ...EVENT_LABELS,
  'report.issued': '签发报告',
  'enterprise.registered': '企业注册',
  'enterprise.credit_code_reviewed': '信用代码复核',
  'enterprise.activated': '启用企业',
  'enterprise.deactivated': '停用企业',
  'user.created': '创建账号',
  'user.password_changed': '修改密码',
  'user.password_reset': '重置密码',
  'user.activated': '启用账号',
  'user.deactivated': '停用账号',
  'node.created': '新建网点',
  'node.updated': '修改网点',
  'node.activated': '启用网点',
  'node.deactivated': '停用网点',
  'node_service.created': '网点开通服务',
  'node_service.activated': '启用网点服务',
  'node_service.deactivated': '停用网点服务',
  'node_service.capacity_changed': '调整名额',
  'closure.created': '设置暂停服务',
  'closure.removed': '取消暂停服务',
  'service.created': '新建服务',
  'service.updated': '修改服务',
  'service.activated': '上线服务',
  'service.deactivated': '下线服务',
  ...EQUIPMENT_AUDIT_LABELS,
};

export function makeAuditService(db: Db) {
  return {
    async list(user: Principal, query: { actor?: string; booking?: string; action?: string; from?: string; to?: string; page: number }) {
      assertCan(user, 'audit.read');
      const filter: EventFilter = {};
      let unknownBooking = false;
      if (query.actor) filter.actorQuery = query.actor;
      if (query.action && Object.hasOwn(AUDIT_ACTIONS, query.action)) filter.action = query.action;
      if (query.from && isIsoDate(query.from)) filter.from = dayjs.tz(query.from, TZ).toDate();
      if (query.to && isIsoDate(query.to)) filter.to = dayjs.tz(query.to, TZ).add(1, 'day').toDate();
      if (query.booking) {
        const booking = await findBookingByNumber(db, query.booking.trim().toUpperCase());
        if (booking) {
          filter.entityType = 'booking';
          filter.entityId = String(booking.id);
        } else unknownBooking = true;
      }
      const { rows, total } = unknownBooking ? { rows: [], total: 0 } : await listEvents(db, filter, { limit: PAGE_SIZE, offset: (query.page - 1) * PAGE_SIZE });
      return { rows, total, page: query.page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)), actions: AUDIT_ACTIONS, unknownBooking };
    },
  };
}

export type AuditService = ReturnType<typeof makeAuditService>;
