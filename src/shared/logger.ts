import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs to stdout, written asynchronously: a blocking write per request costs about as much as rendering the page.
 * Lines still queued are flushed on shutdown (`flushLogs`); a crash may lose the last few lines, never data.
 */
export function createLogger(level: string, opts: { sync?: boolean } = {}): Logger {
  const destination = pino.destination({ dest: 1, sync: opts.sync ?? false });
  return pino(
    {
      level,
    base: undefined,
    // Never log credentials, session cookies or CSRF tokens.
    redact: {
      paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', '*.password', '*._csrf'],
      censor: '[redacted]',
    },
    },
    destination,
  );
}

export function flushLogs(logger: Logger): void {
  try {
    logger.flush();
  } catch {
    // nothing buffered or the stream is gone
  }
}
