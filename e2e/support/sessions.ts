import { expect } from 'chai';
import { DESKTOP, newSession, type Session } from './browser.js';
import { env } from './hooks.js';

/**
 * The sessions a block of journeys opens, checked after each test: every page every session loaded passed axe
 * (no serious or critical violation) and logged no error (a CSP violation would). Call inside `describe`.
 */
export function checkedSessions(): (viewport?: typeof DESKTOP) => Promise<Session> {
  const open: Session[] = [];
  afterEach(async () => {
    const sessions = open.splice(0);
    const violations = (await Promise.all(sessions.map((s) => s.a11y()))).flat();
    const problems = sessions.flatMap((s) => s.problems);
    await Promise.all(sessions.map((s) => s.context.close().catch(() => undefined)));
    expect(violations, 'accessibility (axe, serious/critical)').to.deep.equal([]);
    expect(problems, 'browser console errors').to.deep.equal([]);
  });
  return async (viewport = DESKTOP) => {
    const s = await newSession(env.browser!, viewport);
    open.push(s);
    return s;
  };
}
