import type { Db } from '../db/client.js';
import { TtlCache } from '../shared/cache.js';
import * as repo from './catalog.repo.js';

/**
 * Reference data the working pages read on every view (node names for filters, a node's services, oil test item
 * names) but that changes a few times a year. Cached per process for the cache's lifetime; the network service
 * clears the cache when it changes any of it, so the process that made the change sees it at once.
 */
export function makeReferenceData(db: Db, cache: TtlCache<unknown> = new TtlCache<unknown>(30_000)) {
  const cached = cache.get.bind(cache);
  const oilTestItems = () => cached('ref|oil-items', () => repo.listOilTestItems(db));
  return {
    nodes: (opts: { includeInactive?: boolean } = {}) => cached(`ref|nodes|${opts.includeInactive ? 'all' : 'active'}`, () => repo.listNodes(db, opts)),
    node: (id: number) => cached(`ref|node|${id}`, () => repo.findNode(db, id)),
    servicesOfNode: (nodeId: number) => cached(`ref|node-services|${nodeId}`, () => repo.servicesOfNode(db, nodeId)),
    oilTestItems,
    /** Oil test item code → name. */
    oilItemNames: () => cached('ref|oil-item-names', async () => Object.fromEntries((await oilTestItems()).map((i) => [i.code, i.name])) as Record<string, string>),
  };
}

export type ReferenceData = ReturnType<typeof makeReferenceData>;
