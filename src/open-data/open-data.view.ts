import type { Cell } from './suppression.js';
import type { DatasetField } from './datasets.js';

export const PUBLISHER = '舟山市市场监督管理局';
export const LICENCE = {
  name: '知识共享 署名 4.0 国际许可协议（CC BY 4.0）',
  url: 'https://creativecommons.org/licenses/by/4.0/deed.zh-hans',
  attribution: '舟山市市场监督管理局 · 舟山市质量基础设施一站式服务平台',
};
/** The licence line printed under every dataset and in every download. */
export const LICENCE_LINE = `本数据由${PUBLISHER}发布，采用${LICENCE.name}：可自由复制、分发、改编和商业使用，须注明来源“${LICENCE.attribution}”。`;
export const SUPPRESSION_NOTE = '为保护企业信息，1–4 的计数以及基于少于 5 条记录计算的比率、平均值和机时不予公布（CSV 与页面中显示为“<5”，JSON 中该值为空并列入“不予公布”字段清单）；数据不含任何企业名称。';

export const openDataHref = (file: string) => `/open-data/${file}`;

export const TYPE_LABELS: Record<DatasetField['type'], string> = { string: '文本', month: '月份（YYYY-MM）', integer: '整数', number: '数值', ratio: '比例（0–1）' };

/** A cell as the page and the CSV show it: "<5" when withheld, a percentage for ratios, one decimal for numbers. */
export function cellText(value: Cell, field: DatasetField, suppressed: boolean, forCsv = false): string {
  if (suppressed) return '<5';
  if (value === null || value === undefined) return forCsv ? '' : '—';
  if (typeof value === 'string') return value;
  if (field.type === 'ratio') return forCsv ? String(value) : `${(value * 100).toFixed(1)}%`;
  if (field.type === 'number') return forCsv ? String(value) : value.toFixed(1);
  return String(value);
}

/** A field's column heading: its label with the unit. */
export const heading = (f: DatasetField) => (f.unit ? `${f.label}（${f.unit}）` : f.label);
