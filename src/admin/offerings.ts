import { assertCan, type Principal } from '../auth/access.js';
import { describeWindow, windowDefs, type BookingKind } from '../capacity/availability.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import { capacitySchema, offeringSchema } from './admin.schemas.js';
import { auditChange, changeNetwork, todayOf, type NetworkDeps } from './context.js';
import * as repo from './network.repo.js';
import { nodeInScope } from './nodes.js';

type CapacityInput = ReturnType<typeof capacitySchema.parse>;
type Capacity = Pick<repo.OfferingRow, 'capacityAm' | 'capacityPm' | 'slotTimes' | 'slotCapacity'>;

const capacityOf = (o: Capacity): Capacity => ({ capacityAm: o.capacityAm, capacityPm: o.capacityPm, slotTimes: o.slotTimes, slotCapacity: o.slotCapacity });

async function offeringInScope(deps: NetworkDeps, user: Principal, nodeId: number, offeringId: number) {
  const node = await nodeInScope(deps, user, nodeId);
  const found = await repo.findOffering(deps.db, offeringId);
  if (!found || found.offering.nodeId !== node.id) throw new NotFoundError('该服务项不存在。');
  return { node, ...found };
}

/** Opens a service at a node with its first capacity. */
export async function addOffering(deps: NetworkDeps, user: Principal, nodeId: number, input: unknown) {
  assertCan(user, 'catalog.manage');
  const node = await nodeInScope(deps, user, nodeId);
  const v = parseInput(offeringSchema, input);
  const service = await repo.findServiceRow(deps.db, v.serviceId);
  if (!service) throw new ValidationError({ serviceId: '请选择有效的服务' });
  if ((await repo.offeringsOfNode(deps.db, nodeId)).some((o) => o.offering.serviceId === v.serviceId)) throw new ValidationError({ serviceId: '该网点已提供此服务' });
  return changeNetwork(deps, async (tx) => {
    const row = await repo.insertOffering(tx, {
      nodeId: node.id,
      serviceId: v.serviceId,
      capacityAm: v.capacityAm,
      capacityPm: v.capacityPm,
      slotTimes: service.bookingKind === 'consultation' ? v.slotTimes : null,
      slotCapacity: v.slotCapacity,
    });
    await auditChange(tx, user, 'node_service', row.id, 'node_service.created', null, row, `${node.shortName} 开通 ${service.name}`);
    return row;
  });
}

export async function setOfferingActive(deps: NetworkDeps, user: Principal, nodeId: number, offeringId: number, active: boolean) {
  assertCan(user, 'catalog.manage');
  const { offering } = await offeringInScope(deps, user, nodeId, offeringId);
  await changeNetwork(deps, async (tx) => {
    const after = await repo.updateOffering(tx, offeringId, { active });
    await auditChange(tx, user, 'node_service', offeringId, active ? 'node_service.activated' : 'node_service.deactivated', { active: offering.active }, { active: after.active });
  });
}

/**
 * The new capacity of every window of an offering: half days from the form, consultation slots by their times. A
 * node's own windows (set on their own page) are not this form's: undefined leaves them as they are.
 */
function windowCapacity(next: Capacity, kind: BookingKind) {
  const keys = new Set(windowDefs(next, kind).map((w) => w.key));
  return (window: string) => (kind === 'consultation' ? (keys.has(window) ? next.slotCapacity : 0) : window === 'am' ? next.capacityAm : window === 'pm' ? next.capacityPm : undefined);
}

/** Windows already booked beyond the new capacity refuse the change, naming (up to five of) them. */
function refuseOverbooked(overbooked: { date: string; window: string; used: number }[], kind: BookingKind): never {
  const list = overbooked.slice(0, 5).map((w) => `${describeWindow(w.date, w.window)} 已约 ${w.used}`).join('；');
  const field = kind === 'consultation' ? 'slotCapacity' : overbooked.some((w) => w.window === 'am') ? 'capacityAm' : 'capacityPm';
  const more = overbooked.length > 5 ? ` 等 ${overbooked.length} 个时段` : '';
  throw new ValidationError({ [field]: `名额不能低于已预约数：${list}${more}。请先联系企业改期或取消。` }, '名额不能低于已预约数');
}

function nextCapacity(offering: repo.OfferingRow, kind: BookingKind, v: CapacityInput): Capacity {
  const next = { capacityAm: v.capacityAm, capacityPm: v.capacityPm, slotTimes: kind === 'consultation' ? v.slotTimes : offering.slotTimes, slotCapacity: v.slotCapacity };
  if (kind === 'consultation' && next.slotTimes && next.slotTimes.length === 0 && v.slotCapacity > 0) {
    throw new ValidationError({ slotTimes: '请填写至少一个咨询时段，或把专家数设为 0' });
  }
  return next;
}

/**
 * Changes the capacity of an offering from today on. Windows already booked beyond the new capacity refuse the
 * change (naming them); windows are locked while checked, so a booking arriving meanwhile cannot slip past.
 */
export async function setCapacity(deps: NetworkDeps, user: Principal, nodeId: number, offeringId: number, input: unknown) {
  const { offering, kind, serviceName } = await offeringInScope(deps, user, nodeId, offeringId);
  const next = nextCapacity(offering, kind, parseInput(capacitySchema, input));
  await changeNetwork(deps, async (tx) => {
    const windows = await repo.lockFutureWindows(tx, offeringId, todayOf(deps));
    const capacityFor = windowCapacity(next, kind);
    const overbooked = windows.filter((w) => w.used > (capacityFor(w.window) ?? w.used));
    if (overbooked.length) refuseOverbooked(overbooked, kind);
    for (const w of windows) {
      const capacity = capacityFor(w.window);
      if (capacity !== undefined && capacity !== w.capacity) await repo.setWindowCapacity(tx, w.id, capacity);
    }
    const after = await repo.updateOffering(tx, offeringId, next);
    await auditChange(tx, user, 'node_service', offeringId, 'node_service.capacity_changed', capacityOf(offering), capacityOf(after), serviceName);
  });
}
