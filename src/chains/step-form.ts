import type { ActiveService } from '../bookings/form.js';

/*
 * A chain step's part of the form, as flat fields "s<position>_<field>", turned into the booking form the booking code
 * checks (prepareBooking): the same rules as a booking made on its own.
 */

const str = (body: Record<string, unknown>, name: string): string => (typeof body[name] === 'string' ? (body[name] as string) : '');

export const CALIBRATION_FIELDS = ['instrumentName', 'serialNo', 'quantity', 'deliveryMode', 'onsiteAddress'] as const;
export const OIL_FIELDS = ['sampleName', 'gradeCode', 'specEdition', 'gradeVariant', 'sulphurRequirement', 'sourceType', 'sourceName', 'samplingDate', 'quantity', 'sealNo', 'packageCode'] as const;
/** What identifies the sample itself (shared by steps on the same sample), as against what a step asks of it. */
const SAMPLE_FIELDS = new Set<string>(['sampleName', 'gradeCode', 'specEdition', 'gradeVariant', 'sourceType', 'sourceName', 'samplingDate', 'quantity', 'sealNo']);

/** The kind-specific booking fields of one step (kept with the step: a deferred step is booked from them later). */
export function stepDetails(service: ActiveService, body: Record<string, unknown>, position: number, common: { description: string } | undefined): Record<string, unknown> {
  const f = (name: string) => str(body, `s${position}_${name}`);
  if (service.bookingKind === 'calibration') {
    const deliveryMode = f('deliveryMode') || (service.deliveryModes.includes('send_in') ? 'send_in' : (service.deliveryModes[0] ?? 'send_in'));
    return { deliveryMode, onsiteAddress: f('onsiteAddress'), items: [{ name: f('instrumentName'), serialNo: f('serialNo'), quantity: f('quantity') || '1' }] };
  }
  if (service.bookingKind === 'oil_test') {
    // "同一份样品": the sample as an earlier step names it (the recheck of the sample the full test took), so it is
    // not typed twice; what the step itself decides — its package and sulphur requirement — stays its own.
    const same = /^[1-9]\d?$/.exec(f('sameSampleAs'))?.[0];
    const from = same && Number(same) < position ? (name: string) => str(body, `s${same}_${name}`) : f;
    return Object.fromEntries([...OIL_FIELDS.map((k) => [k, SAMPLE_FIELDS.has(k) ? from(k) : f(k)]), ['testMode', 'package'], ['testItems', []]]);
  }
  return {
    deliveryMode: service.deliveryModes.includes('online') ? 'online' : (service.deliveryModes[0] ?? 'online'),
    topic: `${service.name}`.slice(0, 80),
    description: common?.description ?? '',
    participants: '1',
  };
}

/** The whole booking form of a step, as prepareBooking reads it. */
export function stepBody(serviceCode: string, nodeId: number, slot: string, idempotencyKey: string, details: Record<string, unknown>, common: { contactName: string; contactMobile: string }) {
  return { ...details, service: serviceCode, node: String(nodeId), slot, idempotencyKey, contactName: common.contactName, contactMobile: common.contactMobile, remarks: '' };
}

const SHARED = new Set(['contactName', 'contactMobile']);

/** The booking code's field messages, put next to the step's own fields. */
export function stepErrors(position: number, fieldErrors: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, message] of Object.entries(fieldErrors)) {
    if (SHARED.has(key)) {
      out[key] ??= message;
      continue;
    }
    if (key === 'description' || key === 'topic') {
      out.description ??= message;
      continue;
    }
    const field = key === 'items' || key.startsWith('items.') ? itemField(key) : key === 'testItems' || key === 'testMode' ? 'packageCode' : key;
    out[`s${position}_${field}`] ??= `第 ${position} 步：${message}`;
  }
  return out;
}

function itemField(key: string): string {
  if (key.endsWith('.serialNo')) return 'serialNo';
  if (key.endsWith('.quantity')) return 'quantity';
  return 'instrumentName';
}
