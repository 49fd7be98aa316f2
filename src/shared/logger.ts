import { pino, type Logger } from 'pino';

export type { Logger };

type Destination = ReturnType<typeof pino.destination>;
const destinations = new WeakMap<Logger, Destination>();

/** Lines gathered before a write, and the longest a line waits on a quiet server. */
const GATHER_BYTES = 4096;
const GATHER_MS = 1000;

/**
 * JSON logs to stdout, written asynchronously: a blocking write per request costs about as much as rendering the page.
 * Lines are gathered up to 4 KB per write and flushed at least every second: under load one write per ~20 requests
 * instead of one each (each write hands work to a thread of the pool; a profile of a signed-in page under 50
 * connections showed those writes at 9 % of the request thread). Lines still queued are written synchronously on
 * shutdown and on a fatal error (`flushLogs`); a crash may lose up to a second of lines, never data.
 */
export function createLogger(level: string, opts: { sync?: boolean } = {}): Logger {
  const sync = opts.sync ?? false;
  const destination = pino.destination({ dest: 1, sync, minLength: sync ? 0 : GATHER_BYTES });
  if (!sync) {
    setInterval(() => {
      try {
        destination.flush();
      } catch {
        // the stream is gone (stdout closed): nothing to flush to, and no reason to stop the server
      }
    }, GATHER_MS).unref();
  }
  const logger = pino(
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
  destinations.set(logger, destination);
  return logger;
}

/** Writes every line still gathered, synchronously (before the process exits). */
export function flushLogs(logger: Logger): void {
  try {
    const destination = destinations.get(logger);
    if (destination) destination.flushSync();
    else logger.flush();
  } catch {
    // nothing buffered, a write in flight, or the stream is gone
  }
}
