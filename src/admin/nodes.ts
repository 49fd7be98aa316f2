import { assertCan, type Principal } from '../auth/access.js';
import { ValidationError, NotFoundError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import { nodeSchema } from './admin.schemas.js';
import { auditChange, changeNetwork, todayOf, type NetworkDeps } from './context.js';
import * as repo from './network.repo.js';

/** A node the user may manage (its manager, or the platform); any other is not found. */
export async function nodeInScope(deps: NetworkDeps, user: Principal, id: number) {
  const node = await repo.findNodeRow(deps.db, id);
  if (!node) throw new NotFoundError('该网点不存在。');
  assertCan(user, 'node.manage', { nodeId: node.id });
  return node;
}

async function checkNode(deps: NetworkDeps, input: unknown, exceptId?: number) {
  const v = parseInput(nodeSchema, input);
  if (await repo.nodeCodeTaken(deps.db, v.code, exceptId)) throw new ValidationError({ code: '网点编号已被使用' });
  return v;
}

export async function nodeFormOptions(deps: NetworkDeps, user: Principal) {
  assertCan(user, 'catalog.manage');
  const { parks } = await repo.referenceLists(deps.db);
  return { parks };
}

export function listNodes(deps: NetworkDeps, user: Principal) {
  assertCan(user, 'catalog.manage');
  return repo.listNodesForAdmin(deps.db);
}

/** A node's page for its manager or the platform: offerings with capacity, closures ahead. */
export async function nodeDetail(deps: NetworkDeps, user: Principal, id: number) {
  const { db } = deps;
  const node = await nodeInScope(deps, user, id);
  const [offerings, closures, refs, services] = await Promise.all([
    repo.offeringsOfNode(db, id),
    repo.closuresOfNode(db, id, todayOf(deps)),
    repo.referenceLists(db),
    repo.listServicesForAdmin(db),
  ]);
  const offered = new Set(offerings.map((o) => o.offering.serviceId));
  return { node, offerings, closures, parks: refs.parks, addable: services.filter((s) => !offered.has(s.service.id) && s.service.active) };
}

export async function createNode(deps: NetworkDeps, user: Principal, input: unknown) {
  assertCan(user, 'catalog.manage');
  const v = await checkNode(deps, input);
  return changeNetwork(deps, async (tx) => {
    const node = await repo.insertNode(tx, { ...v, contactName: v.contactName, description: v.description, sortOrder: 100 });
    await auditChange(tx, user, 'node', node.id, 'node.created', null, node);
    return node;
  });
}

export async function updateNode(deps: NetworkDeps, user: Principal, id: number, input: unknown) {
  assertCan(user, 'catalog.manage');
  const before = await nodeInScope(deps, user, id);
  const v = await checkNode(deps, input, id);
  return changeNetwork(deps, async (tx) => {
    const after = await repo.updateNode(tx, id, v);
    await auditChange(tx, user, 'node', id, 'node.updated', before, after);
    return after;
  });
}

/** Deactivating hides the node from the catalog and booking; its history stays readable. */
export async function setNodeActive(deps: NetworkDeps, user: Principal, id: number, active: boolean) {
  assertCan(user, 'catalog.manage');
  const before = await nodeInScope(deps, user, id);
  await changeNetwork(deps, async (tx) => {
    const after = await repo.updateNode(tx, id, { active });
    await auditChange(tx, user, 'node', id, active ? 'node.activated' : 'node.deactivated', { active: before.active }, { active: after.active });
  });
}
