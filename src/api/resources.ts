import { z } from 'zod';
import { WEBHOOK_EVENTS } from '../events/webhooks.js';

/* The API's resources as zod schemas: the OpenAPI document (openapi.ts) is generated from these and from the request
   schemas, and the contract tests validate every response against that document. */

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 问题详情（application/problem+json）；422 时 errors 列出各字段的错误。' });

export const Service = z
  .object({
    code: z.string(),
    name: z.string(),
    category: z.string(),
    bookingKind: z.enum(['calibration', 'oil_test', 'consultation']),
    summary: z.string().nullable(),
    turnaroundDays: z.number().int().nullable(),
    standards: z.array(z.string()).nullable(),
  })
  .meta({ id: 'Service' });

export const Node = z
  .object({ id: z.number().int(), code: z.string(), name: z.string(), kind: z.string(), park: z.string().nullable(), address: z.string().nullable(), phone: z.string().nullable(), hours: z.string().nullable() })
  .meta({ id: 'Node' });

export const MeasurementStandard = z
  .object({ id: z.number().int(), name: z.string(), certificateNo: z.string(), measuringRange: z.string(), accuracy: z.string(), validUntil: z.string(), categoryCodes: z.array(z.string()), inDate: z.boolean().meta({ description: '考核证书在今天仍有效（过期的不能在结果中选用）' }) })
  .meta({ id: 'MeasurementStandard' });

export const Window = z
  .object({ date: z.string(), window: z.string(), label: z.string(), capacity: z.number().int(), free: z.number().int(), available: z.boolean() })
  .meta({ id: 'Window' });

export const Booking = z
  .object({
    number: z.string(),
    kind: z.enum(['calibration', 'oil_test', 'consultation']),
    status: z.string(),
    service: z.string(),
    nodeId: z.number().int(),
    enterpriseId: z.number().int(),
    date: z.string(),
    window: z.string(),
    units: z.number().int(),
    channel: z.enum(['online', 'window', 'api']),
    contactName: z.string(),
    dueDate: z.string().nullable(),
    submittedAt: z.string(),
  })
  .meta({ id: 'Booking' });

export const BookingDetail = Booking.extend({
  items: z.array(z.record(z.string(), z.unknown())),
  reports: z.array(z.object({ number: z.string(), version: z.number().int(), status: z.string() })),
  timeline: z.array(z.object({ action: z.string(), toState: z.string().nullable(), at: z.string() })),
}).meta({ id: 'BookingDetail' });

export const Page = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable().meta({ description: '下一页的游标；null 表示没有更多' }) }).meta({ id });

export const Report = z
  .object({ number: z.string(), version: z.number().int(), status: z.string(), issuedAt: z.string().nullable(), bookingNumber: z.string(), content: z.record(z.string(), z.unknown()), hasPdf: z.boolean() })
  .meta({ id: 'Report' });

export const Verification = z.object({ found: z.boolean(), result: z.record(z.string(), z.unknown()).nullable() }).meta({ id: 'Verification' });

export const Created = z.object({ number: z.string(), duplicate: z.boolean().meta({ description: '同一 Idempotency-Key 的重复请求返回首次创建的预约' }) }).meta({ id: 'Created' });

export const Instrument = z
  .object({
    id: z.number().int(),
    name: z.string(),
    categoryCode: z.string(),
    serialNo: z.string(),
    model: z.string().nullable(),
    department: z.string().nullable(),
    compulsory: z.boolean(),
    status: z.string(),
    lastCalibrationDate: z.string().nullable(),
    nextDueDate: z.string().nullable(),
    certificateNo: z.string().nullable(),
  })
  .meta({ id: 'Instrument' });

export const WebhookEventName = z.enum(WEBHOOK_EVENTS).meta({ id: 'WebhookEvent' });

const FieldError = z.object({ field: z.string().meta({ description: '字段名（与导入模板的列、台账表单的字段相同；row 表示整行）' }), message: z.string() });

export const ImportPreview = z
  .object({
    token: z.string().meta({ description: '确认导入时使用（POST /instruments/imports/{token}/confirm）' }),
    fileName: z.string(),
    status: z.enum(['preview', 'imported']).meta({ description: 'preview：待确认；imported：已导入' }),
    createdAt: z.string(),
    expiresAt: z.string().meta({ description: '在此之前确认有效，过期后须重新提交' }),
    importedAt: z.string().nullable(),
    importedCount: z.number().int().nullable(),
    total: z.number().int(),
    valid: z.number().int().meta({ description: '确认后将导入的行数' }),
    invalid: z.number().int().meta({ description: '有问题或重复、不会导入的行数' }),
    duplicates: z.number().int(),
    rows: z.array(
      z.object({
        line: z.number().int().meta({ description: 'Excel 文件中的行号；以 JSON 提交时为 rows 中的序号（从 1 起）' }),
        name: z.string(),
        serialNo: z.string(),
        category: z.string(),
        importable: z.boolean(),
        errors: z.array(FieldError).meta({ description: '本行的问题（中文），重复的器具也列在这里' }),
        duplicateOf: z.object({ id: z.number().int(), name: z.string(), serialNo: z.string() }).nullable().meta({ description: '台账中已有的同一器具' }),
        duplicateLine: z.number().int().nullable().meta({ description: '与之重复的前面一行' }),
      }),
    ),
  })
  .meta({ id: 'ImportPreview', description: '导入预览：与网页“导入台账”相同的逐行检查；此时尚未导入任何一行。' });

export const ImportResult = z.object({ token: z.string(), imported: z.number().int().meta({ description: '已导入的器具台数（预览中全部可导入的行）' }) }).meta({ id: 'ImportResult' });
