import type { Principal } from '../auth/access.js';
import { addClosure, removeClosure } from './closures.js';
import type { NetworkDeps } from './context.js';
import { createNode, listNodes, nodeDetail, nodeFormOptions, setNodeActive, updateNode } from './nodes.js';
import { addOffering, setCapacity, setOfferingActive } from './offerings.js';
import { createService, listServices, serviceForm, setServiceActive, updateService } from './services-catalog.js';

export type { NetworkDeps } from './context.js';

/**
 * The 1+N network's management face: nodes, the services they offer with their capacity, closures, and the catalog —
 * each use case in its own module (nodes, offerings, closures, services-catalog), bound to the dependencies here.
 */
export function makeNetworkService(deps: NetworkDeps) {
  return {
    nodeFormOptions: (user: Principal) => nodeFormOptions(deps, user),
    listNodes: (user: Principal) => listNodes(deps, user),
    nodeDetail: (user: Principal, id: number) => nodeDetail(deps, user, id),
    createNode: (user: Principal, input: unknown) => createNode(deps, user, input),
    updateNode: (user: Principal, id: number, input: unknown) => updateNode(deps, user, id, input),
    setNodeActive: (user: Principal, id: number, active: boolean) => setNodeActive(deps, user, id, active),
    addOffering: (user: Principal, nodeId: number, input: unknown) => addOffering(deps, user, nodeId, input),
    setOfferingActive: (user: Principal, nodeId: number, offeringId: number, active: boolean) => setOfferingActive(deps, user, nodeId, offeringId, active),
    setCapacity: (user: Principal, nodeId: number, offeringId: number, input: unknown) => setCapacity(deps, user, nodeId, offeringId, input),
    addClosure: (user: Principal, nodeId: number, input: unknown) => addClosure(deps, user, nodeId, input),
    removeClosure: (user: Principal, nodeId: number, closureId: number) => removeClosure(deps, user, nodeId, closureId),
    listServices: (user: Principal) => listServices(deps, user),
    serviceForm: (user: Principal, id?: number) => serviceForm(deps, user, id),
    createService: (user: Principal, input: unknown) => createService(deps, user, input),
    updateService: (user: Principal, id: number, input: unknown) => updateService(deps, user, id, input),
    setServiceActive: (user: Principal, id: number, active: boolean) => setServiceActive(deps, user, id, active),
  };
}

export type NetworkService = ReturnType<typeof makeNetworkService>;
