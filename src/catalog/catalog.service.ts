import type { Db } from '../db/client.js';
import { NotFoundError } from '../shared/errors.js';
import * as repo from './catalog.repo.js';

export const NODE_KIND_LABELS = { centre: '市级中心', lab: '专业实验室', station: '园区服务站' } as const;
export const DELIVERY_MODE_LABELS: Record<string, string> = {
  send_in: '送检',
  on_site: '上门服务',
  online: '线上咨询',
};

export function makeCatalogService(db: Db) {
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
      const [nodes, instrumentCategory] = await Promise.all([
        repo.nodesOfferingService(db, service.id),
        service.instrumentCategoryCode ? repo.findInstrumentCategory(db, service.instrumentCategoryCode) : undefined,
      ]);
      return { service, nodes, instrumentCategory };
    },

    async listNodes() {
      return repo.listNodes(db);
    },

    async nodeDetail(id: number) {
      const node = await repo.findNode(db, id);
      if (!node || !node.active) throw new NotFoundError('该服务网点不存在或已停用。');
      const services = await repo.servicesOfNode(db, id);
      return { node, services };
    },
  };
}

export type CatalogService = ReturnType<typeof makeCatalogService>;
