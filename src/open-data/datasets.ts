import type { Db } from '../db/client.js';
import { USER_CATEGORY_LABELS, type UserCategory } from '../equipment/domain.js';
import { figuresBy, bookingsByMonth } from '../equipment/usage.repo.js';
import { instrumentUtilisation } from '../equipment/utilisation.js';
import { byCategory, byMonth, byPark, nodeFigures, satisfaction, type Period } from '../stats/stats.repo.js';
import * as repo from './open-data.repo.js';
import type { PublishedRow, Row, SuppressibleField } from './suppression.js';

/*
 * The register of open datasets. Each entry is everything the page, the CSV, the JSON and the data dictionary need:
 * its fields (with their meaning and which are counts or figures over counts, for suppression), how to load its rows,
 * and how to chart them. A new dataset — e.g. 强检 compliance by park once the instrument ledger exists — is one more
 * entry in DATASETS; nothing else changes. Rows never carry a company: only months, categories, nodes, parks and
 * instruments, with counts and figures.
 */

export interface DatasetField extends SuppressibleField {
  label: string;
  type: 'string' | 'month' | 'integer' | 'number' | 'ratio';
  unit?: string;
  description: string;
}

export interface ChartSpec {
  type: 'bar';
  horizontal?: boolean;
  stacked?: boolean;
  categories: string[];
  series: { name: string; data: (number | null)[] }[];
}

export interface DatasetContext {
  db: Db;
  period: Period;
  /** Shanghai date of today (utilisation counts open hours up to it). */
  today: string;
  parkNames: Map<number, string>;
  /** The months of the period, oldest first ('2025-11' …). */
  months: string[];
}

export interface DatasetDef {
  key: string;
  title: string;
  theme: string;
  description: string;
  /** How the figures are counted (口径), printed with the data and in the dictionary. */
  method: string;
  fields: DatasetField[];
  load(ctx: DatasetContext): Promise<Row[]>;
  chart?(rows: PublishedRow[], fields: DatasetField[]): ChartSpec | null;
}

const dim = (key: string, label: string, description: string, type: DatasetField['type'] = 'string'): DatasetField => ({ key, label, type, kind: 'dimension', description });
const count = (key: string, label: string, description: string, unit = '件'): DatasetField => ({ key, label, type: 'integer', unit, kind: 'count', description });
const measure = (key: string, label: string, basis: string, description: string, type: DatasetField['type'] = 'number', unit?: string): DatasetField => ({ key, label, type, kind: 'measure', basis, description, ...(unit ? { unit } : {}) });

const round1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);
const ratio = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 1000 : null);

/** Bars of some fields of the rows, one bar group per row (labelled by the first field). */
function bars(keys: string[], opts: { horizontal?: boolean } = {}) {
  return (rows: PublishedRow[], fields: DatasetField[]): ChartSpec | null => {
    if (rows.length === 0) return null;
    const label = fields[0]!.key;
    // A horizontal chart draws its first category at the bottom: reversed, it reads top-down like the table.
    const ordered = opts.horizontal ? [...rows].reverse() : rows;
    return {
      type: 'bar',
      ...(opts.horizontal ? { horizontal: true } : {}),
      categories: ordered.map((r) => String(r.values[label] ?? '')),
      series: keys.map((k) => ({ name: fields.find((f) => f.key === k)!.label, data: ordered.map((r) => (typeof r.values[k] === 'number' ? (r.values[k] as number) : null)) })),
    };
  };
}

const BOOKING_METHOD = '按预约提交日期统计；不含已取消预约以外的任何企业信息。';

export const DATASETS: DatasetDef[] = [
  {
    key: 'bookings-monthly',
    title: '按月服务预约量',
    theme: '服务办理',
    description: '“1+N”网络每月受理的计量、标准、认证、检验检测与质量咨询预约数，以及其中已办结的数量。',
    method: BOOKING_METHOD,
    fields: [dim('month', '月份', '预约提交的月份（北京时间）', 'month'), count('bookings', '预约数', '当月提交的预约总数'), count('completed', '已办结', '其中已办结（企业确认或系统自动确认）的预约数')],
    async load(ctx) {
      const rows = new Map((await byMonth(ctx.db, { kind: 'platform' }, ctx.period)).map((r) => [r.month, r]));
      return ctx.months.map((month) => ({ month, bookings: rows.get(month)?.total ?? 0, completed: rows.get(month)?.completed ?? 0 }));
    },
    chart: bars(['bookings', 'completed']),
  },
  {
    key: 'bookings-by-category',
    title: '按服务类别的预约量',
    theme: '服务办理',
    description: '计量、标准、认证认可、检验检测（质量基础设施四大支柱）及质量咨询各类服务的预约数。',
    method: BOOKING_METHOD,
    fields: [dim('category', '服务类别', '服务目录中的类别'), count('bookings', '预约数', '统计期内提交的预约数'), count('completed', '已办结', '其中已办结的预约数')],
    async load(ctx) {
      return (await byCategory(ctx.db, { kind: 'platform' }, ctx.period)).map((r) => ({ category: r.name, bookings: r.total, completed: r.completed }));
    },
    chart: bars(['bookings', 'completed'], { horizontal: true }),
  },
  {
    key: 'bookings-by-node',
    title: '各服务网点的办理量、时效与满意度',
    theme: '服务质量',
    description: '每个网点的预约数、出具报告数、平均办理时长、按期率与满意度。',
    method: `${BOOKING_METHOD}办理时长为受理至出具报告的工作日数（扣除法定节假日、周末与网点暂停日）；按期率为在办结期限内出具报告的比例；满意度为五级评价折算（100、75、50、25、0）的平均分。`,
    fields: [
      dim('node', '服务网点', '“1+N”网络中的网点'),
      count('bookings', '预约数', '统计期内提交的预约数'),
      count('reported', '已出报告', '其中已出具报告或证书的预约数'),
      measure('avgTurnaround', '平均办理时长', 'reported', '已出报告预约的平均办理时长', 'number', '工作日'),
      measure('onTimeRate', '按期率', 'reported', '已出报告预约中按期出具的比例（0–1）', 'ratio'),
      count('evaluations', '评价数', '企业提交的服务评价条数', '条'),
      measure('satisfaction', '满意度', 'evaluations', '评价折算的平均分（0–100）', 'number', '分'),
    ],
    async load(ctx) {
      return (await nodeFigures(ctx.db, { kind: 'platform' }, ctx.period))
        .filter((n) => n.active || n.total > 0)
        .map((n) => ({ node: n.name, bookings: n.total, reported: n.reported, avgTurnaround: round1(n.avgTurnaround), onTimeRate: ratio(n.onTime, n.reported), evaluations: n.evaluations, satisfaction: round1(n.satisfaction) }));
    },
    chart: bars(['bookings', 'reported'], { horizontal: true }),
  },
  {
    key: 'bookings-by-park',
    title: '各园区企业的预约与报告量',
    theme: '服务办理',
    description: '按企业所在工业园区统计的预约数、服务企业数与出具报告数。',
    method: `${BOOKING_METHOD}园区为企业预约时所在的园区；“不在园区”为园区外企业。`,
    fields: [dim('park', '园区', '企业所在园区'), count('bookings', '预约数', '统计期内提交的预约数'), count('enterprises', '服务企业数', '统计期内提交过预约的企业数', '家'), count('reports', '出具报告数', '统计期内出具的报告或证书数（首次签发）', '份')],
    async load(ctx) {
      const reports = new Map((await repo.reportsByPark(ctx.db, ctx.period)).map((r) => [r.parkId, r.reports]));
      return (await byPark(ctx.db, { kind: 'platform' }, ctx.period)).map((p) => ({ park: p.name, bookings: p.total, enterprises: p.enterprises, reports: reports.get(p.parkId) ?? 0 }));
    },
    chart: bars(['bookings', 'reports'], { horizontal: true }),
  },
  {
    key: 'reports-monthly',
    title: '按月出具报告与证书',
    theme: '服务办理',
    description: '每月首次签发的检测报告、检定/校准证书与咨询服务记录数，按服务类别。',
    method: '按报告首次签发日期统计；更正后的新版本不重复计数。',
    fields: [dim('month', '月份', '签发月份（北京时间）', 'month'), dim('category', '服务类别', '服务目录中的类别'), count('reports', '报告数', '当月首次签发的报告或证书数', '份')],
    async load(ctx) {
      return repo.reportsByMonthAndCategory(ctx.db, ctx.period);
    },
    chart(rows) {
      if (rows.length === 0) return null;
      const months = [...new Set(rows.map((r) => String(r.values.month)))].sort();
      const categories = [...new Set(rows.map((r) => String(r.values.category)))];
      return { type: 'bar', stacked: true, categories: months, series: categories.map((c) => ({ name: c, data: months.map((m) => { const v = rows.find((r) => r.values.month === m && r.values.category === c)?.values.reports; return typeof v === 'number' ? v : null; }) })) };
    },
  },
  {
    key: 'turnaround-by-category',
    title: '各类服务的办理时长与按期率',
    theme: '服务质量',
    description: '各服务类别已出具报告的预约的平均办理时长与按期率。',
    method: '按预约提交日期统计已出具报告的预约；办理时长为受理至出具报告的工作日数。',
    fields: [dim('category', '服务类别', '服务目录中的类别'), count('reported', '已出报告', '统计期内提交且已出具报告的预约数'), measure('avgTurnaround', '平均办理时长', 'reported', '平均办理时长', 'number', '工作日'), measure('onTimeRate', '按期率', 'reported', '按期出具的比例（0–1）', 'ratio')],
    async load(ctx) {
      return (await repo.turnaroundByCategory(ctx.db, ctx.period)).map((r) => ({ category: r.category, reported: r.reported, avgTurnaround: round1(r.avgTurnaround), onTimeRate: ratio(r.onTime, r.reported) }));
    },
    chart: bars(['avgTurnaround'], { horizontal: true }),
  },
  {
    key: 'satisfaction',
    title: '服务满意度评价分布',
    theme: '服务质量',
    description: '企业对已办结服务的五级评价（好差评）分布。',
    method: '按预约提交日期统计；每个预约最多一条评价。',
    fields: [dim('level', '评价等级', '五级评价'), count('evaluations', '评价数', '该等级的评价条数', '条'), measure('share', '占比', 'evaluations', '该等级占全部评价的比例（0–1）', 'ratio')],
    async load(ctx) {
      const s = await satisfaction(ctx.db, { kind: 'platform' }, ctx.period);
      return ['非常满意', '满意', '基本满意', '不满意', '非常不满意'].map((level, i) => ({ level, evaluations: s.levels[i] ?? 0, share: ratio(s.levels[i] ?? 0, s.evaluations) }));
    },
    chart: bars(['evaluations']),
  },
  {
    key: 'equipment-utilisation',
    title: '共享仪器设备利用率',
    theme: '开放共享',
    description: '各网点共享仪器的开放机时、预约机时、使用机时与利用率。',
    method: '按预约开始时间统计；开放机时 = 网点工作日 × 设备开放时长 − 维护占用；预约机时含已使用与爽约；使用机时为签到至签退的实际时长；利用率 = 使用机时 ÷ 开放机时。预约少于 5 次的设备不公布其机时与利用率。',
    fields: [
      dim('instrument', '设备', '设备名称'),
      dim('category', '设备类别', '仪器类别'),
      dim('node', '所在网点', '设备所在网点'),
      { ...count('bookings', '预约次数', '已确认的预约次数', '次') },
      { key: 'openHours', label: '开放机时', type: 'number', unit: '小时', kind: 'dimension', description: '统计期内可预约的机时' },
      measure('bookedHours', '预约机时', 'bookings', '已确认预约的时长合计', 'number', '小时'),
      measure('usedHours', '使用机时', 'bookings', '实际使用时长合计', 'number', '小时'),
      measure('utilisation', '利用率', 'bookings', '使用机时 ÷ 开放机时（0–1）', 'ratio'),
    ],
    async load(ctx) {
      return (await instrumentUtilisation(ctx.db, ctx.period, { kind: 'platform' }, ctx.today)).map((i) => ({ instrument: i.name, category: i.category, node: i.nodeName, bookings: i.bookings, openHours: i.openHours, bookedHours: i.bookedHours, usedHours: i.usedHours, utilisation: i.utilisation === null ? null : Math.round(i.utilisation * 1000) / 1000 }));
    },
    chart: bars(['bookedHours', 'usedHours'], { horizontal: true }),
  },
  {
    key: 'equipment-by-user-category',
    title: '共享仪器使用按用户类别',
    theme: '开放共享',
    description: '园区企业、其他企业与科研院所使用共享仪器的次数与机时。',
    method: '按预约开始时间统计已确认的预约；用户类别按预约时确定。',
    fields: [dim('category', '用户类别', '园区企业 / 其他企业 / 科研院所'), count('bookings', '预约次数', '已确认的预约次数', '次'), count('organisations', '单位数', '使用过共享仪器的单位数', '家'), measure('bookedHours', '预约机时', 'bookings', '预约时长合计', 'number', '小时'), measure('usedHours', '使用机时', 'bookings', '实际使用时长合计', 'number', '小时')],
    async load(ctx) {
      return (await figuresBy(ctx.db, ctx.period.start, ctx.period.end, { kind: 'platform' }, 'category')).map((r) => ({ category: USER_CATEGORY_LABELS[r.key as UserCategory] ?? String(r.key), bookings: r.bookings, organisations: r.companies, bookedHours: round1(r.bookedHours), usedHours: round1(r.usedHours) }));
    },
    chart: bars(['bookedHours', 'usedHours']),
  },
  {
    key: 'equipment-monthly',
    title: '共享仪器按月使用',
    theme: '开放共享',
    description: '每月共享仪器的预约次数、预约机时与使用机时。',
    method: '按预约开始月份统计已确认的预约。',
    fields: [dim('month', '月份', '预约开始的月份（北京时间）', 'month'), count('bookings', '预约次数', '已确认的预约次数', '次'), measure('bookedHours', '预约机时', 'bookings', '预约时长合计', 'number', '小时'), measure('usedHours', '使用机时', 'bookings', '实际使用时长合计', 'number', '小时')],
    async load(ctx) {
      const rows = new Map((await bookingsByMonth(ctx.db, ctx.period.start, ctx.period.end)).map((r) => [r.month, r]));
      return ctx.months.map((month) => ({ month, bookings: rows.get(month)?.bookings ?? 0, bookedHours: round1(rows.get(month)?.bookedHours ?? 0), usedHours: round1(rows.get(month)?.usedHours ?? 0) }));
    },
    chart: bars(['bookedHours', 'usedHours']),
  },
];
