import type { Db } from '../db/client.js';
import { JUDGEMENT_LABELS, type Judgement } from '../lab/judgement.js';
import { formatDate } from '../shared/time.js';
import type { ReportContent } from './content.js';
import * as repo from './reports.repo.js';
import { CERTIFICATE_KINDS, conclusionLabelOf, REPORT_STATUS_LABELS } from './reports.view.js';

/** "舟山海星船舶修造有限公司" → "舟山海星****有限公司": enough to recognise, not to harvest. */
export function maskCompanyName(name: string | null | undefined): string {
  const chars = [...(name ?? '')];
  if (chars.length === 0) return '—'; // a report frozen without its company (none is issued so now) still verifies
  if (chars.length <= 4) return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
  if (chars.length < 10) return chars.slice(0, 2).join('') + '***' + chars.slice(-2).join('');
  return chars.slice(0, 4).join('') + '****' + chars.slice(-4).join('');
}

/** Full-width letters, digits and dashes as their ASCII forms, upper case (report numbers and codes are ASCII). */
function normalised(text: string): string {
  return text
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\u2010-\u2015\u2212\u30FC]/g, '-')
    .replace(/\u3000/g, ' ')
    .trim()
    .toUpperCase();
}

type CertificateLine = { bookingItemId: number; certificateNo?: string | null; conclusion?: string | null; nextDueDate?: string | null };

/**
 * One certificate of a report: the instrument it is for, its own result, and until when it holds — a verification
 * certificate until its 有效期至, a calibration its 建议复校日期 — and whether that day has passed: a genuine
 * certificate may have expired, and the person checking it must see both.
 */
function certificateOf(content: ReportContent, number: string, today: string) {
  const line = (content.results as CertificateLine[]).find((r) => r.certificateNo?.toUpperCase() === number);
  return line ? certificateOfLine(content, line, today) : undefined;
}

/** One line's certificate: its own instrument (by the line's item, not by its number, which a line may share). */
function certificateOfLine(content: ReportContent, line: CertificateLine, today: string) {
  const item = (content.items as { id?: number; instrumentName?: string | null; serialNo?: string | null }[]).find((i) => i.id === line.bookingItemId);
  const until = line.conclusion !== 'fail' && line.nextDueDate ? { label: line.conclusion === 'calibrated' ? '建议复校日期' : '有效期至', date: line.nextDueDate, passed: line.nextDueDate < today } : undefined;
  return { number: line.certificateNo!, instrument: item?.instrumentName ?? '—', serialNo: item?.serialNo ?? '—', result: CERTIFICATE_KINDS[line.conclusion ?? '']?.conclusion ?? '—', until };
}

/**
 * What the holder of the paper compares line by line: the figures, not only the conclusion — a copy with an edited
 * sulphur content keeps the genuine number and code. The holder already has all of it on paper (the code is printed
 * only there); the company stays masked.
 */
function reportData(content: ReportContent, today: string) {
  const samples = (content.oilSamples ?? []).map((s) => ({
    sampleName: s.sampleName,
    gradeName: s.gradeName,
    sealNo: s.sealNo,
    bdnNo: s.bdnNo,
    lines: s.lines.map((l) => ({ name: l.name, unit: l.unit, value: l.value, judgement: JUDGEMENT_LABELS[l.judgement as Judgement] ?? '—' })),
  }));
  const certificates = (content.results as CertificateLine[]).filter((r) => r.certificateNo).map((r) => certificateOfLine(content, r, today));
  return { samples, certificates };
}

  /**
   * Public verification by number + code or by the QR token. Unknown numbers and wrong codes give the same
   * "not found"; a found report shows only summary fields with the company name masked.
   */
export async function verifyReport(db: Db, query: { number?: string; code?: string; token?: string }, today: string) {
    let report: repo.ReportRow | undefined;
    let byCertificate: string | undefined;
    if (query.token) report = await repo.findByToken(db, query.token);
    else if (query.number && query.code) {
      // As typed from paper: spaces for dashes or inside the code, full-width letters and dashes, lower case.
      const number = normalised(query.number).replace(/\s*-\s*/g, '-').replace(/\s+/g, '-');
      const code = normalised(query.code).replace(/[\s-]+/g, '');
      report = await repo.findByNumberAndCode(db, number, code);
      // Or the number of one of its certificates (each calibration certificate prints its own).
      if (!report) {
        report = await repo.findByCertificateAndCode(db, number, code);
        if (report) byCertificate = number;
      }
    }
    if (!report) return undefined;
    const content = report.content as ReportContent;
    // A certificate looked up by its own number: its instrument and its own result, not the whole report's.
    const certificate = byCertificate ? certificateOf(content, byCertificate, today) : undefined;
    const versions = await repo.versionsOfNumber(db, report.number);
    const latest = versions[versions.length - 1]!;
    return {
      number: report.number,
      version: report.version,
      status: report.status,
      statusLabel: REPORT_STATUS_LABELS[report.status],
      latestVersion: latest.version,
      issuer: `${content.booking.nodeName}（舟山市质量基础设施一站式服务平台）`,
      company: maskCompanyName(content.booking.enterpriseName),
      item: content.booking.serviceName,
      title: content.title,
      issuedOn: formatDate(report.issuedAt),
      conclusion: conclusionLabelOf(report),
      certificate,
      /** The certificates the report holds (calibration), each with its own number. */
      certificates: (content.results as { certificateNo?: string | null }[]).map((r) => r.certificateNo).filter((n): n is string => !!n),
      revokedReason: report.status === 'revoked' ? report.revokedReason : null,
      revokedOn: report.revokedAt ? formatDate(report.revokedAt) : null,
      data: reportData(content, today),
    };
  }
