import { createHash, randomBytes } from 'node:crypto';
import type { EventAttributes } from 'ics';
import { assertCan, type Principal } from '../auth/access.js';
import { HALF_DAY_WINDOWS } from '../capacity/availability.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { NotFoundError } from '../shared/errors.js';
import { addDays } from '../shared/time.js';
import * as repo from './calendar.repo.js';
import { todayOf, type LedgerDeps } from './context.js';

/* The company's calendar as iCalendar: booked windows and instrument due dates, behind a secret per-user URL. Only
   the SHA-256 of the token is stored (the token has 192 random bits, so a fast hash is enough); a new address
   revokes the old one, and the user can revoke it outright. */

const TOKEN_RE = /^([A-Za-z0-9_-]{32})\.ics$/;
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
export const feedUrl = (publicUrl: string, token: string) => `${publicUrl}/calendar/${token}.ics`;

export async function feedStatus(deps: LedgerDeps, user: Principal) {
  assertCan(user, 'ledger.manage');
  return repo.activeFeedOf(deps.db, user.id);
}

/** A new secret address (the previous one stops working); returned once, never stored. */
export async function createFeed(deps: LedgerDeps, user: Principal): Promise<string> {
  assertCan(user, 'ledger.manage');
  const token = randomBytes(24).toString('base64url');
  await inTransaction(deps.db, async (tx) => {
    const revoked = await repo.revokeFeedsOf(tx, user.id);
    await repo.insertFeed(tx, user.id, hashOf(token));
    await recordEvent(tx, { actorUserId: user.id, entityType: 'user', entityId: user.id, action: 'calendar.feed_created', note: revoked ? '重新生成日历订阅地址（原地址已停用）' : '生成日历订阅地址' });
  });
  return feedUrl(deps.publicUrl, token);
}

export async function revokeFeed(deps: LedgerDeps, user: Principal): Promise<boolean> {
  assertCan(user, 'ledger.manage');
  return inTransaction(deps.db, async (tx) => {
    const revoked = await repo.revokeFeedsOf(tx, user.id);
    if (revoked) await recordEvent(tx, { actorUserId: user.id, entityType: 'user', entityId: user.id, action: 'calendar.feed_revoked', note: '停用日历订阅地址' });
    return revoked > 0;
  });
}

/** A Shanghai wall-clock time of a day as a UTC instant (UTC+8 all year). */
const shanghai = (date: string, hhmm: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)), Number(hhmm.slice(0, 2)) - 8, Number(hhmm.slice(3, 5)));
const dateArray = (date: string): [number, number, number] => [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];

function bookingEvent(deps: LedgerDeps, b: Awaited<ReturnType<typeof repo.bookedWindows>>[number]): EventAttributes {
  const half = HALF_DAY_WINDOWS.find((w) => w.key === b.window);
  const start = shanghai(b.date, half?.start ?? b.window);
  return {
    uid: `booking-${b.number}@nqi-one-stop`,
    title: `预约 ${b.number}：${b.serviceName}`,
    description: `${b.nodeName}，${b.units} 台（件）。查看预约：${deps.publicUrl}/bookings/${b.number}`,
    location: `${b.nodeName}（${b.nodeAddress}）`,
    url: `${deps.publicUrl}/bookings/${b.number}`,
    start,
    startInputType: 'utc',
    startOutputType: 'utc',
    duration: half ? { hours: 3, minutes: 30 } : { hours: 1 },
    status: b.status === 'submitted' || b.status === 'needs_info' ? 'TENTATIVE' : 'CONFIRMED',
  };
}

function dueEvent(deps: LedgerDeps, i: Awaited<ReturnType<typeof repo.dueDates>>[number]): EventAttributes {
  const title = `到期：${i.name}（${i.serialNo}）${i.compulsory ? '·强检' : ''}`;
  return {
    uid: `instrument-${i.id}-${i.nextDueDate}@nqi-one-stop`,
    title,
    description: `下次检定/校准日期 ${i.nextDueDate}${i.department ? `，${i.department}` : ''}。查看台账：${deps.publicUrl}/instruments/${i.id}`,
    url: `${deps.publicUrl}/instruments/${i.id}`,
    start: dateArray(i.nextDueDate!),
    end: dateArray(addDays(i.nextDueDate!, 1)),
    transp: 'TRANSPARENT',
    alarms: [{ action: 'display', description: title, trigger: { days: 7, before: true } }],
  };
}

/** The feed for a secret address; an unknown, revoked or malformed one is "not found". */
export async function renderFeed(deps: LedgerDeps, file: string): Promise<string> {
  const token = TOKEN_RE.exec(file)?.[1];
  const feed = token ? await repo.feedByHash(deps.db, hashOf(token)) : undefined;
  if (!feed?.enterpriseId) throw new NotFoundError('该日历订阅地址不存在或已停用。');
  const today = todayOf(deps);
  const [windows, dues] = await Promise.all([repo.bookedWindows(deps.db, feed.enterpriseId, addDays(today, -60)), repo.dueDates(deps.db, feed.enterpriseId, addDays(today, -365), addDays(today, 730))]);
  await repo.touchFeed(deps.db, feed.id);
  const events = [...windows.map((b) => bookingEvent(deps, b)), ...dues.map((i) => dueEvent(deps, i))];
  const { createEvents } = await import('ics'); // loaded with the first feed, not at start
  const { error, value } = createEvents(events, { productId: 'nqi-one-stop/ledger', calName: `${feed.companyName} · 检定预约与到期` });
  if (error || value === null) throw error ?? new Error('calendar feed could not be built');
  return value;
}
