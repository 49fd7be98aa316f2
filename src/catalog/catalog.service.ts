import type { Db } from '../db/client.js';
import type { Availability, NodeServiceRef } from '../capacity/availability.js';
import { activeNodeServicesOf, nodeServicesOfNode } from '../capacity/capacity.repo.js';
import { NotFoundError } from '../shared/errors.js';
import { addDays } from '../shared/time.js';
import { TtlCache } from '../shared/cache.js';
import * as repo from './catalog.repo.js';
import { applicationFormDocx, instrumentListXlsx } from './templates.js';

/** The templates a service guide offers for download. */
export const TEMPLATE_FILES = {
  'application-form.docx': { label: '委托单', mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', kinds: ['calibration', 'oil_test', 'consultation'] },
  'instrument-list.xlsx': { label: '器具清单', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', kinds: ['calibration'] },
} as const;
export type TemplateFile = keyof typeof TEMPLATE_FILES;

/** Days in the capacity overview of a node page. */
const OVERVIEW_DAYS = 14;


/**
 * The public catalog. What it lists (categories, nodes, services) changes a few times a year, so it is cached per
 * process for half a minute and cleared when an administrator changes it here; free capacity is always read fresh.
 */
export function makeCatalogService(db: Db, availability: Availability, cache = new TtlCache<unknown>(30_000)) {
  const cached = cache.get.bind(cache);

  return {
    home() {
      return cached('home', async () => {
        const [categories, nodes] = await Promise.all([repo.listCategories(db), repo.listNodes(db)]);
        return { categories, nodes };
      });
    },

    listServices(filter: { category?: string; q?: string }) {
      return cached(`services|${filter.category ?? ''}|${filter.q ?? ''}`, async () => {
        const [categories, services] = await Promise.all([repo.listCategories(db), repo.searchServices(db, filter)]);
        return { categories, services };
      });
    },

    async serviceDetail(code: string) {
      const { service, nodes, instrumentCategory, offerings, packageNames } = await cached(`service|${code}`, async () => {
        const service = await repo.findServiceByCode(db, code);
        if (!service || !service.active) throw new NotFoundError('该服务不存在或已下线。');
        const [nodes, instrumentCategory, offerings, packages] = await Promise.all([
          repo.nodesOfferingService(db, service.id),
          service.instrumentCategoryCode ? repo.findInstrumentCategory(db, service.instrumentCategoryCode) : undefined,
          activeNodeServicesOf(db, service.id),
          repo.oilPackagesByCodes(db, service.packageCodes ?? []),
        ]);
        return { service, nodes, instrumentCategory, offerings, packageNames: Object.fromEntries(packages.map((p) => [p.code, p.name])) as Record<string, string> };
      });
      // The next free windows of every offering node: two queries for all of them.
      const nextFree = await availability.nextFree(offerings.map((o): NodeServiceRef => ({ ns: o.ns, kind: o.kind })), 3);
      return { service, nodes: nodes.map((n) => ({ ...n, nextFree: nextFree.get(n.nodeServiceId) ?? [] })), instrumentCategory, packageNames };
    },

    listNodes() {
      return cached('nodes', () => repo.listNodes(db));
    },

    /** A service's 委托单 (DOCX) or 器具清单 (XLSX), named for the user in Chinese. */
    async templateFile(code: string, file: TemplateFile) {
      const service = await cached(`service-row|${code}`, () => repo.findServiceByCode(db, code));
      const spec = TEMPLATE_FILES[file];
      if (!service || !service.active || !(spec.kinds as readonly string[]).includes(service.bookingKind)) throw new NotFoundError('该服务没有这份模板。');
      const body =
        file === 'instrument-list.xlsx'
          ? await instrumentListXlsx({ ...service, instrumentName: service.name.replace(/\s*检定\/校准$/, '') })
          : await applicationFormDocx(service);
      return { body, mimeType: spec.mimeType, filename: `${spec.label}-${service.name.replace(/[\\/:*?"<>|\s]+/g, '')}.${file.split('.').pop()}` };
    },

    /** The industrial parks (registration form, filters). */
    parks() {
      return cached('parks', () => repo.listParks(db));
    },

    async nodeDetail(id: number) {
      const { node, services, offerings } = await cached(`node|${id}`, async () => {
        const node = await repo.findNode(db, id);
        if (!node || !node.active) throw new NotFoundError('该服务网点不存在或已停用。');
        const [services, offerings] = await Promise.all([repo.servicesOfNode(db, id), nodeServicesOfNode(db, id)]);
        return { node, services, offerings };
      });
      const { today } = availability.bookingRange();
      const days = await availability.forNodeServices(offerings.map((o): NodeServiceRef => ({ ns: o.ns, kind: o.kind })), today, addDays(today, OVERVIEW_DAYS - 1));
      // A weekend or holiday column appears when some service of the node takes bookings that day (the oil lab's 7×24 reception).
      const shown = new Set([...days.values()].flat().filter((d) => d.open || !d.weekend).map((d) => d.date));
      const overview = services.map((s) => ({
        service: s,
        days: (days.get(s.nodeServiceId) ?? []).filter((d) => shown.has(d.date)),
      }));
      return { node, services, overview };
    },
  };
}

export type CatalogService = ReturnType<typeof makeCatalogService>;
