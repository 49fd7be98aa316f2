import { assertCoordinator, type Principal } from '../auth/access.js';
import type { ChainsDeps } from './context.js';
import { nodeChoices } from './file.js';
import * as repo from './chains.repo.js';
import { listChainsFor } from './tracker.js';

/**
 * The coordinator's board: every open chain with its stalled steps and SLA breaches (past the expected end), and for
 * each step that can still move, the other nodes offering its service with their next windows.
 */
export async function coordinatorBoard(deps: ChainsDeps, user: Principal) {
  assertCoordinator(user);
  const chains = await listChainsFor(deps, user, { openOnly: true });
  const steps = await repo.stepsOfChain(deps.db, chains.map((c) => c.chain.id));
  const kinds = new Map(steps.map((s) => [s.step.id, { serviceId: s.step.serviceId, kind: s.kind }]));
  const attention = chains.flatMap((c) => [...c.stalled, ...c.overdue.filter((o) => !c.stalled.includes(o))].map((s) => ({ chain: c, step: s })));
  const targets = new Map<number, Awaited<ReturnType<typeof nodeChoices>>['choices']>();
  for (const { step } of attention) {
    const k = kinds.get(step.stepId)!;
    targets.set(step.stepId, (await nodeChoices(deps, k.serviceId, k.kind, 4)).choices.filter((n) => n.id !== step.nodeId || step.state === 'ready'));
  }
  return {
    chains,
    attention: attention.map((a) => ({ ...a, targets: targets.get(a.step.stepId) ?? [] })),
    totals: { open: chains.length, stalled: chains.reduce((n, c) => n + c.stalled.length, 0), overdue: chains.reduce((n, c) => n + c.overdue.length, 0) },
  };
}
