import { sql } from 'drizzle-orm';
import { rowsOf, type Tx } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { emitWebhook } from '../events/webhooks.js';
import { runOncePerDay } from '../jobs/daily.js';
import { enqueue, type OutboxMessage } from '../outbox/outbox.service.js';
import { addDays, daysBetween } from '../shared/time.js';
import type { LedgerDeps } from './context.js';
import { THRESHOLD_LABELS, type Threshold } from './rules.js';

export const REMINDER_JOB = 'ledger.reminders';
const LINK = '/instruments?due=attention';
const LISTED = 15;

export interface DueRow {
  instrument_id: number;
  enterprise_id: number;
  due_date: string;
  threshold: Threshold;
  name: string;
  serial_no: string;
  /** limited_life: the meter's use limit ends (it is replaced, not recalibrated). */
  regime?: string;
}

/**
 * Records every reminder due today that was never sent, in one statement: each in-use instrument due within 30 days
 * (or overdue) gets the most urgent threshold it has reached — 30, 7, 0 days, overdue. The primary key (instrument,
 * due date, threshold) refuses a reminder already sent, so a second run sends nothing, and a day missed while the
 * platform was down is caught up by the next run (an instrument that crossed "30 days" meanwhile still gets it).
 */
async function claimReminders(tx: Tx, day: string): Promise<DueRow[]> {
  const result = await tx.execute(sql`
    WITH due AS (
      SELECT id, enterprise_id, next_due_date,
             CASE WHEN next_due_date < ${day}::date THEN 'overdue'
                  WHEN next_due_date = ${day}::date THEN '0'
                  WHEN next_due_date <= ${addDays(day, 7)}::date THEN '7'
                  ELSE '30' END AS threshold
      FROM instruments
      WHERE status = 'in_use' AND next_due_date <= ${addDays(day, 30)}::date
    ), sent AS (
      INSERT INTO reminders_sent (instrument_id, due_date, threshold, enterprise_id, sent_on)
      SELECT id, next_due_date, threshold, enterprise_id, ${day}::date FROM due
      ON CONFLICT DO NOTHING
      RETURNING instrument_id, enterprise_id, due_date, threshold)
    SELECT s.instrument_id, s.enterprise_id, s.due_date::text AS due_date, s.threshold, i.name, i.serial_no, i.regime
    FROM sent s JOIN instruments i ON i.id = s.instrument_id
    ORDER BY s.enterprise_id, s.due_date, i.name`);
  return rowsOf<DueRow>(result);
}

/** One company's message: counts by threshold in the title, the instruments listed (most urgent first). */
export function reminderMessage(rows: DueRow[], day: string) {
  const order: Threshold[] = ['overdue', '0', '7', '30'];
  const counts = order.map((t) => [t, rows.filter((r) => r.threshold === t).length] as const).filter(([, n]) => n > 0);
  const title = `计量器具到期提醒：${counts.map(([t, n]) => `${n} 台${/^\d/.test(THRESHOLD_LABELS[t]) ? ' ' : ''}${THRESHOLD_LABELS[t]}`).join('，')}`;
  const lines = [...rows]
    .sort((a, b) => order.indexOf(a.threshold) - order.indexOf(b.threshold) || a.due_date.localeCompare(b.due_date))
    .slice(0, LISTED)
    .map((r) => {
      const days = daysBetween(day, r.due_date);
      const what = r.regime === 'limited_life' ? '使用期限届满（须到期轮换）' : '到期';
      return `${r.name}（出厂编号 ${r.serial_no}）${r.due_date} ${what}，${days < 0 ? `已超期 ${-days} 天` : days === 0 ? '就是今天' : `还有 ${days} 天`}`;
    });
  const more = rows.length > LISTED ? `\n……等共 ${rows.length} 台。` : '';
  const body = `${lines.join('\n')}${more}\n属于强制检定的器具，到期未检定不得继续使用。可在台账中勾选后“一键预约”检定/校准。`;
  return { title, body };
}

async function notifyCompanies(tx: Tx, messages: { enterpriseId: number; title: string; body: string }[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 1000) {
    const values = messages.slice(i, i + 1000).map((m) => sql`(${m.enterpriseId}::int, ${m.title}, ${m.body})`);
    await tx.execute(sql`
      INSERT INTO notifications (user_id, title, body, link)
      SELECT u.id, v.title, v.body, ${LINK} FROM (VALUES ${sql.join(values, sql`, `)}) AS v(enterprise_id, title, body)
      JOIN users u ON u.enterprise_id = v.enterprise_id AND u.active AND u.role = 'enterprise'`);
  }
}

/** E-mails for the companies that opted in, one per colleague with an address, through the outbox (same transaction). */
async function emailCompanies(deps: LedgerDeps, tx: Tx, messages: { enterpriseId: number; title: string; body: string }[]): Promise<number> {
  if (!deps.outbox.canSend('email') || messages.length === 0) return 0;
  const ids = messages.map((m) => m.enterpriseId);
  const result = await tx.execute(sql`
    SELECT u.enterprise_id, u.email, u.name FROM users u
    JOIN ledger_settings s ON s.enterprise_id = u.enterprise_id AND s.email_reminders
    WHERE u.active AND u.role = 'enterprise' AND u.email IS NOT NULL AND u.enterprise_id = ANY(${`{${ids.join(',')}}`}::int[])`);
  const byCompany = new Map(messages.map((m) => [m.enterpriseId, m]));
  const mails: OutboxMessage[] = rowsOf<{ enterprise_id: number; email: string; name: string }>(result).map((u) => {
    const m = byCompany.get(u.enterprise_id)!;
    const text = `${u.name}，您好：\n\n${m.body}\n\n查看台账：${deps.publicUrl}${LINK}\n\n——舟山市质量基础设施一站式服务平台\n（贵单位在平台开启了到期邮件提醒；如需关闭，请登录平台，在“计量器具台账 → 提醒与日历订阅”中关闭。）`;
    return { kind: 'email', payload: { to: u.email, subject: m.title, text } };
  });
  await enqueue(tx, mails);
  return mails.length;
}

/** Today's reminders in the caller's transaction: claimed, grouped per company, sent as 站内信 (and e-mail). */
export async function sendReminders(deps: LedgerDeps, tx: Tx, day: string) {
  const rows = await claimReminders(tx, day);
  const perCompany = new Map<number, DueRow[]>();
  for (const r of rows) (perCompany.get(r.enterprise_id) ?? perCompany.set(r.enterprise_id, []).get(r.enterprise_id)!).push(r);
  const messages = [...perCompany].map(([enterpriseId, list]) => ({ enterpriseId, ...reminderMessage(list, day) }));
  await notifyCompanies(tx, messages);
  const emails = await emailCompanies(deps, tx, messages);
  for (const [enterpriseId, list] of perCompany) {
    await emitWebhook(tx, 'instrument.due', { enterpriseId }, { day, instruments: list.map((r) => ({ id: r.instrument_id, name: r.name, serialNo: r.serial_no, dueDate: r.due_date, threshold: r.threshold })) });
  }
  return { reminders: rows.length, companies: messages.length, emails };
}

/**
 * The daily job: once per day whatever the number of processes (job_runs), or — `force` — again regardless (the
 * benchmark's second run, which must send nothing because every reminder is already recorded).
 */
export async function runReminderJob(deps: LedgerDeps, day: string, opts: { force?: boolean } = {}) {
  if (opts.force) return { ran: true as const, stats: await inTransaction(deps.db, (tx) => sendReminders(deps, tx, day)) };
  return runOncePerDay(deps.db, REMINDER_JOB, day, (tx) => sendReminders(deps, tx, day));
}
