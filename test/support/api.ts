import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import type { Principal } from '../../src/auth/access.js';
import type { TestApp } from './app.js';

const addFormats = addFormatsImport as unknown as (ajv: Ajv2020) => void;

/** An API key made through the service (as the key page does); returns the secret shown once. */
export async function apiKeyFor(t: TestApp, userId: number, scopes: string[], name = '测试接口密钥'): Promise<{ id: number; secret: string }> {
  const user = (await t.services.auth.loadPrincipal(userId)) as Principal;
  return t.services.keys.create(user, { name, scopes });
}

/** Validates responses against the served OpenAPI document: the schema of (path template, method, status, media type). */
export function contractValidator(doc: Record<string, unknown>) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: 'https://nqi.test/openapi.json' });
  const pointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
  return function check(template: string, method: string, res: { status: number; headers: Record<string, string>; body: unknown }): void {
    const type = String(res.headers['content-type'] ?? '').split(';')[0]!;
    const path = `#/paths/${pointer(template)}/${method}/responses/${res.status}`;
    const responses = ((doc.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>)[template]?.[method]?.responses ?? {}) as Record<string, { content?: Record<string, unknown> }>;
    const declared = responses[String(res.status)];
    if (!declared) throw new Error(`${method.toUpperCase()} ${template}: status ${res.status} is not in the OpenAPI document`);
    if (!declared.content) return;
    if (!declared.content[type]) throw new Error(`${method.toUpperCase()} ${template} ${res.status}: media type ${type} is not in the document`);
    const ref = `https://nqi.test/openapi.json${path}/content/${pointer(type)}/schema`;
    const validate = ajv.getSchema(encodeURI(ref)) ?? ajv.compile({ $ref: encodeURI(ref) });
    if (!validate(res.body)) throw new Error(`${method.toUpperCase()} ${template} ${res.status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body).slice(0, 500)}`);
  };
}
