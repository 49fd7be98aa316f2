import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '../shared/errors.js';

/** A request no honest form or link sends (a NUL character, half a surrogate pair): refused with 400 before it reaches a service. */
export class MalformedInputError extends AppError {
  constructor() {
    super('提交的内容包含无法识别的字符，请检查后重新提交。');
  }
}

const NUL = '\u0000';
/** Half of a UTF-16 surrogate pair on its own (JSON's "\ud800"): no character, and no valid UTF-8 to store. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const unstorable = (text: string) => text.includes(NUL) || LONE_SURROGATE.test(text);

/** Whether a parsed body (strings, arrays, nested objects; keys too) holds a NUL or a lone surrogate anywhere. */
export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return unstorable(value);
  if (depth > 8 || value === null || typeof value !== 'object') return false;
  for (const [key, inner] of Object.entries(value)) {
    if (unstorable(key) || containsNul(inner, depth + 1)) return true;
  }
  return false;
}

/**
 * PostgreSQL cannot store NUL in text, so a URL or field holding one would fail deep inside a query. No browser
 * sends it from a form, so it is refused here for every route (after the body parsers; multipart forms check again
 * once multer has read their fields).
 */
export const rejectNulInput: RequestHandler = (req: Request, _res: Response, next: NextFunction) => {
  if (/%00/i.test(req.originalUrl) || req.originalUrl.includes(NUL) || containsNul(req.body)) return next(new MalformedInputError());
  next();
};

/** A JSON body nested deeper than this is refused: the API's bodies go four levels deep (a booking's items and files). */
export const MAX_JSON_DEPTH = 32;

export class TooDeepInputError extends AppError {
  constructor() {
    super(`请求内容的嵌套层级过深（最多 ${MAX_JSON_DEPTH} 层），请检查请求体的结构。`);
  }
}

/** How deeply a parsed body nests arrays and objects, counted without recursion and given up past `limit`. */
export function nestingDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > limit) return deepest;
    for (const inner of Object.values(current)) stack.push([inner, depth + 1]);
  }
  return deepest;
}

/**
 * A body of a few kilobytes nested thousands of levels deep parses, but code that walks it by recursion (a
 * fingerprint, a log line, a validator) runs out of stack and the request ended in 500: refused with 400 instead.
 */
export const rejectDeepJson: RequestHandler = (req: Request, _res: Response, next: NextFunction) => {
  next(nestingDepth(req.body) > MAX_JSON_DEPTH ? new TooDeepInputError() : undefined);
};

