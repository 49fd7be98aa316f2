import type { OilReportSample, ReportContent } from './content.js';
import type { CalibrationConditions } from '../db/schema.js';
/** Labels of reports: their status and the overall conclusion printed on them. */
export const REPORT_STATUS_LABELS = { valid: '有效', replaced: '已替换', revoked: '已撤销' } as const;
export const CONCLUSION_LABELS: Record<string, string> = { pass: '合格', fail: '不合格', info: '见数据' };

/**
 * A report's conclusion as people read it. A calibration report of several instruments is a set of certificates that
 * each stand alone: it counts them ("合格 4 台、不合格 1 台") — one 不合格 gauge does not make the other four 不合格.
 */
export function conclusionLabelOf(report: { conclusion: string; content: unknown }): string {
  const content = report.content as { booking?: { kind?: string }; results?: { conclusion?: string | null }[] } | null;
  const lines = content?.booking?.kind === 'calibration' ? (content.results ?? []).filter((r) => r.conclusion) : [];
  if (lines.length > 1) {
    const short = { pass: '合格', fail: '不合格', calibrated: '已校准' } as const;
    const counted = (['pass', 'fail', 'calibrated'] as const).map((c) => [short[c], lines.filter((l) => l.conclusion === c).length] as const).filter(([, n]) => n > 0);
    return counted.map(([label, n]) => `${label} ${n} 台`).join('、');
  }
  if (lines.length === 1) return CERTIFICATE_KINDS[lines[0]!.conclusion!]?.conclusion ?? CONCLUSION_LABELS[report.conclusion] ?? report.conclusion;
  return CONCLUSION_LABELS[report.conclusion] ?? report.conclusion;
}


/** A calibration line's document, chosen by its result: 合格 → 检定证书, 校准 → 校准证书, 不合格 → 检定结果通知书. */
export const CERTIFICATE_KINDS: Record<string, { title: string; titleEn: string; conclusion: string }> = {
  pass: { title: '检定证书', titleEn: 'Verification Certificate', conclusion: '合格' },
  calibrated: { title: '校准证书', titleEn: 'Calibration Certificate', conclusion: '校准（给出测量数据，不作合格判定）' },
  fail: { title: '检定结果通知书', titleEn: 'Notice of Verification Result', conclusion: '不合格' },
};

/** What a lab prints under every report (CNAS practice), by the kind of report. */
function statements(kind: string, verifyUrl: string): string[] {
  const object = kind === 'calibration' ? '所检计量器具' : kind === 'oil_test' ? '所检样品' : '本次咨询';
  return [
    `本${kind === 'calibration' ? '证书' : '报告'}仅对${object}负责${kind === 'oil_test' ? '，检测结果仅对来样有效' : ''}。`,
    `未经本${kind === 'consultation' ? '中心' : '实验室'}书面批准，不得部分复制本${kind === 'calibration' ? '证书' : '报告'}（完整复制除外）。`,
    '无检测、审核、批准人员签名，或涂改、缺页的无效。',
    // The decision rule (CNAS-CL01 7.1.3 / 7.8.6): what the lab does, said where the customer reads the conclusion.
    ...(kind === 'oil_test'
      ? ['判定规则：检测结果按 GB/T 8170 全数值比较法与限值比较（简单接受，判定未计入测量不确定度）；对临近限值的结果有异议时，可按 ISO 4259 申请复检。']
      : kind === 'calibration'
        ? ['检定结论由各测量点示值误差与最大允许误差比较得出；校准证书只给出测量数据及其扩展不确定度，不作合格判定。']
        : []),
    '对结果如有异议，请于收到之日起十五日内向出具单位提出。',
    `可在 ${verifyUrl} 输入报告编号与验证码，或扫描二维码核验真伪。`,
  ];
}

type Line = { bookingItemId: number; testItemCode?: string | null; unit?: string | null; limitText?: string | null; limitSource?: string | null; valueText?: string | null; judgement?: string | null };

/** Reports issued before the laid-out content: their samples drawn from the frozen items and results (no method). */
function legacyOilSamples(c: ReportContent): OilReportSample[] {
  const results = c.results as unknown as Line[];
  return (c.items as Record<string, unknown>[]).map((it) => {
    const id = it.id as number;
    const str = (k: string) => (typeof it[k] === 'string' ? (it[k] as string) : null);
    return {
      itemId: id,
      sampleName: str('sampleName') ?? '',
      labelCode: str('labelCode'),
      gradeName: str('gradeName') ?? '',
      gradeNameEn: str('gradeNameEn') ?? '',
      variantName: null,
      specEdition: str('specEdition') ?? '',
      sulphurRequirement: null,
      sourceType: str('sourceType'),
      sourceName: str('sourceName'),
      samplingDate: str('samplingDate'),
      sealNo: str('sealNo'),
      bdnNo: str('bdnNo'),
      conditionOnReceipt: null,
      lines: results
        .filter((r) => r.bookingItemId === id && r.testItemCode)
        .map((r) => ({
          itemCode: r.testItemCode!,
          name: c.itemNames[r.testItemCode!] ?? '检测项目',
          nameEn: '',
          method: '—',
          unit: r.unit && r.unit !== '-' ? r.unit : '—',
          limit: r.limitText ?? '—',
          limitEn: null,
          condition: null,
          source: r.limitSource ?? null,
          pendingLimit: (r.limitSource ?? '').includes('待核实'),
          value: r.valueText ?? '',
          judgement: r.judgement ?? 'no_limit',
        })),
    };
  });
}

type CalResult = { bookingItemId: number; conclusion?: string | null; certificateNo?: string | null; nextDueDate?: string | null; conditions?: CalibrationConditions | null; points?: { nominal: number; measured: number; error: number | null; mpe?: number | null; uncertainty: string | null }[] | null; unit?: string | null; limitText?: string | null; remark?: string | null };

/**
 * What a certificate names as its basis: a verification (合格 / 不合格) its 检定规程 (JJG), a calibration its 校准规范
 * (JJF) — either falling back to every standard of the service when it has none of that kind — and one edition of each
 * document (the first listed, the one in force).
 */
export function certificateStandards(all: string[], conclusionCode: string): string[] {
  const prefix = conclusionCode === 'calibrated' ? 'JJF' : 'JJG';
  const ofKind = all.filter((s) => s.trim().toUpperCase().startsWith(prefix));
  const seen = new Set<string>();
  return (ofKind.length ? ofKind : all).filter((s) => {
    const document = /^([A-Z/]+\s*\d+(?:\.\d+)?)/i.exec(s.trim())?.[1]?.replace(/\s+/g, ' ').toUpperCase() ?? s;
    if (seen.has(document)) return false;
    seen.add(document);
    return true;
  });
}

/** One certificate per instrument line, titled by its result. */
function certificates(c: ReportContent) {
  const results = c.results as unknown as CalResult[];
  return (c.items as Record<string, unknown>[]).flatMap((it) =>
    results
      .filter((r) => r.bookingItemId === it.id)
      .map((r) => ({
        kind: CERTIFICATE_KINDS[r.conclusion ?? ''] ?? CERTIFICATE_KINDS.calibrated!,
        conclusionCode: r.conclusion ?? 'calibrated',
        standards: certificateStandards(c.standards ?? [], r.conclusion ?? 'calibrated'),
        certificateNo: r.certificateNo ?? '—',
        instrumentName: (it.instrumentName as string | null) ?? '—',
        model: (it.model as string | null) || '—',
        serialNo: (it.serialNo as string | null) || '—',
        range: (it.measuringRange as string | null) || '—',
        accuracyClass: (it.accuracyClass as string | null) || '—',
        labelCode: (it.labelCode as string | null) ?? null,
        conditionOnReceipt: (it.conditionOnReceipt as string | null) ?? null,
        points: r.points ?? [],
        /** The unit of the readings, printed in the data table's headings ("标称值（MPa）"). */
        unit: r.unit ?? null,
        /** The MPE as the line was judged ("±0.026", "±0.5%"); each point carries its value in the reading's unit. */
        mpe: r.limitText ?? null,
        hasMpe: (r.points ?? []).some((p) => p.mpe != null),
        hasUncertainty: (r.points ?? []).some((p) => !!p.uncertainty),
        nextDueDate: r.nextDueDate ?? null,
        /** Place, environment and the measurement standards used (certificates issued before they were recorded have none). */
        conditions: r.conditions ?? null,
        remark: r.remark ?? null,
      })),
  );
}

/**
 * The print page of a report version: samples (oil) or certificates (calibration, one per instrument) laid out as a
 * lab signs them, the closing block (conclusion, signatures, date, statements) kept together, English beside the
 * Chinese when the company asked for a bilingual report.
 */
export function reportPage<V extends { content: ReportContent; report: { number: string; version: number } }>(view: V, verifyUrl: string) {
  const c = view.content;
  const kind = c.booking.kind;
  return {
    ...view,
    kind,
    bilingual: kind === 'oil_test' && c.bilingual === true,
    oilSamples: kind === 'oil_test' ? (c.oilSamples ?? legacyOilSamples(c)) : [],
    certificates: kind === 'calibration' ? certificates(c) : [],
    standards: c.standards ?? [],
    statements: statements(kind, verifyUrl.replace(/\?.*$/, '')),
    conclusionLabel: CONCLUSION_LABELS[c.conclusion] ?? '见数据',
  };
}
