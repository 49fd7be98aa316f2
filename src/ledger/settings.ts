import { assertCan, type Principal } from '../auth/access.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { parseInput } from '../shared/validation.js';
import { activeFeedOf } from './calendar.repo.js';
import type { LedgerDeps } from './context.js';
import * as repo from './ledger.repo.js';
import { settingsSchema } from './ledger.schemas.js';

/** The reminders page: the company's e-mail choice, whether e-mail can be sent at all, the user's calendar feed. */
export async function ledgerSettingsPage(deps: LedgerDeps, user: Principal) {
  assertCan(user, 'ledger.manage');
  const [settings, feed] = await Promise.all([repo.findSettings(deps.db, user.enterpriseId), activeFeedOf(deps.db, user.id)]);
  return { emailReminders: settings?.emailReminders ?? false, emailAvailable: deps.outbox.canSend('email'), hasEmail: Boolean(user.email), feed };
}

/** E-mail reminders on or off for the whole company (audited). */
export async function saveLedgerSettings(deps: LedgerDeps, user: Principal, input: unknown): Promise<boolean> {
  assertCan(user, 'ledger.manage');
  const { emailReminders } = parseInput(settingsSchema, input);
  const before = (await repo.findSettings(deps.db, user.enterpriseId))?.emailReminders ?? false;
  if (before === emailReminders) return emailReminders;
  await inTransaction(deps.db, async (tx) => {
    await repo.saveSettings(tx, user.enterpriseId, emailReminders, user.id);
    await recordEvent(tx, { actorUserId: user.id, entityType: 'enterprise', entityId: user.enterpriseId, action: 'ledger.settings_changed', note: emailReminders ? '开启到期邮件提醒' : '关闭到期邮件提醒', data: { before: { emailReminders: before }, after: { emailReminders } } });
  });
  return emailReminders;
}
