import { NEED_TYPES, PREFERRED_WAYS } from './needs.schemas.js';

export const NEED_STATUS_LABELS = { submitted: '待接单', assigned: '已指派', answering: '答复中', resolved: '已答复', rated: '已评价', closed: '已关闭' } as const;

export function needStatusBadge(status: keyof typeof NEED_STATUS_LABELS): string {
  return status === 'rated' || status === 'resolved' ? 'text-bg-success' : status === 'closed' ? 'text-bg-secondary' : status === 'submitted' ? 'text-bg-warning' : 'text-bg-primary';
}

export const needLabels = { status: NEED_STATUS_LABELS, ways: PREFERRED_WAYS, types: NEED_TYPES, badge: needStatusBadge };
