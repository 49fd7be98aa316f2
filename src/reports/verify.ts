import type { Db } from '../db/client.js';
import { formatDate } from '../shared/time.js';
import type { ReportContent } from './content.js';
import * as repo from './reports.repo.js';
import { CONCLUSION_LABELS, REPORT_STATUS_LABELS } from './reports.view.js';

/** "舟山海星船舶修造有限公司" → "舟山海星****有限公司": enough to recognise, not to harvest. */
export function maskCompanyName(name: string | null | undefined): string {
  const chars = [...(name ?? '')];
  if (chars.length === 0) return '—'; // a report frozen without its company (none is issued so now) still verifies
  if (chars.length <= 4) return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
  if (chars.length < 10) return chars.slice(0, 2).join('') + '***' + chars.slice(-2).join('');
  return chars.slice(0, 4).join('') + '****' + chars.slice(-4).join('');
}

  /**
   * Public verification by number + code or by the QR token. Unknown numbers and wrong codes give the same
   * "not found"; a found report shows only summary fields with the company name masked.
   */
export async function verifyReport(db: Db, query: { number?: string; code?: string; token?: string }) {
    let report: repo.ReportRow | undefined;
    if (query.token) report = await repo.findByToken(db, query.token);
    else if (query.number && query.code) {
      const number = query.number.trim().toUpperCase();
      const code = query.code.trim().toUpperCase();
      // The report's number, or the number of one of its certificates (each calibration certificate prints its own).
      report = (await repo.findByNumberAndCode(db, number, code)) ?? (await repo.findByCertificateAndCode(db, number, code));
    }
    if (!report) return undefined;
    const content = report.content as ReportContent;
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
      conclusion: CONCLUSION_LABELS[report.conclusion] ?? report.conclusion,
      /** The certificates the report holds (calibration), each with its own number. */
      certificates: (content.results as { certificateNo?: string | null }[]).map((r) => r.certificateNo).filter((n): n is string => !!n),
      revokedReason: report.status === 'revoked' ? report.revokedReason : null,
      revokedOn: report.revokedAt ? formatDate(report.revokedAt) : null,
    };
  }
