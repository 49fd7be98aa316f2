import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { registerUploadRoute, verifyCsrf } from './csrf.js';
import { rejectNulInput } from './input-guard.js';
import multer from 'multer';
import { MAX_FILE_BYTES, MAX_FILES } from '../uploads/quota.js';
import { fileFieldName, type AttachmentPurpose, type UploadedFile } from '../uploads/purposes.js';

export type { UploadedFile };

declare module 'express-serve-static-core' {
  interface Request {
    /** Set when the multipart body was refused by a limit (too large, too many files …): shown next to the upload field. */
    uploadError?: string;
  }
}

const LIMIT_MESSAGES: Record<string, string> = {
  LIMIT_FILE_SIZE: '有文件超过 10 MB，请压缩后再上传。',
  LIMIT_FILE_COUNT: `一次最多上传 ${MAX_FILES} 个文件。`,
  LIMIT_UNEXPECTED_FILE: '上传的文件不符合要求，请使用页面上的上传框。',
  LIMIT_PART_COUNT: '提交的内容过多。',
  LIMIT_FIELD_COUNT: '提交的内容过多。',
  LIMIT_FIELD_VALUE: '有字段内容过长。',
  LIMIT_FIELD_KEY: '提交的内容格式不正确。',
  LIMIT_FIELD_NESTING: '提交的内容格式不正确。',
  LIMIT_FIELD_ARRAY_INDEX: '提交的明细行过多。',
  INVALID_FIELD_NAME: '提交的内容格式不正确。',
  MISSING_FIELD_NAME: '提交的内容格式不正确。',
};

const REAL_FILES = Symbol('realFiles');

/**
 * multer's memory storage, but counting the real files of a request (a part with a name or with content): the one
 * after MAX_FILES is refused before a byte of it is kept. multer's own `files` limit counts parts, and browsers send an
 * empty part for every file input left empty, so that limit alone cannot equal the rule. With `fileSize` equal to
 * MAX_FILE_BYTES, no request holds more than the rule allows in memory.
 */
class RuleMemoryStorage implements multer.StorageEngine {
  _handleFile(req: Request, file: Express.Multer.File, cb: (error?: unknown, info?: Partial<Express.Multer.File>) => void): void {
    const state = req as Request & { [REAL_FILES]?: number };
    let counted = false;
    let refused = false;
    const count = (): boolean => {
      if (counted) return true;
      counted = true;
      state[REAL_FILES] = (state[REAL_FILES] ?? 0) + 1;
      return state[REAL_FILES] <= MAX_FILES;
    };
    const refuse = () => {
      refused = true;
      file.stream.resume(); // drain without keeping anything
      cb(new multer.MulterError('LIMIT_FILE_COUNT', file.fieldname));
    };
    if (file.originalname !== '' && !count()) return refuse();
    const chunks: Buffer[] = [];
    let size = 0;
    file.stream.on('data', (chunk: Buffer) => {
      if (refused) return;
      if (!counted && !count()) return refuse();
      chunks.push(chunk);
      size += chunk.length;
    });
    file.stream.once('error', (err) => !refused && cb(err));
    file.stream.once('end', () => !refused && cb(null, { buffer: Buffer.concat(chunks, size), size }));
  }

  _removeFile(_req: Request, file: Express.Multer.File, cb: (error: Error | null) => void): void {
    (file as { buffer?: Buffer }).buffer = undefined;
    cb(null);
  }
}

/**
 * Parses a multipart form into memory (nothing reaches the disk before it is checked), then verifies the CSRF
 * token from the parsed fields. A refused upload becomes `req.uploadError` for the form, never a 500; the token field
 * comes first in every form, so it is read even when a later file is refused. `path` must be the route's own path:
 * it tells the global CSRF check that this route checks the token itself, after parsing.
 */
export function multipartForm(path: string, purposes: readonly AttachmentPurpose[]): RequestHandler[] {
  registerUploadRoute(path);
  const parser = memoryParser(purposes.map(fileFieldName));

  const parse: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    parser(req, res, (err?: unknown) => {
      if (err) {
        req.uploadError = multipartRefusal(err).message;
        req.files = {};
        req.body ??= Object.create(null);
      }
      next();
    });
  };
  return [parse, rejectNulInput, verifyCsrf];
}

/** Why multer refused a body: its code (LIMIT_FILE_SIZE …, or MALFORMED) and the message a person reads. */
export function multipartRefusal(err: unknown): { code: string; message: string } {
  const code = (err as { code?: string }).code ?? '';
  // A malformed body (bad boundary, truncated stream): a client error, not ours.
  if (!(err instanceof multer.MulterError) && !LIMIT_MESSAGES[code]) return { code: 'MALFORMED', message: '上传的内容不完整或格式不正确，请重新提交。' };
  return { code, message: LIMIT_MESSAGES[code] ?? '上传的文件不符合要求。' };
}

/**
 * The multipart parser of the forms' limits for the given file fields, in memory (RuleMemoryStorage). The forms use it
 * through multipartForm (then the CSRF check); the open API's bearer-key routes use it directly.
 */
export function memoryParser(fileFields: string[]): RequestHandler {
  return multer({
    storage: new RuleMemoryStorage(),
    defParamCharset: 'utf8', // Chinese file names arrive as UTF-8
    preservePath: true, // keep a crafted "../../x.pdf" as sent, so the file check refuses it instead of trimming it
    limits: {
      fileSize: MAX_FILE_BYTES,
      // Browsers send an empty part for every file input left empty, so the part limits leave room for those;
      // the storage refuses the real file after MAX_FILES (see RuleMemoryStorage).
      files: MAX_FILES + fileFields.length,
      fields: 400,
      parts: 420,
      fieldSize: 20_000,
      fieldNameSize: 100,
      fieldArrayIndexLimit: 60,
      fieldNestingLimit: 4,
    },
  } as multer.Options).fields(fileFields.map((name) => ({ name, maxCount: MAX_FILES + 1 })));
}


/** The files of a parsed form with the purpose taken from their input, in form order. */
export function uploadedFiles(req: Request, purposes: readonly AttachmentPurpose[]): UploadedFile[] {
  return purposes.flatMap((purpose) => filesOfField(req, fileFieldName(purpose), purpose));
}

/** The files of one field of a parsed body, as files of the given purpose. */
export function filesOfField(req: Request, field: string, purpose: AttachmentPurpose): UploadedFile[] {
  const files = req.files && !Array.isArray(req.files) ? req.files : {};
  return (
    (files[field] ?? [])
      // an input left empty arrives as a nameless zero-byte part: not a file
      .filter((f) => f.originalname !== '' || f.size > 0)
      .map((f) => ({ purpose, originalname: f.originalname, buffer: f.buffer, size: f.size }))
  );
}
