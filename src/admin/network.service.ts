import { assertCan, type Principal } from '../auth/access.js';
import { recordEvent } from '../events/record.js';
import { describeWindow, windowDefs } from '../capacity/availability.js';
import type { Db, Tx } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { notifyEnterpriseUsers } from '../notifications/notifications.repo.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { addDays, shanghaiDate, type Clock } from '../shared/time.js';
import { parseInput } from '../shared/validation.js';
import { capacitySchema, closureSchema, nodeSchema, offeringSchema, serviceSchema } from './admin.schemas.js';
import * as repo from './network.repo.js';

/** Writes a management change with its before/after into the audit log (in the change's transaction). */
export async function auditChange(tx: Tx, actor: Principal, entityType: string, entityId: number, action: string, before: unknown, after: unknown, note?: string) {
  await recordEvent(tx, { actorUserId: actor.id, entityType, entityId, action, note: note ?? null, data: { before: before ?? null, after: after ?? null } });
}

export function makeNetworkService(deps: { db: Db; clock: Clock; onCatalogChange?: () => void }) {
  const { db, clock } = deps;
  /** Runs a change and then tells the catalog cache (public pages show it at once in this process). */
  const changing = async <T>(work: (tx: Tx) => Promise<T>): Promise<T> => {
    const result = await inTransaction(db, work);
    deps.onCatalogChange?.();
    return result;
  };
  const today = () => shanghaiDate(clock.now());

  async function nodeInScope(user: Principal, id: number) {
    const node = await repo.findNodeRow(db, id);
    if (!node) throw new NotFoundError('该网点不存在。');
    assertCan(user, 'node.manage', { nodeId: node.id });
    return node;
  }

  async function offeringInScope(user: Principal, nodeId: number, offeringId: number) {
    const node = await nodeInScope(user, nodeId);
    const found = await repo.findOffering(db, offeringId);
    if (!found || found.offering.nodeId !== node.id) throw new NotFoundError('该服务项不存在。');
    return { node, ...found };
  }

  async function checkNode(input: unknown, exceptId?: number) {
    const v = parseInput(nodeSchema, input);
    if (await repo.nodeCodeTaken(db, v.code, exceptId)) throw new ValidationError({ code: '网点编号已被使用' });
    return v;
  }

  /** Validates a service form; an existing service keeps its booking kind (its bookings depend on it). */
  async function checkService(input: unknown, existing?: repo.ServiceRowFull) {
    const raw = existing && input && typeof input === 'object' ? { ...input, bookingKind: existing.bookingKind } : input;
    const v = parseInput(serviceSchema, raw);
    const refs = await repo.referenceLists(db);
    const errors: Record<string, string> = {};
    if (!refs.categories.some((c) => c.code === v.categoryCode)) errors.categoryCode = '请选择有效的服务类别';
    if (v.instrumentCategoryCode && !refs.instruments.some((c) => c.code === v.instrumentCategoryCode)) errors.instrumentCategoryCode = '请选择有效的器具类别';
    if (v.bookingKind === 'calibration' && !v.instrumentCategoryCode) errors.instrumentCategoryCode = '检定/校准服务须选择器具类别';
    if (!existing && v.bookingKind === 'oil_test') errors.bookingKind = '油品检测服务涉及牌号和限值，请通过参考数据（种子文件）配置';
    if (await repo.serviceCodeTaken(db, v.code, existing?.id)) errors.code = '服务编号已被使用';
    if (Object.keys(errors).length) throw new ValidationError(errors);
    return v;
  }

  return {
    async nodeFormOptions(user: Principal) {
      assertCan(user, 'catalog.manage');
      const { parks } = await repo.referenceLists(db);
      return { parks };
    },

    listNodes(user: Principal) {
      assertCan(user, 'catalog.manage');
      return repo.listNodesForAdmin(db);
    },

    /** A node's page for its manager or the platform: offerings with capacity, closures ahead. */
    async nodeDetail(user: Principal, id: number) {
      const node = await nodeInScope(user, id);
      const [offerings, closures, refs, services] = await Promise.all([
        repo.offeringsOfNode(db, id),
        repo.closuresOfNode(db, id, today()),
        repo.referenceLists(db),
        repo.listServicesForAdmin(db),
      ]);
      const offered = new Set(offerings.map((o) => o.offering.serviceId));
      return { node, offerings, closures, parks: refs.parks, addable: services.filter((s) => !offered.has(s.service.id) && s.service.active) };
    },

    async createNode(user: Principal, input: unknown) {
      assertCan(user, 'catalog.manage');
      const v = await checkNode(input);
      return changing(async (tx) => {
        const node = await repo.insertNode(tx, { ...v, contactName: v.contactName, description: v.description, sortOrder: 100 });
        await auditChange(tx, user, 'node', node.id, 'node.created', null, node);
        return node;
      });
    },

    async updateNode(user: Principal, id: number, input: unknown) {
      assertCan(user, 'catalog.manage');
      const before = await nodeInScope(user, id);
      const v = await checkNode(input, id);
      return changing(async (tx) => {
        const after = await repo.updateNode(tx, id, v);
        await auditChange(tx, user, 'node', id, 'node.updated', before, after);
        return after;
      });
    },

    /** Deactivating hides the node from the catalog and booking; its history stays readable. */
    async setNodeActive(user: Principal, id: number, active: boolean) {
      assertCan(user, 'catalog.manage');
      const before = await nodeInScope(user, id);
      await changing(async (tx) => {
        const after = await repo.updateNode(tx, id, { active });
        await auditChange(tx, user, 'node', id, active ? 'node.activated' : 'node.deactivated', { active: before.active }, { active: after.active });
      });
    },

    async addOffering(user: Principal, nodeId: number, input: unknown) {
      assertCan(user, 'catalog.manage');
      const node = await nodeInScope(user, nodeId);
      const v = parseInput(offeringSchema, input);
      const service = await repo.findServiceRow(db, v.serviceId);
      if (!service) throw new ValidationError({ serviceId: '请选择有效的服务' });
      if ((await repo.offeringsOfNode(db, nodeId)).some((o) => o.offering.serviceId === v.serviceId)) throw new ValidationError({ serviceId: '该网点已提供此服务' });
      return changing(async (tx) => {
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
    },

    async setOfferingActive(user: Principal, nodeId: number, offeringId: number, active: boolean) {
      assertCan(user, 'catalog.manage');
      const { offering } = await offeringInScope(user, nodeId, offeringId);
      await changing(async (tx) => {
        const after = await repo.updateOffering(tx, offeringId, { active });
        await auditChange(tx, user, 'node_service', offeringId, active ? 'node_service.activated' : 'node_service.deactivated', { active: offering.active }, { active: after.active });
      });
    },

    /**
     * Changes the capacity of an offering from today on. Windows already booked beyond the new capacity refuse the
     * change (naming them); windows are locked while checked, so a booking arriving meanwhile cannot slip past.
     */
    async setCapacity(user: Principal, nodeId: number, offeringId: number, input: unknown) {
      const { offering, kind, serviceName } = await offeringInScope(user, nodeId, offeringId);
      const v = parseInput(capacitySchema, input);
      const next = { ...offering, capacityAm: v.capacityAm, capacityPm: v.capacityPm, slotTimes: kind === 'consultation' ? v.slotTimes : offering.slotTimes, slotCapacity: v.slotCapacity };
      if (kind === 'consultation' && next.slotTimes && next.slotTimes.length === 0 && v.slotCapacity > 0) {
        throw new ValidationError({ slotTimes: '请填写至少一个咨询时段，或把专家数设为 0' });
      }
      await changing(async (tx) => {
        const windows = await repo.lockFutureWindows(tx, offeringId, today());
        const keys = new Set(windowDefs(next, kind).map((w) => w.key));
        const capacityOf = (window: string) => (kind === 'consultation' ? (keys.has(window) ? v.slotCapacity : 0) : window === 'am' ? v.capacityAm : v.capacityPm);
        const overbooked = windows.filter((w) => w.used > capacityOf(w.window));
        if (overbooked.length) {
          const list = overbooked.slice(0, 5).map((w) => `${describeWindow(w.date, w.window)} 已约 ${w.used}`).join('；');
          throw new ValidationError(
            { [kind === 'consultation' ? 'slotCapacity' : overbooked.some((w) => w.window === 'am') ? 'capacityAm' : 'capacityPm']: `名额不能低于已预约数：${list}${overbooked.length > 5 ? ` 等 ${overbooked.length} 个时段` : ''}。请先联系企业改期或取消。` },
            '名额不能低于已预约数',
          );
        }
        for (const w of windows) {
          const capacity = capacityOf(w.window);
          if (capacity !== w.capacity) await repo.setWindowCapacity(tx, w.id, capacity);
        }
        const after = await repo.updateOffering(tx, offeringId, { capacityAm: next.capacityAm, capacityPm: next.capacityPm, slotTimes: next.slotTimes, slotCapacity: next.slotCapacity });
        const pick = (o: typeof offering) => ({ capacityAm: o.capacityAm, capacityPm: o.capacityPm, slotTimes: o.slotTimes, slotCapacity: o.slotCapacity });
        await auditChange(tx, user, 'node_service', offeringId, 'node_service.capacity_changed', pick(offering), pick(after), serviceName);
      });
    },

    /** A closure (typhoon, maintenance): no windows are offered; companies with live bookings in it are told. */
    async addClosure(user: Principal, nodeId: number, input: unknown) {
      const node = await nodeInScope(user, nodeId);
      const v = parseInput(closureSchema, input);
      if (v.startDate < today()) throw new ValidationError({ startDate: '不能为已过去的日期设置暂停' });
      if (v.endDate > addDays(v.startDate, 90)) throw new ValidationError({ endDate: '一次暂停最长 90 天' });
      return changing(async (tx) => {
        const closure = await repo.insertClosure(tx, { nodeId: node.id, startDate: v.startDate, endDate: v.endDate, reason: v.reason, createdBy: user.id });
        const affected = await repo.liveBookingsInRange(tx, node.id, v.startDate, v.endDate);
        for (const b of affected) {
          await notifyEnterpriseUsers(tx, b.enterpriseId, {
            bookingId: b.id,
            title: `${b.number} 所在时段网点暂停服务`,
            body: `${node.name} ${v.startDate} 至 ${v.endDate} 暂停服务（${v.reason}）。您的预约 ${describeWindow(b.date, b.window)} 受影响，请改期或联系 ${node.phone}。`,
            link: `/bookings/${b.number}`,
          });
        }
        await auditChange(tx, user, 'closure', closure.id, 'closure.created', null, closure, `${node.shortName}：${v.reason}（影响 ${affected.length} 笔预约）`);
        return { closure, affected: affected.map((b) => b.number) };
      });
    },

    async removeClosure(user: Principal, nodeId: number, closureId: number) {
      await nodeInScope(user, nodeId);
      await changing(async (tx) => {
        const removed = await repo.deleteClosure(tx, nodeId, closureId);
        if (!removed) throw new NotFoundError('该暂停安排不存在。');
        await auditChange(tx, user, 'closure', closureId, 'closure.removed', removed, null);
      });
    },

    listServices(user: Principal) {
      assertCan(user, 'catalog.manage');
      return repo.listServicesForAdmin(db);
    },

    async serviceForm(user: Principal, id?: number) {
      assertCan(user, 'catalog.manage');
      const refs = await repo.referenceLists(db);
      if (id === undefined) return { refs, service: undefined };
      const service = await repo.findServiceRow(db, id);
      if (!service) throw new NotFoundError('该服务不存在。');
      return { refs, service };
    },

    async createService(user: Principal, input: unknown) {
      assertCan(user, 'catalog.manage');
      const v = await checkService(input);
      return changing(async (tx) => {
        const row = await repo.insertService(tx, { ...v, instrumentCategoryCode: v.instrumentCategoryCode || null, sortOrder: 500 });
        await auditChange(tx, user, 'service', row.id, 'service.created', null, row);
        return row;
      });
    },

    async updateService(user: Principal, id: number, input: unknown) {
      assertCan(user, 'catalog.manage');
      const before = await repo.findServiceRow(db, id);
      if (!before) throw new NotFoundError('该服务不存在。');
      const v = await checkService(input, before);
      return changing(async (tx) => {
        const after = await repo.updateService(tx, id, {
          code: v.code,
          name: v.name,
          categoryCode: v.categoryCode,
          summary: v.summary,
          description: v.description,
          standards: v.standards,
          turnaroundDays: v.turnaroundDays,
          feeBasis: v.feeBasis,
          requiredDocuments: v.requiredDocuments,
          deliveryModes: v.deliveryModes,
          instrumentCategoryCode: v.instrumentCategoryCode || before.instrumentCategoryCode,
          keywords: v.keywords,
        });
        await auditChange(tx, user, 'service', id, 'service.updated', before, after);
        return after;
      });
    },

    async setServiceActive(user: Principal, id: number, active: boolean) {
      assertCan(user, 'catalog.manage');
      const before = await repo.findServiceRow(db, id);
      if (!before) throw new NotFoundError('该服务不存在。');
      await changing(async (tx) => {
        const after = await repo.updateService(tx, id, { active });
        await auditChange(tx, user, 'service', id, active ? 'service.activated' : 'service.deactivated', { active: before.active }, { active: after.active });
      });
    },
  };
}

export type NetworkService = ReturnType<typeof makeNetworkService>;
