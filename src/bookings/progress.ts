import { addWorkingDays, dateIsEstimated } from '../calendar/workdays.js';
import { closedDatesFrom } from '../capacity/capacity.repo.js';
import type { Executor } from '../db/client.js';
import { formatDateWithWeekday, shanghaiDate } from '../shared/time.js';
import { MAIN_PATH, STAGE_LABELS, STATUS_LABELS, type BookingStatus, type MainStage } from './lifecycle.js';

/**
 * The 办件进度 bar: every stage of the main path with the date it was reached, and for the stages still ahead the
 * date they are expected — the due date counted in working days (from acceptance, or from the booked window when that
 * is later; before acceptance estimated from the booked window and the service's turnaround). A refused or cancelled
 * booking ends where it stopped. Shown to the company, on the lab's workbench and on the public /track page, so it
 * holds dates and stage names only.
 */

/** The due date rule: `turnaroundDays` working days from acceptance, or from the booked window when that is later. */
export function dueDateFrom(bookedDate: string, acceptedOn: string, turnaroundDays: number, closed?: ReadonlySet<string>): string {
  const start = bookedDate > acceptedOn ? bookedDate : acceptedOn;
  return addWorkingDays(start, turnaroundDays, closed);
}

/** The due date for a booking counted from a day (its acceptance, or today for an estimate), skipping the node's closed days. */
export async function dueDateFor(ex: Executor, b: { nodeId: number; date: string; turnaroundDays: number }, from: string): Promise<string> {
  return dueDateFrom(b.date, from, b.turnaroundDays, await closedDatesFrom(ex, b.nodeId, from));
}

export type StepState = 'done' | 'next' | 'upcoming' | 'ended';

export interface ProgressStep {
  key: MainStage | 'rejected' | 'cancelled';
  label: string;
  state: StepState;
  /** When the stage was reached (done and ended steps). */
  at: Date | null;
  /** What to expect for a stage ahead: a date and how to read it. */
  expected: { date: string | null; text: string; estimated: boolean } | null;
}

export interface DueDate {
  date: string;
  /** Not fixed yet: computed before acceptance from the booked window. */
  provisional: boolean;
  /** The working days it rests on belong to a year whose official holiday arrangement is not known yet. */
  estimated: boolean;
}

export interface Progress {
  steps: ProgressStep[];
  /** The booking waits for the company (补正), said next to the bar. */
  waiting: string | null;
  due: DueDate | null;
}

interface BookingFacts {
  status: BookingStatus;
  date: string;
  visitDate?: string | null;
  dueDate: string | null;
  turnaroundDays: number;
  closedAt?: Date | null;
}

interface TimelineFact {
  at: Date;
  action: string;
  fromState: string | null;
  toState: string | null;
}

const isMainStage = (s: string | null): s is MainStage => (MAIN_PATH as readonly string[]).includes(s ?? '');

/** When each stage was reached: the first submission, the latest arrival at every later stage (after a retraction). */
function reachedAt(timeline: TimelineFact[]): Map<MainStage, Date> {
  const at = new Map<MainStage, Date>();
  for (const e of timeline) {
    if (!isMainStage(e.toState) || e.fromState === e.toState) continue;
    if (e.toState === 'submitted' && at.has('submitted')) continue;
    at.set(e.toState, new Date(e.at));
  }
  return at;
}

/** The stage a booking stands at: its status, or where it stopped (补正 and refusal come from 待受理). */
function stageIndex(status: BookingStatus, timeline: TimelineFact[]): number {
  if (isMainStage(status)) return MAIN_PATH.indexOf(status);
  if (status === 'needs_info') return 0;
  const closing = [...timeline].reverse().find((e) => e.toState === status);
  return isMainStage(closing?.fromState ?? null) ? MAIN_PATH.indexOf(closing!.fromState as MainStage) : 0;
}

function expectationOf(stage: MainStage, b: BookingFacts, due: DueDate | null): ProgressStep['expected'] {
  const visit = b.visitDate ?? b.date;
  switch (stage) {
    case 'accepted':
      return { date: null, text: `预约日 ${formatDateWithWeekday(b.date)} 前受理`, estimated: false };
    case 'received':
      return { date: visit, text: `预约 ${formatDateWithWeekday(visit)}`, estimated: false };
    case 'reported':
      return due ? { date: due.date, text: `${due.provisional ? '预计' : '办结期限'} ${formatDateWithWeekday(due.date)} 前`, estimated: due.estimated && !due.provisional } : null;
    case 'completed':
      return { date: null, text: '收到报告后确认办结', estimated: false };
    default:
      // the stages of the lab's own work: they happen within the due date, which the report step shows
      return null;
  }
}

/** The progress of a booking from its row and its timeline; `due` as computed by `dueDateOf`. */
export function progressOf(b: BookingFacts, timeline: TimelineFact[], due: DueDate | null): Progress {
  const at = reachedAt(timeline);
  const index = stageIndex(b.status, timeline);
  const ended = b.status === 'rejected' || b.status === 'cancelled';
  const steps: ProgressStep[] = MAIN_PATH.map((stage, i): ProgressStep => {
    const state: StepState = i <= index ? 'done' : i === index + 1 && b.status !== 'needs_info' ? 'next' : 'upcoming';
    return { key: stage, label: STAGE_LABELS[stage], state, at: i <= index ? (at.get(stage) ?? null) : null, expected: i > index ? expectationOf(stage, b, due) : null };
  });
  if (ended) {
    const closing = [...timeline].reverse().find((e) => e.toState === b.status);
    const done = steps.slice(0, index + 1);
    const key = b.status === 'rejected' ? 'rejected' : 'cancelled';
    return { steps: [...done, { key, label: STATUS_LABELS[key], state: 'ended', at: closing ? new Date(closing.at) : (b.closedAt ?? null), expected: null }], waiting: null, due: null };
  }
  return { steps, waiting: b.status === 'needs_info' ? '网点要求补正：请按要求补充材料后重新提交' : null, due };
}

/**
 * The due date a booking shows: the one fixed at acceptance, or — still waiting for acceptance — the estimate from
 * the booked window (or today, when that is later) and the turnaround, skipping the node's closed days.
 */
export async function dueDateOf(ex: Executor, b: BookingFacts & { nodeId: number }, now: Date): Promise<DueDate | null> {
  if (b.dueDate) return { date: b.dueDate, provisional: false, estimated: dateIsEstimated(b.dueDate) };
  if (b.status !== 'submitted' && b.status !== 'needs_info') return null;
  const today = shanghaiDate(now);
  const date = await dueDateFor(ex, b, today);
  return { date, provisional: true, estimated: dateIsEstimated(date) };
}

/** The bar for a booking page: reads the closures it needs and builds the steps. */
export async function bookingProgress(ex: Executor, b: BookingFacts & { nodeId: number }, timeline: TimelineFact[], now: Date): Promise<Progress> {
  return progressOf(b, timeline, await dueDateOf(ex, b, now));
}
