import { addWorkingDays, isWorkingDay } from '../calendar/workdays.js';
import { addDays } from '../shared/time.js';

/** First answer within this many working days of submission (holidays and 调休 from the calendar). */
export const RESPONSE_WORKING_DAYS = 3;

/** The day the first answer is due for a need submitted on `day` (a submission on a day off counts from the next working day). */
export function firstAnswerDue(day: string): string {
  let start = day;
  while (!isWorkingDay(start)) start = addDays(start, 1);
  return addWorkingDays(start, RESPONSE_WORKING_DAYS);
}

/** Overdue: no first answer and the due day has passed. */
export function isOverdue(need: { dueDate: string; firstAnswerAt: Date | null; status: string }, today: string): boolean {
  return need.firstAnswerAt === null && !['closed', 'resolved', 'rated'].includes(need.status) && today > need.dueDate;
}
