import type { NextFunction, Request, Response } from 'express';

/**
 * First come, first served admission for page reads on the embedded database.
 *
 * PGlite runs one statement at a time on the thread that also parses requests and renders pages. With 50 requests in
 * flight, every request's statements queue behind everyone else's and the slowest wait for seconds (bench:http: p99
 * 6 s at a p50 of 0.3–0.5 s). Letting `limit` reads in at a time and queueing the rest in arrival order does the same
 * work but finishes requests in the order they came (same run: p99 1.5 s at the same throughput).
 *
 * Only GET and HEAD wait here: they carry no body, so a slow client cannot hold a place by trickling one in. A place is
 * given back as soon as the response's headers are written (the database work is done by then; a slow reader of a
 * large download holds nothing) or the connection closes.
 */
export function admissionGate(limit: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    let released = false;
    const done = () => {
      if (released) return;
      released = true;
      release();
    };
    const admit = () => {
      if (res.headersSent || req.socket.destroyed) {
        // The client went away while it waited: nothing to do, pass the place on.
        done();
        return;
      }
      const writeHead = res.writeHead;
      res.writeHead = function (this: Response, ...args: Parameters<Response['writeHead']>) {
        done();
        return writeHead.apply(this, args);
      } as Response['writeHead'];
      res.once('close', done);
      next();
    };
    if (active < limit) {
      active++;
      admit();
    } else waiting.push(admit);
  };
}
