import type { PriceRow, PriceTarget } from './fees.repo.js';

/**
 * A booking's fee estimate from the prices in force, line by line, as the company reads it: what is free (强检) and
 * why, what is a published price and what only a reference (参考价), what has no price yet (待公布 — then the total is
 * marked incomplete: "以受理时报价为准"). Pure: the prices are looked up by the caller.
 */
export interface FeeLine {
  label: string;
  quantity: number;
  unit: string;
  unitCents: number | null;
  amountCents: number | null;
  /** What the line rests on, in the company's words: 强检免费, 参考价, 待公布, 按协议 … */
  note: string;
  official: boolean;
}

export interface FeeEstimate {
  lines: FeeLine[];
  totalCents: number;
  complete: boolean;
}

export interface FeeQuery {
  kind: 'calibration' | 'oil_test' | 'consultation';
  serviceCode: string;
  serviceName: string;
  instruments?: { name: string; quantity: number; compulsory: boolean }[];
  oil?: { samples: number; packageCode: string | null; packageName: string | null; itemCodes: string[]; itemNames: Record<string, string> };
  urgent?: boolean;
}

export function priceTargets(q: FeeQuery): PriceTarget[] {
  const targets: PriceTarget[] = [{ kind: 'service', code: q.serviceCode }];
  if (q.oil?.packageCode) targets.push({ kind: 'oil_package', code: q.oil.packageCode });
  for (const code of q.oil?.itemCodes ?? []) targets.push({ kind: 'oil_item', code });
  return targets;
}

const NOTE: Record<PriceRow['priceType'], string> = {
  published: '公示价格',
  estimate: '参考价，以受理时报价为准',
  tbd: '收费标准待公布，以受理时报价为准',
  free: '免费',
  free_then_agreement: '首次免费，后续按协议',
  per_item: '按检测项目计费',
};

function line(label: string, quantity: number, price: PriceRow | undefined): FeeLine {
  if (!price) return { label, quantity, unit: '', unitCents: null, amountCents: null, note: NOTE.tbd, official: false };
  const unitCents = price.priceType === 'free' || price.priceType === 'free_then_agreement' ? 0 : price.amountCents;
  return { label, quantity, unit: price.unit, unitCents, amountCents: unitCents === null ? null : unitCents * quantity, note: NOTE[price.priceType], official: price.official };
}

function calibrationLines(q: FeeQuery, service: PriceRow | undefined): FeeLine[] {
  return (q.instruments ?? []).map((i) => {
    // 财税〔2017〕20号: compulsory verification of instruments on the catalogue, for its uses, is free since 2017-04-01.
    if (i.compulsory && service && service.compulsory !== 'no') {
      return { label: i.name, quantity: i.quantity, unit: service.unit, unitCents: 0, amountCents: 0, note: '强制检定免费（财税〔2017〕20号），受理时确认用途', official: true };
    }
    return line(i.name, i.quantity, service);
  });
}

function oilLines(q: FeeQuery, prices: Map<string, PriceRow>): FeeLine[] {
  const oil = q.oil!;
  if (oil.packageCode) return [line(`检测套餐：${oil.packageName ?? oil.packageCode}`, oil.samples, prices.get(`oil_package|${oil.packageCode}`))];
  return oil.itemCodes.map((code) => line(oil.itemNames[code] ?? code, oil.samples, prices.get(`oil_item|${code}`)));
}

export function estimateFee(q: FeeQuery, prices: Map<string, PriceRow>): FeeEstimate {
  const service = prices.get(`service|${q.serviceCode}`);
  const lines = q.kind === 'calibration' ? calibrationLines(q, service) : q.kind === 'oil_test' ? oilLines(q, prices) : [line(q.serviceName, 1, service)];
  const base = lines.reduce((sum, l) => sum + (l.amountCents ?? 0), 0);
  if (q.urgent && service?.urgentPercent) {
    const surcharge = Math.round((base * service.urgentPercent) / 100);
    lines.push({ label: `加急（${service.urgentPercent}%）`, quantity: 1, unit: '次', unitCents: surcharge, amountCents: surcharge, note: service.official ? '公示加急费率' : '参考费率', official: service.official });
  }
  return { lines, totalCents: lines.reduce((sum, l) => sum + (l.amountCents ?? 0), 0), complete: lines.every((l) => l.amountCents !== null) };
}
