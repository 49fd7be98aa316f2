import { z } from 'zod';
import { WEBHOOK_EVENTS } from '../events/webhooks.js';
import { requiredText } from '../shared/validation.js';
import { API_SCOPES } from './scopes.js';

/** The form that creates an API key: a name and at least one scope. */
export const newKeySchema = z.object({
  name: requiredText('密钥名称', { min: 2, max: 40 }),
  scopes: z.preprocess(
    (v) => (v === undefined ? [] : typeof v === 'string' ? [v] : v),
    z.array(z.enum(API_SCOPES, { error: '权限范围不正确' }), { error: '权限范围不正确' }).min(1, '请至少选择一项权限范围').max(3),
  ),
});

/** The form that registers a webhook: an http(s) address and the events to receive. */
export const newWebhookSchema = z.object({
  url: requiredText('接收地址', { max: 500 }).pipe(z.string().regex(/^https?:\/\/[^\s]+$/i, '接收地址应以 http:// 或 https:// 开头')),
  events: z.preprocess(
    (v) => (v === undefined ? [] : typeof v === 'string' ? [v] : v),
    z.array(z.enum(WEBHOOK_EVENTS, { error: '事件类型不正确' }), { error: '事件类型不正确' }).min(1, '请至少选择一种事件').max(WEBHOOK_EVENTS.length),
  ),
});
