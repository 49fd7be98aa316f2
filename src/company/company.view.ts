/* Labels and page models of the company workspace. */

export const COMPANY_PATH = '/company';

export function workspacePage(model: Record<string, unknown>, refused: { errors?: Record<string, string>; formError?: string; values?: Record<string, unknown> } = {}) {
  return { title: '企业空间', values: {}, errors: {}, ...model, ...refused };
}

export const COMPANY_FLASH = {
  deactivated: (name: string) => `已停用 ${name} 的账号，其登录已立即失效。`,
  reactivated: (name: string) => `已恢复 ${name} 的账号。`,
  adminGranted: (name: string) => `已将 ${name} 设为企业管理员。`,
  adminWithdrawn: (name: string) => `已取消 ${name} 的企业管理员身份。`,
  revoked: '邀请已撤销，原链接不再有效。',
  approved: '已同意加入申请，申请人可用注册时设置的手机号和密码登录。',
  refused: '已拒绝加入申请。',
} as const;
