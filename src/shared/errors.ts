/**
 * Typed errors thrown by services. They carry no HTTP details; the error handler maps them to pages and status codes.
 */
export class AppError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The record does not exist or is outside the user's scope: both answer 404 so existence never leaks. */
export class NotFoundError extends AppError {
  constructor(message = '您访问的内容不存在，或您无权查看。') {
    super(message);
  }
}

/** The user may not use this page or action at all (wrong role). */
export class ForbiddenError extends AppError {
  constructor(message = '您的账号没有使用此功能的权限。') {
    super(message);
  }
}

/** Field-level problems with user input: shown next to each field, with the input kept (HTTP 422). */
export class ValidationError extends AppError {
  constructor(
    public readonly fieldErrors: Record<string, string>,
    message = '提交的内容有误，请按提示修改。',
  ) {
    super(message);
  }
}

/** The request is well-formed but the current state refuses it (full window, wrong booking state …). */
export class ConflictError extends AppError {
  constructor(
    message: string,
    public readonly code: string = 'conflict',
    public readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * An Idempotency-Key already used for a different request (another body, method or path): refused (HTTP 422) instead of
 * replaying the first answer for a request that was not the same. The open API only; the web forms carry no fingerprint.
 */
export class IdempotencyKeyReusedError extends AppError {
  constructor() {
    super('该幂等键已用于内容不同的请求，不能用来提交另一份内容。请为新的请求生成新的 Idempotency-Key；若要重试原请求，请原样重发首次的请求体。');
  }
}

export class RateLimitedError extends AppError {
  constructor(
    message: string,
    public readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
