import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { users } from '../db/schema.js';

/**
 * 大字版 (适老化, the direction of GB/T 37668): larger text and higher contrast on every page. A signed-in user's
 * choice is kept on the account (so it follows them to any device); a visitor's in a cookie of this browser.
 */
export const LARGE_TEXT_COOKIE = 'nqi_display';
export const LARGE_TEXT_VALUE = 'large';
/** A year: a display preference, nothing to protect. */
export const LARGE_TEXT_COOKIE_MAX_AGE_MS = 365 * 24 * 3600_000;

export async function setLargeText(ex: Executor, userId: number, on: boolean): Promise<void> {
  await ex.update(users).set({ largeText: on, updatedAt: sql`now()` }).where(eq(users.id, userId));
}

/** The visitor's choice from the Cookie header (no cookie parser needed for one value). */
export function largeTextFromCookie(header: string | undefined): boolean {
  return (header ?? '').split(';').some((part) => part.trim() === `${LARGE_TEXT_COOKIE}=${LARGE_TEXT_VALUE}`);
}
