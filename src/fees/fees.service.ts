import { assertCan, type Principal } from '../auth/access.js';
import { listNodes, listOilPackagesAll, listOilTestItems, searchServices } from '../catalog/catalog.repo.js';
import type { Db } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { findEnterpriseById, updateInvoiceInfo } from '../enterprises/enterprises.repo.js';
import { recordEvent } from '../events/record.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { shanghaiDate, type Clock } from '../shared/time.js';
import { parseInput } from '../shared/validation.js';
import * as repo from './fees.repo.js';
import { invoiceInfoSchema, newPriceSchema } from './fees.schemas.js';
import { yuan } from './fees.view.js';

/** A company's 开票信息, for whoever may read the company. */
async function invoiceInfo(db: Db, user: Principal, enterpriseId: number) {
  assertCan(user, 'enterprise.read');
  const company = await findEnterpriseById(db, enterpriseId);
  if (!company) throw new NotFoundError();
  assertCan(user, 'enterprise.read', { enterpriseId, parkId: company.parkId });
  return company;
}

/** 开票信息 is kept by the company's own users. */
async function saveInvoiceInfo(db: Db, user: Principal, enterpriseId: number, input: unknown) {
  assertCan(user, 'booking.change', { enterpriseId });
  const v = parseInput(invoiceInfoSchema, input);
  await inTransaction(db, async (tx) => {
    const info = { ...v, invoiceTaxNo: v.invoiceTaxNo.toUpperCase() };
    await updateInvoiceInfo(tx, enterpriseId, info);
    await recordEvent(tx, { actorUserId: user.id, entityType: 'enterprise', entityId: enterpriseId, action: 'enterprise.invoice_info', data: info });
  });
}

/**
 * 收费标准: the price list in force (public), its maintenance by the platform admin (a change is a new effective-dated
 * row, audited; bookings keep the estimate they were made with), and a company's 开票信息.
 */
export function makeFeesService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  const today = () => shanghaiDate(clock.now());

  /** The names of what is priced, so a list never shows a bare code. */
  async function targetNames(): Promise<Map<string, { name: string; group: string }>> {
    const [services, items, packages] = await Promise.all([searchServices(db, {}), listOilTestItems(db), listOilPackagesAll(db)]);
    // Two items may share a name (硫含量 of marine fuels in % m/m, of automotive fuels in mg/kg): the unit tells them apart.
    const shared = new Set(items.filter((i, k) => items.findIndex((j) => j.name === i.name) !== k).map((i) => i.name));
    return new Map([
      ...services.map((s) => [`service|${s.code}`, { name: s.name, group: s.categoryName }] as const),
      ...items.map((i) => [`oil_item|${i.code}`, { name: shared.has(i.name) && i.unit ? `${i.name}（${i.unit}）` : i.name, group: '油品检测单项' }] as const),
      ...packages.map((p) => [`oil_package|${p.code}`, { name: p.name, group: '油品检测套餐' }] as const),
    ]);
  }

  return {
    /** The public price list: every price in force today, grouped, with the rules that apply. */
    async priceList() {
      const [rows, rules, names, nodes] = await Promise.all([repo.priceListOn(db, today()), repo.listFeeRules(db), targetNames(), listNodes(db, { includeInactive: true })]);
      const nodeNames = new Map(nodes.map((n) => [n.id, n.shortName]));
      const lines = rows.map((r) => ({ ...r, name: names.get(`${r.targetKind}|${r.targetCode}`)?.name ?? r.targetCode, group: names.get(`${r.targetKind}|${r.targetCode}`)?.group ?? '其他', nodeName: r.nodeId ? (nodeNames.get(r.nodeId) ?? '') : null }));
      const groups = [...new Set(lines.map((l) => l.group))].map((g) => ({ name: g, lines: lines.filter((l) => l.group === g) }));
      return { groups, rules, today: today() };
    },

    /** The prices of one service (and its oil packages/items) in force today, for its guide page. */
    async pricesOfService(service: { code: string; packageCodes: string[] | null }) {
      const targets: repo.PriceTarget[] = [{ kind: 'service', code: service.code }, ...(service.packageCodes ?? []).map((code) => ({ kind: 'oil_package' as const, code }))];
      const [found, rules] = await Promise.all([repo.pricesInForce(db, targets, today(), null), repo.listFeeRules(db)]);
      return { service: found.get(`service|${service.code}`) ?? null, packages: [...found.values()].filter((p) => p.targetKind === 'oil_package'), rules };
    },

    async adminPage(user: Principal) {
      assertCan(user, 'catalog.manage');
      return { ...(await this.priceList()), nodes: await listNodes(db, { includeInactive: true }) };
    },

    /** A new price from a date: the one in force then ends the day before; a price already scheduled later must go first. */
    async setPrice(user: Principal, input: unknown) {
      assertCan(user, 'catalog.manage');
      const v = parseInput(newPriceSchema, input);
      const names = await targetNames();
      const target: repo.PriceTarget = { kind: v.targetKind, code: v.targetCode };
      const errors: Record<string, string> = {};
      if (!names.has(`${target.kind}|${target.code}`)) errors.targetCode = '没有这个服务、检测项目或套餐编码';
      if (v.effectiveFrom < today()) errors.effectiveFrom = '新价格只能从今天或以后生效（已受理的预约按原价格）';
      if ((v.priceType === 'published' || v.priceType === 'estimate') && v.amount === null) errors.amount = '请填写单价（元）';
      if (Object.keys(errors).length) throw new ValidationError(errors);
      if (await repo.laterPrice(db, target, v.nodeId, v.effectiveFrom)) throw new ConflictError('该项目已有同日或更晚生效的价格，请先与平台确认后再调整。');
      // Whether 强检免费 can apply belongs to the instrument, not the price: a new price keeps it.
      const compulsory = (await repo.priceHistory(db, target)).at(-1)?.compulsory ?? 'no';
      await inTransaction(db, async (tx) => {
        await repo.endPriceFrom(tx, target, v.nodeId, v.effectiveFrom);
        const id = await repo.insertPrice(tx, {
          targetKind: v.targetKind,
          targetCode: v.targetCode,
          nodeId: v.nodeId,
          unit: v.unit,
          amountCents: v.priceType === 'free' ? 0 : v.amount,
          priceType: v.priceType,
          official: v.priceType === 'published',
          publisher: v.publisher || null,
          basis: v.basis,
          urgentPercent: v.urgentPercent,
          compulsory,
          effectiveFrom: v.effectiveFrom,
          createdBy: user.id,
        });
        await recordEvent(tx, { actorUserId: user.id, entityType: 'price', entityId: id, action: 'price.set', note: `${names.get(`${target.kind}|${target.code}`)?.name}：${v.amount === null ? '待公布' : yuan(v.amount)} / ${v.unit}，${v.effectiveFrom} 起`, data: { ...v } });
      });
    },

    invoiceInfo: (user: Principal, enterpriseId: number) => invoiceInfo(db, user, enterpriseId),
    saveInvoiceInfo: (user: Principal, enterpriseId: number, input: unknown) => saveInvoiceInfo(db, user, enterpriseId, input),
  };
}

export type FeesService = ReturnType<typeof makeFeesService>;
