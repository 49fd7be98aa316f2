/** What an API key may do: read everything in its owner's scope, book for its company, or work its node's queue. */
export const API_SCOPES = ['read', 'book', 'lab'] as const;
export type ApiScope = (typeof API_SCOPES)[number];
export type KeyOwnerType = 'company' | 'node' | 'platform';

/** The scopes each kind of owner may grant. */
export const SCOPES_OF_OWNER: Record<KeyOwnerType, readonly ApiScope[]> = {
  company: ['read', 'book'],
  node: ['read', 'lab'],
  platform: ['read'],
};

export const SCOPE_LABELS: Record<ApiScope, string> = { read: '只读（查询）', book: '预约（提交、取消、改期、台账）', lab: '实验室（受理、收样、录入结果、提交审核）' };
