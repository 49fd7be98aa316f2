import { z } from 'zod';
import { isIsoDate } from '../shared/time.js';
import { oneOf, optionalText, requiredText } from '../shared/validation.js';
import { COMPULSORY_USES, INSTRUMENT_STATUSES, LEDGER_CONCLUSIONS, REGIMES } from './rules.js';
import { COLUMNS, MAX_IMPORT_ROWS, type ImportField } from './workbook.js';

/** Field limits shared with the booking form's instrument rows, so an entry always prefills a valid booking line. */
export const LIMITS = { name: 60, model: 60, serialNo: 60, manufacturer: 80, measuringRange: 60, accuracyClass: 30, department: 40, location: 60, certificateNo: 40 } as const;

const optionalDate = (label: string) => optionalText(label, 10).refine((s) => s === '' || isIsoDate(s), `${label}格式应为 年-月-日，如 2026-03-15`);

const optionalChoice = <T extends Record<string, string>>(label: string, values: T) =>
  optionalText(label, 20).refine((s) => s === '' || Object.hasOwn(values, s), `请选择有效的${label}`);

const months = optionalText('周期（月）', 4).refine((s) => s === '' || (/^\d{1,3}$/.test(s) && Number(s) >= 1 && Number(s) <= 240), '周期应为 1–240 之间的整数（月）');

/** One ledger entry as the form (and each import row) gives it; the category's rules are checked by the service. */
export const instrumentSchema = z
  .object({
    name: requiredText('器具名称', { max: LIMITS.name }),
    categoryCode: requiredText('器具类别', { max: 40, choose: true }),
    model: optionalText('型号规格', LIMITS.model),
    serialNo: requiredText('出厂编号', { max: LIMITS.serialNo }),
    manufacturer: optionalText('制造单位', LIMITS.manufacturer),
    measuringRange: optionalText('测量范围', LIMITS.measuringRange),
    accuracyClass: optionalText('准确度等级', LIMITS.accuracyClass),
    department: optionalText('使用部门', LIMITS.department),
    location: optionalText('使用地点', LIMITS.location),
    compulsory: oneOf('是否强检', ['yes', 'no']),
    compulsoryUse: optionalChoice('强检用途', COMPULSORY_USES),
    regime: optionalChoice('检定方式', REGIMES),
    periodMonths: months,
    status: oneOf('状态', Object.keys(INSTRUMENT_STATUSES) as [keyof typeof INSTRUMENT_STATUSES, ...(keyof typeof INSTRUMENT_STATUSES)[]]),
    lastCalibrationDate: optionalDate('上次检定/校准日期'),
    certificateNo: optionalText('证书编号', LIMITS.certificateNo),
    conclusion: optionalChoice('检定/校准结论', LEDGER_CONCLUSIONS),
    nextDueDate: optionalDate('下次检定/校准日期'),
  })
  .superRefine((v, ctx) => {
    if (v.compulsory === 'yes' && !v.compulsoryUse) ctx.addIssue({ code: 'custom', path: ['compulsoryUse'], message: '强检器具请选择强检用途（贸易结算、安全防护、医疗卫生或环境监测）' });
    if (v.lastCalibrationDate && v.nextDueDate && v.nextDueDate <= v.lastCalibrationDate) {
      ctx.addIssue({ code: 'custom', path: ['nextDueDate'], message: '下次检定/校准日期应晚于上次检定/校准日期' });
    }
  });

export type InstrumentInput = z.output<typeof instrumentSchema>;

/** The ledger list's query: every value optional and capped; anything unknown is ignored. */
export const DUE_FILTERS = { attention: '已超期或 30 天内到期', overdue: '已超期', '30': '30 天内到期', '90': '90 天内到期', none: '未设到期日' } as const;
export type DueFilter = keyof typeof DUE_FILTERS;

export const SORTS = { due: '到期日', name: '器具名称', serial: '出厂编号', category: '器具类别', department: '使用部门', last: '上次检定日期' } as const;
export type Sort = keyof typeof SORTS;

export const settingsSchema = z.object({ emailReminders: z.preprocess((v) => v === 'on' || v === '1' || v === 'true', z.boolean()) });

/** One cell of an import row sent as data: text as typed in the template (or the code), a number, true/false for 是/否. */
const importCell = z.union([z.string().max(500, '内容过长（最多 500 字）'), z.number(), z.boolean(), z.null()], { error: '应为文字、数字或 true/false' });

/**
 * An import sent as data (the open API's second form of the XLSX file): `rows[i]` is line i + 1, its fields those of
 * the template's columns. Only the shape is checked here; every row then goes through the same rules as a file's row.
 */
export const importRowsSchema = z.object({
  fileName: z.string().trim().min(1, '名称不能为空').max(100, '名称最多 100 字').optional().meta({ description: '在台账的导入记录中显示的名称，默认“开放接口导入”' }),
  rows: z
    .array(
      z.strictObject(
        Object.fromEntries(COLUMNS.map((c) => [c.field, importCell.optional().meta({ description: `${c.header.replace('*', '')}${c.header.endsWith('*') ? '（必填）' : ''}` })])) as Record<ImportField, z.ZodOptional<typeof importCell>>,
        { error: (iss) => (iss.code === 'unrecognized_keys' ? `导入模板中没有这些字段：${iss.keys.join('、')}` : '每一行应为一个对象（字段见导入模板）') },
      ),
      { error: '请在 rows 中提供器具行（数组）' },
    )
    .min(1, '请至少提供一行器具')
    .max(MAX_IMPORT_ROWS, `一次最多导入 ${MAX_IMPORT_ROWS} 行，请分成几次导入`),
});
