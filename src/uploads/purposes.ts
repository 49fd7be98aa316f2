/** Why a document was attached; each purpose is its own file input on the forms. */
export const ATTACHMENT_PURPOSES = {
  instrument_list: '计量器具清单',
  previous_certificate: '上次检定/校准证书',
  sample_photo: '样品/铅封照片',
  authorisation: '委托书/授权书',
  correction: '补正材料',
  other: '其他材料',
  report_pdf: '签章报告 PDF',
  equipment_photo: '设备照片',
  need_file: '需求材料',
} as const;

export type AttachmentPurpose = keyof typeof ATTACHMENT_PURPOSES;

export const BOOKING_FORM_PURPOSES: AttachmentPurpose[] = ['instrument_list', 'previous_certificate', 'sample_photo', 'authorisation', 'other'];

export const fileFieldName = (purpose: AttachmentPurpose): string => `file_${purpose}`;

/** A file as the web layer hands it to a service: parsed in memory, purpose taken from its input, not yet checked. */
export interface UploadedFile {
  purpose: AttachmentPurpose;
  originalname: string;
  buffer: Buffer;
  size: number;
}
