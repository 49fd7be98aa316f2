/** Labels of reports: their status and the overall conclusion printed on them. */
export const REPORT_STATUS_LABELS = { valid: '有效', replaced: '已替换', revoked: '已撤销' } as const;
export const CONCLUSION_LABELS: Record<string, string> = { pass: '合格', fail: '不合格', info: '见数据' };
