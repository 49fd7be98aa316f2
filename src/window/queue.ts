import { assertCan, type Principal } from '../auth/access.js';
import { listCategories, findNode } from '../catalog/catalog.repo.js';
import { nextDailySequence } from '../bookings/bookings.repo.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { shanghaiDate } from '../shared/time.js';
import { parseInput } from '../shared/validation.js';
import type { WindowDeps } from './context.js';
import * as repo from './window.repo.js';
import { ticketSchema } from './window.schemas.js';

/** A ticket's number as called out and shown: the category's letter and three digits (J007). */
export const ticketLabel = (t: { prefix: string; number: number }) => `${t.prefix.charAt(0)}${String(t.number).padStart(3, '0')}`;

/** Which moves a ticket can make: call (again) while waiting or called; served / no-show once called. */
const MOVES = {
  call: { from: ['waiting', 'called'], to: 'called' },
  serve: { from: ['called'], to: 'served' },
  no_show: { from: ['called'], to: 'no_show' },
} as const;
export type TicketMove = keyof typeof MOVES;
export const isTicketMove = (v: string): v is TicketMove => Object.hasOwn(MOVES, v);

function summarise(tickets: Awaited<ReturnType<typeof repo.ticketsOfDay>>) {
  const labelled = tickets.map((t) => ({ ...t, label: ticketLabel(t) }));
  const waits = labelled.filter((t) => t.calledAt).map((t) => (t.calledAt!.getTime() - t.issuedAt.getTime()) / 60_000);
  return {
    tickets: labelled,
    waiting: labelled.filter((t) => t.status === 'waiting'),
    calling: labelled.filter((t) => t.status === 'called').sort((a, b) => b.calledAt!.getTime() - a.calledAt!.getTime()),
    served: labelled.filter((t) => t.status === 'served').length,
    noShow: labelled.filter((t) => t.status === 'no_show').length,
    avgWaitMinutes: waits.length ? Math.round(waits.reduce((a, b) => a + b, 0) / waits.length) : null,
  };
}

/** The staff member's queue console: today's tickets at their node. */
export async function queueConsole(deps: WindowDeps, staff: Principal) {
  assertCan(staff, 'window.operate');
  const day = shanghaiDate(deps.clock.now());
  const [tickets, categories] = await Promise.all([repo.ticketsOfDay(deps.db, staff.nodeId, day), listCategories(deps.db)]);
  return { day, categories, ...summarise(tickets) };
}

/** 取号: the next number of the day at the node (one counter row per node and day, incremented under its lock). */
export async function issueTicket(deps: WindowDeps, staff: Principal, input: unknown) {
  assertCan(staff, 'window.operate');
  const { categoryCode } = parseInput(ticketSchema, input);
  const categories = await listCategories(deps.db);
  const category = categories.find((c) => c.code === categoryCode);
  if (!category) throw new ValidationError({ categoryCode: '请选择有效的办理事项' });
  const now = deps.clock.now();
  const day = shanghaiDate(now);
  return inTransaction(deps.db, async (tx) => {
    const number = await nextDailySequence(tx, `Q${staff.nodeId}`, day);
    const id = await repo.insertTicket(tx, { nodeId: staff.nodeId, day, number, categoryCode, issuedAt: now });
    await recordEvent(tx, { actorUserId: staff.id, entityType: 'queue_ticket', entityId: id, action: 'queue.issued', toState: 'waiting', data: { nodeId: staff.nodeId, day, number, categoryCode } });
    return { id, label: ticketLabel({ prefix: category.bookingPrefix, number }), categoryName: category.name };
  });
}

/** Call, serve or mark a no-show: under the ticket's row lock, from the states the move allows. */
export async function moveTicket(deps: WindowDeps, staff: Principal, id: number, move: TicketMove): Promise<void> {
  assertCan(staff, 'window.operate');
  const now = deps.clock.now();
  await inTransaction(deps.db, async (tx) => {
    const ticket = await repo.findTicketForUpdate(tx, id);
    if (!ticket || ticket.nodeId !== staff.nodeId) throw new NotFoundError('该号不存在。');
    const rule = MOVES[move];
    if (!(rule.from as readonly string[]).includes(ticket.status)) throw new ConflictError('该号的状态已变化，请刷新后再操作。', 'ticket_state');
    await repo.updateTicket(tx, id, move === 'call' ? { status: 'called', calledAt: now, calledBy: staff.id } : { status: rule.to, finishedAt: now });
    await recordEvent(tx, { actorUserId: staff.id, entityType: 'queue_ticket', entityId: id, action: `queue.${move}`, fromState: ticket.status, toState: rule.to });
  });
}

/** The public screen of a node's queue (no names, only numbers). */
export async function queueScreen(deps: WindowDeps, nodeId: number) {
  const node = await findNode(deps.db, nodeId);
  if (!node || !node.active) throw new NotFoundError();
  const day = shanghaiDate(deps.clock.now());
  const s = summarise(await repo.ticketsOfDay(deps.db, nodeId, day));
  return { node, day, calling: s.calling.slice(0, 4), waiting: s.waiting.slice(0, 12), waitingCount: s.waiting.length, avgWaitMinutes: s.avgWaitMinutes, served: s.served };
}
