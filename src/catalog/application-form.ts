import { AlignmentType, BorderStyle, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import { DELIVERY_MODE_LABELS } from './catalog.view.js';
import { INSTRUMENT_COLUMNS, type TemplateService } from './templates.js';

/*
 * The 委托单 of a service as a Word document (src/catalog/templates.ts lists the templates). Its own module so that
 * the Word library is loaded with the first download, not at every start.
 */

const FONT = '宋体';
const BLANK_ROWS = 8;

const text = (value: string, opts: { bold?: boolean; size?: number } = {}) => new TextRun({ text: value, font: FONT, bold: opts.bold ?? false, size: opts.size ?? 21 });
const para = (value: string, opts: { bold?: boolean; size?: number; align?: (typeof AlignmentType)[keyof typeof AlignmentType] } = {}) =>
  new Paragraph({ children: [text(value, opts)], ...(opts.align ? { alignment: opts.align } : {}), spacing: { after: 80 } });
const cell = (value: string, opts: { bold?: boolean; span?: number; width?: number } = {}) =>
  new TableCell({ children: [para(value, { bold: opts.bold ?? false })], ...(opts.span ? { columnSpan: opts.span } : {}), ...(opts.width ? { width: { size: opts.width, type: WidthType.PERCENTAGE } } : {}) });
const table = (rows: TableRow[]) => new Table({ rows, width: { size: 100, type: WidthType.PERCENTAGE } });

/** Label / blank-to-fill pairs, two to a row. */
function formTable(labels: string[]): Table {
  const rows: TableRow[] = [];
  for (let i = 0; i < labels.length; i += 2) {
    const pair = labels.slice(i, i + 2);
    rows.push(new TableRow({ children: pair.flatMap((label, j) => [cell(label, { bold: true, width: 18 }), cell('', { width: 32, ...(pair.length === 1 && j === 0 ? { span: 3 } : {}) })]) }));
  }
  return table(rows);
}

const box = (options: string[]) => options.map((o) => `□ ${o}`).join('    ');

function calibrationPart(service: TemplateService): (Paragraph | Table)[] {
  const header = new TableRow({ tableHeader: true, children: [cell('序号', { bold: true }), ...INSTRUMENT_COLUMNS.map((c) => cell(c.header, { bold: true }))] });
  const blank = Array.from({ length: BLANK_ROWS }, (_, i) => new TableRow({ children: [cell(String(i + 1)), ...INSTRUMENT_COLUMNS.map(() => cell(''))] }));
  return [
    para('二、计量器具明细', { bold: true, size: 24 }),
    para('器具较多的，可另附器具清单（本服务的“器具清单”表格模板），或在平台预约时逐行填写。'),
    table([header, ...blank]),
    para(`服务方式：${box(service.deliveryModes.map((m) => DELIVERY_MODE_LABELS[m] ?? m))}`),
    para('上门服务地址：'),
    para(`检定 / 校准：${box(['检定（出具检定证书或检定结果通知书）', '校准（出具校准证书）'])}`),
  ];
}

function oilPart(): (Paragraph | Table)[] {
  return [
    para('二、样品信息', { bold: true, size: 24 }),
    formTable(['样品名称', '产品牌号', '规格版本（判定依据）', '品质（冬季 / 夏季）', '硫含量判定要求', '燃油交付单（BDN）编号', '铅封号', '样品来源（船舶 / 驳船 / 储罐）', '船名 / 罐号 / 驳船名', '取样日期', '样品数量（份）', '检测套餐或单项']),
    para(`报告语言：${box(['中文', '中英文'])}`),
  ];
}

function consultationPart(service: TemplateService): (Paragraph | Table)[] {
  return [
    para('二、咨询需求', { bold: true, size: 24 }),
    formTable(['咨询主题', '参加人数', '希望日期']),
    para('需求描述（企业情况、遇到的问题和希望得到的帮助）：'),
    para(' '),
    para(' '),
    para(`服务方式：${box(service.deliveryModes.map((m) => DELIVERY_MODE_LABELS[m] ?? m))}`),
  ];
}

const TITLES = { calibration: '计量器具检定 / 校准委托单', oil_test: '油品检测委托单', consultation: '咨询服务申请表' } as const;

/** 委托单 of a service as a Word document. */
export async function applicationFormDocx(service: TemplateService): Promise<Buffer> {
  const kindPart = service.bookingKind === 'calibration' ? calibrationPart(service) : service.bookingKind === 'oil_test' ? oilPart() : consultationPart(service);
  const thin = { style: BorderStyle.SINGLE, size: 4, color: '000000' };
  const doc = new Document({
    creator: '舟山市质量基础设施一站式服务平台',
    title: `${TITLES[service.bookingKind]}（${service.name}）`,
    styles: { default: { document: { run: { font: FONT, size: 21 } } } },
    sections: [
      {
        properties: { page: { margin: { top: 1000, bottom: 1000, left: 1100, right: 1100 } } },
        children: [
          para('舟山市质量基础设施“一站式”服务平台', { align: AlignmentType.CENTER }),
          new Paragraph({ heading: HeadingLevel.TITLE, alignment: AlignmentType.CENTER, children: [text(TITLES[service.bookingKind], { bold: true, size: 36 })], spacing: { after: 200 } }),
          para(`服务项目：${service.name}（服务编号 ${service.code}）`),
          ...(service.standards.length ? [para(`依据：${service.standards.join('、')}`)] : []),
          para('一、委托单位', { bold: true, size: 24 }),
          formTable(['委托单位名称', '统一社会信用代码', '单位地址', '联系人', '联系电话', '电子邮箱']),
          ...kindPart,
          para('三、开票信息（需要发票的填写）', { bold: true, size: 24 }),
          formTable(['发票抬头', '纳税人识别号', '地址、电话', '开户行及账号']),
          para('四、委托方声明', { bold: true, size: 24 }),
          para('本单位对所填写的器具 / 样品信息和所提供资料的真实性负责；同意按所选依据检定、校准或检测，并按收费标准缴纳费用（强制检定不收费）。'),
          para('委托方（签字或盖章）：                              日期：        年    月    日'),
          para('五、受理记录（由服务网点填写）', { bold: true, size: 24 }),
          new Table({
            width: { size: 100, type: WidthType.PERCENTAGE },
            borders: { top: thin, bottom: thin, left: thin, right: thin, insideHorizontal: thin, insideVertical: thin },
            rows: [new TableRow({ children: [cell('预约号', { bold: true }), cell(''), cell('受理人', { bold: true }), cell(''), cell('受理日期', { bold: true }), cell('')] })],
          }),
          para('说明：在平台在线预约的，无需提交纸质委托单；到线下窗口办理的，请填写本表并携带相关材料。', { size: 18 }),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}

