import { bookingViewLabels } from '../bookings/bookings.view.js';
import { CLOSED_STATUSES, FINISHED_STATUSES, TRANSITIONS, type BookingStatus } from '../bookings/lifecycle.js';
import { CONCLUSION_LABELS, REPORT_STATUS_LABELS } from '../reports/reports.view.js';
import { REVISION_STATUS_LABELS } from '../reports/revision-lifecycle.js';
import { JUDGEMENT_LABELS } from './judgement.js';
import { ULO_ELEMENTS, ULO_ITEM, uloValuesOf } from './ulo.js';
import { CALIBRATION_CONCLUSION_LABELS } from './results.js';

/** Queue tabs: the stage a technician works on, and the statuses in it. */
export const QUEUE_TABS = [
  { key: 'submitted', label: '待受理', statuses: ['submitted'] },
  { key: 'needs_info', label: '待补正', statuses: ['needs_info'] },
  { key: 'accepted', label: '待收样', statuses: ['accepted'] },
  { key: 'testing', label: '检测中', statuses: ['received', 'in_progress'] },
  { key: 'to_verify', label: '待审核', statuses: ['to_verify'] },
  { key: 'verified', label: '待出报告', statuses: ['verified'] },
  { key: 'done', label: '已完成', statuses: FINISHED_STATUSES },
  { key: 'closed', label: '已关闭', statuses: CLOSED_STATUSES },
] as const satisfies readonly { key: string; label: string; statuses: readonly BookingStatus[] }[];

export type QueueTab = (typeof QUEUE_TABS)[number];

/** What the workbench says after each step. */
export const DONE_MESSAGES: Record<string, string> = {
  accept: '已受理，办结期限已按工作日计算。',
  reject: '已不予受理，名额已释放，企业已收到通知。',
  needs_info: '已通知企业补正材料。',
  receive: '已登记收样 / 到场。',
  start: '已开始检测。',
  submit_results: '结果已提交，等待其他人员审核。',
  verify: '审核通过，可以签发报告。',
  retract: '已退回重做。',
  issue_report: '报告已签发，企业已收到通知。',
  open_revision: '已发起更正：请录入更正后的结果，提交后由他人审核、授权签字人签发。',
  submit_revision: '更正结果已提交，等待其他人员审核。',
  verify_revision: '更正结果审核通过，等待授权签字人签发。',
  retract_revision: '更正已退回重新录入。',
  issue_revision: '已签发更正后的新版本报告，原版本标记为“已替换”，企业已收到通知。',
  withdraw_revision: '已撤回本次更正，原报告版本保持有效。',
  revoke_report: '报告已撤销。',
  upload_report_pdf: '签章 PDF 已上传，待授权签字人确认。',
  confirm_report_pdf: '签章 PDF 已确认，企业可下载。',
  discard_report_pdf: '已退回该签章 PDF。',
  adjust_fee: '费用已核定，企业可在预约详情中查看。',
  record_payment: '缴费情况已登记。',
  issue_invoice: '发票号码已登记，企业已收到通知。',
};

/** Labels every lab page draws with. */
export const labViewLabels = {
  ...bookingViewLabels,
  judgement: JUDGEMENT_LABELS,
  calibrationConclusion: CALIBRATION_CONCLUSION_LABELS,
  conclusion: CONCLUSION_LABELS,
  reportStatus: REPORT_STATUS_LABELS,
  revisionStatus: REVISION_STATUS_LABELS,
  transitions: Object.fromEntries(Object.values(TRANSITIONS).map((t) => [t.action, t.label])),
  /** The ULO line's three elements and how a stored line reads back into them. */
  ulo: { item: ULO_ITEM, elements: ULO_ELEMENTS, valuesOf: uloValuesOf },
};
