import { MAX_FILE_BYTES } from './quota.js';

export { MAX_FILE_BYTES, MAX_FILES } from './quota.js';

/** What we accept, judged by content (magic bytes), with the extensions each type may carry. */
const ALLOWED: Record<string, { exts: string[]; label: string }> = {
  'application/pdf': { exts: ['pdf'], label: 'PDF' },
  'image/jpeg': { exts: ['jpg', 'jpeg'], label: 'JPG' },
  'image/png': { exts: ['png'], label: 'PNG' },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { exts: ['xlsx'], label: 'Excel (XLSX)' },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': { exts: ['docx'], label: 'Word (DOCX)' },
};

export const ALLOWED_TYPES_TEXT = 'PDF、JPG、PNG、XLSX、DOCX';
export const ACCEPT_ATTRIBUTE = '.pdf,.jpg,.jpeg,.png,.xlsx,.docx';

export interface IncomingFile {
  originalname: string;
  buffer: Buffer;
  size: number;
}

export type FileCheck = { ok: true; mimeType: string; safeName: string } | { ok: false; message: string };

/**
 * Invisible and direction-changing characters: bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069),
 * zero-width spaces, joiners and marks (U+200B–U+200F), the BOM (U+FEFF), soft hyphen, word joiner … — every Unicode
 * "format" character (Cf), and the line/paragraph separators. "报告\u202Efdp.exe" displays as "报告exe.pdf": in a
 * name shown to staff and used for downloads these only ever disguise what a file is.
 */
const INVISIBLE = /[\p{Cf}\u2028\u2029]/gu;

/** The last path segment of a client file name, without control or invisible characters, at most 120 characters. */
export function safeFileName(original: string): string {
  const base = original.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(INVISIBLE, '').replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '').replace(/^\.+/, '').trim();
  if (cleaned.length <= 120) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const ext = dot > 0 ? cleaned.slice(dot) : '';
  return cleaned.slice(0, 120 - ext.length) + ext;
}

/**
 * Accepts a file only if its content is one of the allowed types and its extension agrees with that content:
 * "report.pdf.exe", an executable renamed to .pdf, or a PDF named .png are all refused.
 */
export async function checkFile(file: IncomingFile): Promise<FileCheck> {
  // Browsers send the bare file name; a path ("../../etc/passwd.pdf") or a control character only comes from a
  // crafted request. Refused outright rather than quietly cleaned up (the name is shown to staff and in downloads).
  // eslint-disable-next-line no-control-regex
  if (/[\\/\u0000-\u001f\u007f]/.test(file.originalname)) {
    return { ok: false, message: `文件名“${safeFileName(file.originalname) || '未命名文件'}”含有路径或不允许的字符，请重命名后再上传。` };
  }
  const name = safeFileName(file.originalname) || '未命名文件';
  if (file.size === 0 || file.buffer.length === 0) return { ok: false, message: `文件“${name}”是空文件，请重新选择。` };
  if (file.size > MAX_FILE_BYTES) return { ok: false, message: `文件“${name}”超过 10 MB，请压缩后再上传。` };
  const { fileTypeFromBuffer } = await import('file-type'); // loaded with the first upload, not at start
  const detected = await fileTypeFromBuffer(file.buffer);
  const allowed = detected ? ALLOWED[detected.mime] : undefined;
  if (!detected || !allowed) {
    return { ok: false, message: `文件“${name}”不是允许的类型。仅接受 ${ALLOWED_TYPES_TEXT}，系统按文件内容而非扩展名判断。` };
  }
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
  if (!allowed.exts.includes(ext)) {
    return { ok: false, message: `文件“${name}”的扩展名与内容不符（内容为 ${allowed.label}）。请使用原始文件上传。` };
  }
  return { ok: true, mimeType: detected.mime, safeName: name };
}
