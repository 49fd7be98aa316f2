import type { Principal, Role } from './access.js';
import { PASSWORD_RULE } from './password.js';

/** What each role is called on every page (header, account, admin lists). */
export const ROLE_LABELS: Record<Role, string> = {
  enterprise: '企业用户',
  lab_staff: '检测/检定人员',
  node_manager: '节点负责人',
  park_admin: '园区管理员',
  platform_admin: '平台管理员',
  expert: '专家',
};

export const PASSWORD_PATH = '/account/password';

/** The login page; `formError` for a refused attempt (wrong credentials, too many tries). */
export function loginPage(values: Record<string, unknown>, next: string | undefined, refused: { errors?: Record<string, string>; formError?: string } = {}) {
  return { title: '登录', values, errors: {}, next, ...refused };
}

/** The company sign-up form. */
export function registerPage(parks: unknown[], values: Record<string, unknown> = {}, refused: { errors?: Record<string, string>; formError?: string } = {}) {
  return { title: '企业注册', values, errors: {}, parks, passwordRule: PASSWORD_RULE, ...refused };
}

/** The password form; `forced` when an administrator set the password and it must be replaced first. */
export function passwordPage(user: Principal, refused: { errors?: Record<string, string>; formError?: string } = {}) {
  return { title: '修改密码', values: {}, errors: {}, passwordRule: PASSWORD_RULE, forced: user.mustChangePassword, ...refused };
}

export function accountPage(user: Principal) {
  return { title: '我的账号', account: user, roleLabel: ROLE_LABELS[user.role] };
}
