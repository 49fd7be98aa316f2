import type { OutboxRow } from './outbox.repo.js';

export const OUTBOX_STATUS_LABELS: Record<string, string> = { pending: '待发送', sent: '已发送', failed: '发送失败' };
export const OUTBOX_KIND_LABELS: Record<string, string> = { email: '电子邮件', webhook: '接口推送' };

/** Who a message goes to and what it is about, as one line each (never the whole body). */
export function describeMessage(row: Pick<OutboxRow, 'kind' | 'payload'>): { to: string; subject: string } {
  const p = (row.payload ?? {}) as Record<string, unknown>;
  if (row.kind === 'email') return { to: String(p.to ?? ''), subject: String(p.subject ?? '') };
  return { to: String(p.url ?? ''), subject: String(p.event ?? '') };
}
