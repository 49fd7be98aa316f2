import type { Principal } from '../auth/access.js';
import { bundleForm, listBundles, saveBundle, setBundleActive } from './bundles.js';
import type { ChainsDeps } from './context.js';
import { fileChain, planChain } from './file.js';
import { rerouteStep, scheduleReadySteps } from './schedule.js';
import { listChainsFor, rateChain, trackChain } from './tracker.js';
import { coordinatorBoard } from './coordinator.js';
import { coordinatorCandidates, setCoordinator } from './coordinators.js';

/** The whole-chain service (一件事): bundles, requests, the tracker and the coordinator's board. */
export function makeChainsService(deps: ChainsDeps) {
  return {
    bundles: (opts: { activeOnly: boolean }) => listBundles(deps, opts),
    bundleForm: (user: Principal, code: string | null) => bundleForm(deps, user, code),
    saveBundle: (user: Principal, code: string | null, body: Record<string, unknown>) => saveBundle(deps, user, code, body),
    setBundleActive: (user: Principal, code: string, active: boolean) => setBundleActive(deps, user, code, active),
    plan: (user: Principal, code: string) => planChain(deps, user, code),
    file: (user: Principal, body: Record<string, unknown>) => fileChain(deps, user, body),
    track: (user: Principal, number: string) => trackChain(deps, user, number),
    rate: (user: Principal, number: string, input: unknown) => rateChain(deps, user, number, input),
    list: (user: Principal) => listChainsFor(deps, user),
    board: (user: Principal) => coordinatorBoard(deps, user),
    reroute: (user: Principal, stepId: number, input: unknown) => rerouteStep(deps, user, stepId, input),
    coordinators: (user: Principal) => coordinatorCandidates(deps, user),
    setCoordinator: (user: Principal, userId: number, on: boolean) => setCoordinator(deps, user, userId, on),
    /** After a booking completes (commit done): books the steps it unblocked. */
    scheduleReady: (chainId?: number) => scheduleReadySteps(deps, chainId),
  };
}

export type ChainsService = ReturnType<typeof makeChainsService>;
