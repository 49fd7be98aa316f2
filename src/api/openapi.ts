import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiResponseObject } from 'zod-openapi';
import { importRowsSchema, instrumentSchema } from '../ledger/ledger.schemas.js';
import { calibrationSchema, consultationSchema, oilTestSchema, reasonSchema, rescheduleSchema } from '../bookings/bookings.schemas.js';
import { WEBHOOK_EVENTS } from '../events/webhooks.js';
import { LAB_API_ACTIONS } from './api.service.js';
import { BOOKING_FORM_PURPOSES } from '../uploads/purposes.js';
import { Booking, BookingDetail, Created, ImportPreview, ImportResult, Instrument, MeasurementStandard, Node, Page, Problem, Report, Service, Verification, Window } from './resources.js';

/* The OpenAPI 3.1 document of /api/v1, generated from zod schemas: request bodies are the web forms' own schemas
   (bookings.schemas.ts), responses the resource schemas (resources.ts). Built once per process. */

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: Problem } } });
const json = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });
const errors = { '401': problem('缺少、无效或已停用的密钥'), '403': problem('密钥没有所需的权限范围'), '404': problem('不存在或不在此密钥的范围内'), '422': problem('参数有误（errors 列出各字段）'), '429': problem('超出此密钥的请求频率') };
const get = (summary: string, ok: ZodOpenApiResponseObject, extra: Partial<ZodOpenApiOperationObject> = {}): ZodOpenApiOperationObject => ({ summary, responses: { '200': ok, '304': { description: 'If-None-Match 与当前 ETag 相同' }, ...errors }, ...extra });
const bookingPage = Page(Booking, 'BookingPage');
const numberParam = z.object({ number: z.string().meta({ description: '预约编号' }) });
const reportParams = numberParam.extend({ version: z.string().regex(/^\d{1,4}$/).meta({ description: '报告版本号' }) });
const listQuery = z.object({
  cursor: z.string().optional().meta({ description: '上一页返回的 nextCursor' }),
  limit: z.string().regex(/^\d{1,3}$/).optional().meta({ description: '每页条数，1–100，默认 20' }),
  status: z.string().optional().meta({ description: '状态，可用逗号分隔多个' }),
  service: z.string().optional(),
  from: z.string().optional().meta({ description: '预约日期起（年-月-日）' }),
  to: z.string().optional(),
});
const target = z.object({
  service: z.string().meta({ description: '服务编码（GET /services）' }),
  node: z.string().meta({ description: '网点 id（GET /nodes）' }),
  attachments: z
    .array(z.object({ purpose: z.enum(BOOKING_FORM_PURPOSES as [string, ...string[]]), name: z.string(), contentBase64: z.string().meta({ description: '文件内容（Base64）；按网页上传相同的规则检查内容（PDF、图片、Word、Excel，每个不超过 10 MB）' }) }))
    .max(5)
    .optional(),
});
const createBody = z
  .union([target.and(calibrationSchema), target.and(oilTestSchema), target.and(consultationSchema)])
  .meta({ description: '与网页预约表单相同的字段与校验（按服务的类型：检定校准 / 油品检测 / 咨询）；idempotencyKey 以请求头 Idempotency-Key 为准。' });

export function buildOpenApi(publicUrl: string) {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: '舟山市质量基础设施一站式服务平台 开放接口',
      version: '1.0.0',
      description: `用 Authorization: Bearer <密钥> 调用；密钥由企业在“接口密钥”页面、网点负责人或平台管理员创建。错误按 RFC 9457 返回 application/problem+json。列表用游标分页；创建预约须带 Idempotency-Key：同一键重发相同的请求返回首次创建的预约，用于内容不同的请求则返回 422；GET 返回 ETag。事件推送（${WEBHOOK_EVENTS.join('、')}）以 HMAC-SHA256 签名：X-NQI-Signature: v1=hex(HMAC(secret, X-NQI-Timestamp + "." + 请求体))。`,
    },
    servers: [{ url: `${publicUrl}/api/v1` }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths: {
      '/services': { get: get('服务目录', json('服务', z.object({ data: z.array(Service) }))) },
      '/nodes': { get: get('服务网点', json('网点', z.object({ data: z.array(Node) }))) },
      '/availability': {
        get: get('可预约时段与余量', json('时段', z.object({ data: z.array(Window) })), { requestParams: { query: z.object({ service: z.string(), node: z.string(), from: z.string().optional(), to: z.string().optional() }) } }),
      },
      '/bookings': {
        get: get('预约列表（游标分页）', json('一页预约', bookingPage), { requestParams: { query: listQuery } }),
        post: {
          summary: '提交预约（channel = api）',
          requestParams: { header: z.object({ 'Idempotency-Key': z.string().regex(/^[A-Za-z0-9_-]{16,64}$/).meta({ description: '每个新预约一个新键；平台保存键与请求（方法、路径、规范化请求体）的 SHA-256 指纹' }) }) },
          requestBody: { content: { 'application/json': { schema: createBody } } },
          responses: {
            '201': json('已创建', Created),
            '200': json('同一 Idempotency-Key 的重复请求：首次创建的预约', Created),
            '409': problem('时段已约满等'),
            ...errors,
            '422': problem('参数有误（errors 列出各字段）；或该 Idempotency-Key 已用于内容不同的请求（type 以 idempotency-key-reused 结尾）'),
          },
        },
      },
      '/bookings/{number}': { get: get('预约详情', json('预约', BookingDetail), { requestParams: { path: numberParam } }) },
      '/bookings/{number}/cancel': {
        post: { summary: '取消预约', requestParams: { path: numberParam }, requestBody: { content: { 'application/json': { schema: reasonSchema } } }, responses: { '200': json('已取消', BookingDetail), '409': problem('当前状态不能取消'), ...errors } },
      },
      '/bookings/{number}/reschedule': {
        post: { summary: '改期', requestParams: { path: numberParam }, requestBody: { content: { 'application/json': { schema: rescheduleSchema } } }, responses: { '200': json('已改期', BookingDetail), '409': problem('当前状态或时段不允许'), ...errors } },
      },
      '/bookings/{number}/reports': { get: get('报告的各个版本（新版在前）', json('版本', z.object({ data: BookingDetail.shape.reports })), { requestParams: { path: numberParam } }) },
      '/bookings/{number}/reports/{version}': { get: get('报告（某一版本）', json('报告', Report), { requestParams: { path: reportParams } }) },
      '/bookings/{number}/reports/{version}/pdf': {
        get: { summary: '签章报告 PDF', requestParams: { path: reportParams }, responses: { '200': { description: 'PDF', content: { 'application/pdf': { schema: z.string().meta({ format: 'binary' }) } } }, ...errors } },
      },
      '/verify': { get: get('报告真伪查验', json('查验结果', Verification), { requestParams: { query: z.object({ number: z.string(), code: z.string() }) } }) },
      '/instruments': {
        get: get('器具台账（企业密钥）', json('一页器具', Page(Instrument, 'InstrumentPage')), { requestParams: { query: listQuery.pick({ cursor: true, limit: true }) } }),
        post: { summary: '新增台账器具（与网页台账相同的字段与校验）', requestBody: { content: { 'application/json': { schema: instrumentSchema } } }, responses: { '201': json('已新增', Instrument), '409': problem('同一出厂编号的器具已在台账中'), ...errors } },
      },
      '/instruments/imports': {
        post: {
          summary: '批量导入台账：上传导入模板的 Excel 文件（或以 JSON 提交各行），返回逐行检查的预览（尚未导入）',
          description: '与网页“导入台账”相同：同样的模板、逐行规则、重复检查（同一类别、同一出厂编号）和行数上限（5000 行）。确认前不会导入任何一行；预览保留 7 天。',
          requestBody: {
            content: {
              'multipart/form-data': { schema: z.object({ file: z.string().meta({ format: 'binary', description: '填写好的导入模板（.xlsx，不超过 10 MB；按文件内容检查，改了扩展名的其他文件会被拒绝）' }) }) },
              'application/json': { schema: importRowsSchema },
            },
          },
          responses: { '201': json('预览（Location 为其地址）', ImportPreview), '413': problem('文件超过 10 MB'), '415': problem('既不是 multipart/form-data 也不是 application/json'), ...errors, '422': problem('文件不是 Excel（.xlsx）或不是导入模板、没有数据行、超过 5000 行，或 JSON 格式不对（errors 列出字段）') },
        },
      },
      '/instruments/imports/{token}': { get: get('导入预览', json('预览', ImportPreview), { requestParams: { path: z.object({ token: z.string() }) } }) },
      '/instruments/imports/{token}/confirm': {
        post: {
          summary: '确认导入：预览中全部可导入的行在一个事务中导入，或一行也不导入',
          requestParams: { path: z.object({ token: z.string() }) },
          responses: { '200': json('已导入', ImportResult), '409': problem('已导入过、没有可导入的行，或预览后台账中又登记了其中的器具（一行也没有导入）'), ...errors },
        },
      },
      '/instruments/{id}': {
        get: get('台账器具', json('器具', Instrument), { requestParams: { path: z.object({ id: z.string() }) } }),
        put: { summary: '修改台账器具（全部字段）', requestParams: { path: z.object({ id: z.string() }) }, requestBody: { content: { 'application/json': { schema: instrumentSchema } } }, responses: { '200': json('已修改', Instrument), '409': problem('与台账中的其他器具重复'), ...errors } },
      },
      '/lab/queue': { get: get('网点待办队列（网点密钥，lab 权限）', json('一页预约', bookingPage), { requestParams: { query: listQuery } }) },
      '/lab/standards': { get: get('本网点在用的计量标准（提交检定/校准结果时按 id 选用）', json('计量标准', z.object({ data: z.array(MeasurementStandard) }))) },
      '/lab/bookings/{number}/{action}': {
        post: {
          summary: '受理、收样、开始检测、提交结果待审核（审核与签发只在网页上由人完成）',
          requestParams: { path: numberParam.extend({ action: z.enum(LAB_API_ACTIONS) }) },
          requestBody: { content: { 'application/json': { schema: z.record(z.string(), z.unknown()).meta({ description: '与网页工作台相同的字段（结果录入按相同的判定规则）' }) } } },
          responses: { '200': json('操作后的预约', BookingDetail), '409': problem('当前状态不允许'), ...errors },
        },
      },
    },
  });
}
