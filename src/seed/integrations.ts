import { createHash, randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiKeys, users, webhookSubscriptions } from '../db/schema.js';
import { WEBHOOK_EVENTS } from '../events/webhooks.js';

/**
 * Demo integrations of 舟山海星船舶修造: an API key for its ERP (random; its secret is printed nowhere — create your own
 * on /company/api-keys to try the API) and a webhook subscription to the ERP's address. Idempotent.
 */
export async function seedDemoIntegrations(db: Db): Promise<void> {
  const [owner] = await db.select({ id: users.id, enterpriseId: users.enterpriseId }).from(users).where(eq(users.mobile, '13900000101'));
  if (!owner?.enterpriseId) return;
  const enterpriseId = owner.enterpriseId;
  const [key] = await db.select({ id: apiKeys.id }).from(apiKeys).where(and(eq(apiKeys.enterpriseId, enterpriseId), eq(apiKeys.name, 'ERP 系统')));
  if (!key) {
    const secret = `nqi_${randomBytes(32).toString('base64url')}`;
    await db.insert(apiKeys).values({ name: 'ERP 系统', prefix: secret.slice(0, 12), keyHash: createHash('sha256').update(secret).digest('hex'), ownerType: 'company', enterpriseId, scopes: ['read', 'book'], createdBy: owner.id });
  }
  const [hook] = await db.select({ id: webhookSubscriptions.id }).from(webhookSubscriptions).where(eq(webhookSubscriptions.enterpriseId, enterpriseId));
  if (!hook) {
    await db.insert(webhookSubscriptions).values({
      ownerType: 'company',
      enterpriseId,
      url: 'https://erp.haixing-ship.example.com/nqi/webhooks',
      events: [...WEBHOOK_EVENTS],
      secret: `whsec_${randomBytes(24).toString('base64url')}`,
      // off in the demo: nothing is sent to the example address until someone turns it on (register your own instead)
      active: false,
      createdBy: owner.id,
    });
  }
}
