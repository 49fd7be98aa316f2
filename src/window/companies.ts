import { pinyin } from 'pinyin-pro';
import { assertCan, type Principal } from '../auth/access.js';
import { pgConstraint, pgErrorCode, UNIQUE_VIOLATION } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { checkCreditCode } from '../enterprises/credit-code.js';
import { insertEnterprise } from '../enterprises/enterprises.repo.js';
import { recordEvent } from '../events/record.js';
import { ValidationError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import type { WindowDeps } from './context.js';
import * as repo from './window.repo.js';
import { windowCompanySchema } from './window.schemas.js';

/** Pinyin initials of a name ("舟山海星" → "zshx"), memoised: names rarely change, the window searches often. */
const initialsCache = new Map<string, string>();
export function initialsOf(name: string): string {
  let v = initialsCache.get(name);
  if (v === undefined) {
    v = pinyin(name, { pattern: 'first', toneType: 'none', type: 'array' }).join('').toLowerCase().replace(/[^a-z0-9]/g, '');
    if (initialsCache.size > 100_000) initialsCache.clear();
    initialsCache.set(name, v);
  }
  return v;
}

/** Find a company by credit code, a part of its name, or the pinyin initials of its name (2–12 letters). */
export async function findCompanies(deps: WindowDeps, staff: Principal, q: string) {
  assertCan(staff, 'window.operate');
  const query = q.trim().slice(0, 60);
  if (query.length < 2) return [];
  let ids: number[] = [];
  if (/^[a-zA-Z]{2,12}$/.test(query)) {
    const wanted = query.toLowerCase();
    ids = (await repo.companyNames(deps.db)).filter((c) => initialsOf(c.name).includes(wanted)).slice(0, 20).map((c) => c.id);
  }
  return repo.searchCompanies(deps.db, query, ids);
}

/**
 * Registers a company that is not on the platform yet, at the window: the same credit-code check as online, no user
 * (the company is owned by nobody until someone claims it with the receipt's code). Returns its id.
 */
export async function registerUnowned(deps: WindowDeps, staff: Principal, input: unknown): Promise<number> {
  assertCan(staff, 'window.operate');
  const v = parseInput(windowCompanySchema, input);
  const code = checkCreditCode(v.creditCode);
  if (code.status === 'bad_format') throw new ValidationError({ creditCode: code.reason });
  if (code.status === 'bad_check' && !v.confirmCreditCode) {
    throw new ValidationError({ creditCode: `校验位与 GB 32100 计算结果不符（按规则第 18 位应为“${code.expected}”）。请核对营业执照；确认无误的请勾选确认，平台管理员将人工复核。` });
  }
  const existing = await repo.findCompanyByCode(deps.db, code.code);
  if (existing) throw new ValidationError({ creditCode: `该统一社会信用代码已登记为“${existing.name}”，请在上方查找该企业办理。` });
  const needsReview = code.status === 'bad_check';
  return inTransaction(deps.db, async (tx) => {
    const id = await insertEnterprise(tx, { name: v.companyName, creditCode: code.code, parkId: v.parkId, address: v.address, needsReview });
    await recordEvent(tx, {
      actorUserId: staff.id,
      entityType: 'enterprise',
      entityId: id,
      action: 'window.company_registered',
      note: `${staff.name}在线下窗口登记${v.companyName}（尚无企业账号）`,
      data: { staffUserId: staff.id, staffName: staff.name, nodeId: staff.nodeId, enterpriseId: id, enterpriseName: v.companyName, creditCode: code.code, creditCodeReview: needsReview ? 'pending' : 'none' },
    });
    return id;
  }).catch((err: unknown) => {
    if (pgErrorCode(err) === UNIQUE_VIOLATION && (pgConstraint(err) ?? '').includes('credit_code')) throw new ValidationError({ creditCode: '该统一社会信用代码刚刚已被登记，请在上方查找该企业办理。' });
    throw err;
  });
}
