import { z } from 'zod';
import { ValidationError } from '../shared/errors.js';
import { addDays, isIsoDate } from '../shared/time.js';
import { optionalId, parseInput, requiredText } from '../shared/validation.js';
import { itemKey } from './results.js';

/** A reason the other side reads (rejection, correction request, retraction, revocation …), named for its step. */
export function reasonSchema(label: string) {
  return z.object({ reason: requiredText(label, { min: 2, max: 500 }) });
}

export function parseReason(body: unknown, label: string): string {
  return parseInput(reasonSchema(label), body).reason;
}

/** Start: who does the work (default: the one who starts it). */
export const startSchema = z.object({ assignee: optionalId('检测人员') });

/**
 * Reception: a sample code / instrument label per line (not for consultations), and the agreed visit date for
 * on-site work (within the last 30 and the next 90 days).
 */
export function parseReception(body: Record<string, unknown>, lines: { id: number }[], opts: { kind: string; onSite: boolean; today: string }) {
  const errors: Record<string, string> = {};
  const given = body.labels && typeof body.labels === 'object' ? (body.labels as Record<string, unknown>) : {};
  const states = body.conditions && typeof body.conditions === 'object' ? (body.conditions as Record<string, unknown>) : {};
  const labels = lines.map((item) => {
    const raw = given[itemKey(item.id)];
    const label = typeof raw === 'string' ? raw.trim() : '';
    if (opts.kind !== 'consultation' && !label) errors[`labels.${item.id}`] = opts.kind === 'oil_test' ? '请填写样品编号' : '请填写器具标签号';
    if (label.length > 40) errors[`labels.${item.id}`] = '编号不能超过 40 个字符';
    // 样品状态 / 外观 on receipt (optional; printed on the report).
    const rawState = states[itemKey(item.id)];
    const condition = typeof rawState === 'string' ? rawState.trim() : '';
    if (condition.length > 100) errors[`conditions.${item.id}`] = '样品状态 / 外观不能超过 100 个字';
    return { id: item.id, label, condition: condition || null };
  });
  let visitDate: string | null = null;
  if (opts.onSite) {
    visitDate = typeof body.visitDate === 'string' ? body.visitDate : '';
    if (!isIsoDate(visitDate)) errors.visitDate = '请填写上门日期（年-月-日）';
    else if (visitDate < addDays(opts.today, -30) || visitDate > addDays(opts.today, 90)) errors.visitDate = '上门日期应在近 30 天至未来 90 天之间';
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return { labels, visitDate };
}
