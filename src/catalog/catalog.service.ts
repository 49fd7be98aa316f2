import type { Db } from '../db/client.js';
import type { Availability, NodeServiceRef } from '../capacity/availability.js';
import { activeNodeServicesOf, nodeServicesOfNode } from '../capacity/capacity.repo.js';
import { NotFoundError } from '../shared/errors.js';
import { addDays } from '../shared/time.js';
import * as repo from './catalog.repo.js';

/** Days in the capacity overview of a node page. */
const OVERVIEW_DAYS = 14;

export const NODE_KIND_LABELS = { centre: '市级中心', lab: '专业实验室', station: '园区服务站' } as const;
export const DELIVERY_MODE_LABELS: Record<string, string> = {
  send_in: '送检',
  on_site: '上门服务',
  online: '线上咨询',
};

export function makeCatalogService(db: Db, availability: Availability) {
  return {
    async home() {
      const [categories, nodes] = await Promise.all([repo.listCategories(db), repo.listNodes(db)]);
      return { categories, nodes };
    },

    async listServices(filter: { category?: string; q?: string }) {
      const [categories, services] = await Promise.all([repo.listCategories(db), repo.searchServices(db, filter)]);
      return { categories, services };
    },

    async serviceDetail(code: string) {
      const service = await repo.findServiceByCode(db, code);
      if (!service || !service.active) throw new NotFoundError('该服务不存在或已下线。');
      const [nodes, instrumentCategory, offerings] = await Promise.all([
        repo.nodesOfferingService(db, service.id),
        service.instrumentCategoryCode ? repo.findInstrumentCategory(db, service.instrumentCategoryCode) : undefined,
        activeNodeServicesOf(db, service.id),
      ]);
      // The next free windows of every offering node: two queries for all of them.
      const nextFree = await availability.nextFree(offerings.map((o): NodeServiceRef => ({ ns: o.ns, kind: o.kind })), 3);
      return { service, nodes: nodes.map((n) => ({ ...n, nextFree: nextFree.get(n.nodeServiceId) ?? [] })), instrumentCategory };
    },

    async listNodes() {
      return repo.listNodes(db);
    },

    async nodeDetail(id: number) {
      const node = await repo.findNode(db, id);
      if (!node || !node.active) throw new NotFoundError('该服务网点不存在或已停用。');
      const [services, offerings] = await Promise.all([repo.servicesOfNode(db, id), nodeServicesOfNode(db, id)]);
      const { today } = availability.bookingRange();
      const days = await availability.forNodeServices(offerings.map((o): NodeServiceRef => ({ ns: o.ns, kind: o.kind })), today, addDays(today, OVERVIEW_DAYS - 1));
      const overview = services.map((s) => ({
        service: s,
        days: (days.get(s.nodeServiceId) ?? []).filter((d) => d.working || !d.weekend),
      }));
      return { node, services, overview };
    },
  };
}

export type CatalogService = ReturnType<typeof makeCatalogService>;
