import type { Principal } from '../auth/access.js';
import type { Db, Tx } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { shanghaiDate, type Clock } from '../shared/time.js';

/** What the network's use cases (nodes, offerings, closures, the catalog) work with; built once by the composition root. */
export interface NetworkDeps {
  db: Db;
  clock: Clock;
  /** Told after every committed change, so the public catalog pages show it at once in this process. */
  onCatalogChange?: () => void;
}

/** What the account use cases (staff users, companies) work with. */
export interface AccountsDeps {
  db: Db;
  /** Signs a user out everywhere (deactivated, password reset). */
  destroySessions: (userId: number) => Promise<void>;
}

export const todayOf = (deps: Pick<NetworkDeps, 'clock'>) => shanghaiDate(deps.clock.now());

/** Runs a change of the network in one transaction, then tells the catalog cache. */
export async function changeNetwork<T>(deps: NetworkDeps, work: (tx: Tx) => Promise<T>): Promise<T> {
  const result = await inTransaction(deps.db, work);
  deps.onCatalogChange?.();
  return result;
}

/** Writes a management change with its before/after into the audit log (in the change's transaction). */
export async function auditChange(tx: Tx, actor: Principal, entityType: string, entityId: number, action: string, before: unknown, after: unknown, note?: string) {
  await recordEvent(tx, { actorUserId: actor.id, entityType, entityId, action, note: note ?? null, data: { before: before ?? null, after: after ?? null } });
}
