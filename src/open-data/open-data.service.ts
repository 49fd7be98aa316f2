import { listParks } from '../catalog/catalog.repo.js';
import type { Db } from '../db/client.js';
import { TtlCache } from '../shared/cache.js';
import { NotFoundError } from '../shared/errors.js';
import { dayjs, shanghaiDate, TZ, type Clock } from '../shared/time.js';
import type { Period } from '../stats/stats.repo.js';
import { toCsv, type Table } from '../stats/export.js';
import { DATASETS, type ChartSpec, type DatasetDef, type DatasetField } from './datasets.js';
import { cellText, heading, LICENCE, LICENCE_LINE, openDataHref, PUBLISHER, SUPPRESSION_NOTE, TYPE_LABELS } from './open-data.view.js';
import { suppress, type PublishedRow } from './suppression.js';

export interface PublishedDataset {
  def: DatasetDef;
  rows: PublishedRow[];
  chart: ChartSpec | null;
}

export interface Publication {
  period: Period & { label: string; months: string[] };
  generatedAt: Date;
  datasets: PublishedDataset[];
}

/**
 * 数据开放: the platform's figures for everyone — the last twelve full months, platform-wide, anonymised and with small
 * cells withheld — as a page with charts, and each dataset as CSV and JSON with its data dictionary and licence. The
 * figures change once a month; they are computed once per process for ten minutes.
 */
export function makeOpenDataService(deps: { db: Db; clock: Clock; cacheMs?: number; datasets?: DatasetDef[] }) {
  const { db, clock } = deps;
  const registry = deps.datasets ?? DATASETS;
  const cache = new TtlCache<Publication>(deps.cacheMs ?? 600_000, 4);

  /** The twelve full months before the current one (Shanghai). */
  function periodNow(): Publication['period'] {
    const first = dayjs.tz(`${shanghaiDate(clock.now()).slice(0, 7)}-01`, TZ).subtract(12, 'month');
    const months = Array.from({ length: 12 }, (_, i) => first.add(i, 'month').format('YYYY-MM'));
    const from = first.format('YYYY-MM-DD');
    const end = first.add(12, 'month');
    const to = end.subtract(1, 'day').format('YYYY-MM-DD');
    return { from, to, start: first.toDate(), end: end.toDate(), label: `${months[0]} 至 ${months[11]}`, months };
  }

  async function compute(period: Publication['period']): Promise<Publication> {
    const parkNames = new Map((await listParks(db)).map((p) => [p.id, p.name]));
    const ctx = { db, period, today: shanghaiDate(clock.now()), parkNames, months: period.months };
    const datasets: PublishedDataset[] = [];
    // One after another: on PGlite queries run one at a time anyway.
    for (const def of registry) {
      const rows = suppress(await def.load(ctx), def.fields);
      datasets.push({ def, rows, chart: def.chart ? def.chart(rows, def.fields) : null });
    }
    return { period, generatedAt: clock.now(), datasets };
  }

  async function publication(): Promise<Publication> {
    const period = periodNow();
    return cache.get(period.from, () => compute(period));
  }

  async function dataset(key: string): Promise<{ publication: Publication; dataset: PublishedDataset }> {
    const pub = await publication();
    const found = pub.datasets.find((d) => d.def.key === key);
    if (!found) throw new NotFoundError('没有这个数据集。');
    return { publication: pub, dataset: found };
  }

  const fieldOut = (f: DatasetField) => ({ key: f.key, label: f.label, type: f.type, ...(f.unit ? { unit: f.unit } : {}), description: f.description });

  return {
    publication,
    dataset,

    /** The dataset as JSON: metadata, dictionary, licence, rows (withheld cells null) and where cells were withheld. */
    json(pub: Publication, d: PublishedDataset) {
      return {
        dataset: d.def.key,
        title: d.def.title,
        description: d.def.description,
        method: d.def.method,
        period: { from: pub.period.from, to: pub.period.to },
        generatedAt: pub.generatedAt.toISOString(),
        publisher: PUBLISHER,
        licence: { ...LICENCE, text: LICENCE_LINE },
        suppression: SUPPRESSION_NOTE,
        fields: d.def.fields.map(fieldOut),
        rows: d.rows.map((r) => r.values),
        suppressed: d.rows.flatMap((r, i) => (r.suppressed.length ? [{ row: i, fields: r.suppressed }] : [])),
      };
    },

    /** The dataset as CSV (UTF-8 with BOM): Chinese headings with units, "<5" where withheld, decimals as numbers. */
    csv(d: PublishedDataset): Buffer {
      const table: Table = {
        key: d.def.key,
        title: d.def.title,
        columns: d.def.fields.map((f) => ({ key: f.key, label: heading(f) })),
        rows: d.rows.map((r) => Object.fromEntries(d.def.fields.map((f) => [f.key, cellText(r.values[f.key] ?? null, f, r.suppressed.includes(f.key), true)]))),
      };
      return toCsv(table);
    },

    /** The data dictionary as CSV: one line per field, then the method, period, publisher and licence. */
    dictionaryCsv(pub: Publication, d: PublishedDataset): Buffer {
      const table: Table = {
        key: `${d.def.key}-dictionary`,
        title: `${d.def.title} 数据字典`,
        columns: [
          { key: 'key', label: '字段' },
          { key: 'label', label: '名称' },
          { key: 'type', label: '类型' },
          { key: 'unit', label: '单位' },
          { key: 'description', label: '说明' },
        ],
        rows: [
          ...d.def.fields.map((f) => ({ key: f.key, label: f.label, type: TYPE_LABELS[f.type], unit: f.unit ?? '', description: f.description })),
          { key: '', label: '', type: '', unit: '', description: '' },
          { key: '数据集', label: d.def.title, type: '', unit: '', description: d.def.description },
          { key: '统计口径', label: '', type: '', unit: '', description: d.def.method },
          { key: '统计期', label: pub.period.label, type: '', unit: '', description: `${pub.period.from} 至 ${pub.period.to}` },
          { key: '隐私保护', label: '', type: '', unit: '', description: SUPPRESSION_NOTE },
          { key: '发布单位', label: PUBLISHER, type: '', unit: '', description: `生成于 ${dayjs(pub.generatedAt).tz(TZ).format('YYYY-MM-DD HH:mm')}` },
          { key: '许可协议', label: LICENCE.name, type: '', unit: '', description: `${LICENCE_LINE} ${LICENCE.url}` },
        ],
      };
      return toCsv(table);
    },

    /** Every dataset with its download addresses (the machine-readable catalogue). */
    index(pub: Publication, publicUrl: string) {
      return {
        title: '舟山市质量基础设施一站式服务平台 · 开放数据',
        publisher: PUBLISHER,
        licence: { ...LICENCE, text: LICENCE_LINE },
        period: { from: pub.period.from, to: pub.period.to },
        generatedAt: pub.generatedAt.toISOString(),
        datasets: pub.datasets.map((d) => ({
          key: d.def.key,
          title: d.def.title,
          theme: d.def.theme,
          description: d.def.description,
          rows: d.rows.length,
          csv: `${publicUrl}${openDataHref(`${d.def.key}.csv`)}`,
          json: `${publicUrl}${openDataHref(`${d.def.key}.json`)}`,
          dictionary: `${publicUrl}${openDataHref(`${d.def.key}.dictionary.csv`)}`,
        })),
      };
    },
  };
}

export type OpenDataService = ReturnType<typeof makeOpenDataService>;
