import { Worker } from 'node:worker_threads';
import type { QueryOptions, Results } from '@electric-sql/pglite';

/**
 * The embedded database run in a worker thread, behind the part of PGlite's client that Drizzle and this code base
 * use (`query`, `exec`, `transaction`, `close`, and named statements for `runPrepared`).
 *
 * Why: PGlite is PostgreSQL compiled to WebAssembly and runs on the thread that calls it. In one thread, a signed-in
 * page's statements (PostgreSQL itself, then PGlite's protocol parsing — half of a page's CPU in a profile) ran on the
 * thread that also reads requests and renders pages, so under load every request waited for everyone's statements.
 * In a worker the database and the web work run on two cores, and the request thread stays free to accept, render and
 * write. The server opens its data folder this way (PGLITE_WORKER, on by default); tests and scripts keep PGlite in
 * their own thread.
 *
 * Types: the worker parses results with PGlite's parsers. A query may bring its own parsers only to keep types as text
 * (Drizzle's do, for dates and intervals); those cross as the list of type oids, and anything else is refused.
 */
/**
 * The worker's young generation (V8's nursery for short-lived objects): the database thread allocates protocol
 * buffers and rows that die within a statement. One paired bench:http run, 8 MB against V8's default: 20–40 % more
 * requests per second on the signed-in pages and ~50 MB less resident memory (458 against 511 MB).
 */
const WORKER_YOUNG_GENERATION_MB = 8;

export class RemotePGlite {
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  private nextId = 1;
  private failure: Error | undefined;
  private readonly checkedParsers = new WeakMap<object, number[]>();

  private closing = false;

  private constructor(
    private readonly worker: Worker,
    private readonly onLost?: (err: Error) => void,
  ) {
    worker.on('message', (message: WorkerReply) => this.settle(message));
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`the database thread stopped (exit code ${code})`)));
  }

  /** Starts the worker on `dataDir` and resolves once PGlite is open there. */
  static async open(dataDir: string, onLost?: (err: Error) => void): Promise<RemotePGlite> {
    // Under tsx (tests, `npm run dev`) this module is TypeScript, and the worker needs tsx's loader too.
    const typescript = import.meta.url.endsWith('.ts');
    const entry = new URL(typescript ? './pglite-worker.ts' : './pglite-worker.js', import.meta.url);
    const worker = typescript
      ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`, { eval: true, workerData: { dataDir }, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } })
      : new Worker(entry, { workerData: { dataDir }, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    const ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: WorkerReply) => {
        if (message.id !== 0) return;
        worker.off('message', onMessage);
        if (message.ok) resolve();
        else reject(asError(message.error));
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the database thread stopped while opening (exit code ${code})`)));
    });
    try {
      await ready;
    } catch (err) {
      await worker.terminate();
      throw err;
    }
    return new RemotePGlite(worker, onLost);
  }

  query<T = Record<string, unknown>>(text: string, params: unknown[] = [], options?: QueryOptions): Promise<Results<T>> {
    return this.call({ op: 'query', text, params, ...this.typesOf(options) }) as Promise<Results<T>>;
  }

  exec(text: string): Promise<Results[]> {
    return this.call({ op: 'exec', text }) as Promise<Results[]>;
  }

  /** A named prepared statement in the worker (see pglite-named.ts). */
  named(name: string, text: string, params: unknown[], options?: QueryOptions): Promise<Results> {
    return this.call({ op: 'named', name, text, params, ...this.typesOf(options) }) as Promise<Results>;
  }

  /**
   * Runs `fn` in a transaction held in the worker: committed when `fn` resolves, rolled back when it throws (the error
   * is passed on). Other statements wait in the worker until it ends, as with PGlite in one thread.
   */
  async transaction<T>(fn: (tx: RemoteTransaction) => Promise<T>): Promise<T> {
    const tx = (await this.call({ op: 'begin' })) as number;
    const handle: RemoteTransaction = {
      query: <R>(text: string, params: unknown[] = [], options?: QueryOptions) => this.call({ op: 'query', tx, text, params, ...this.typesOf(options) }) as Promise<Results<R>>,
      exec: (text: string) => this.call({ op: 'exec', tx, text }) as Promise<Results[]>,
    };
    let result: T;
    try {
      result = await fn(handle);
    } catch (err) {
      await this.call({ op: 'end', tx, commit: false }).catch(() => undefined);
      throw err;
    }
    await this.call({ op: 'end', tx, commit: true });
    return result;
  }

  async close(): Promise<void> {
    if (this.failure) return;
    this.closing = true;
    await this.call({ op: 'close' });
    await new Promise<void>((resolve) => {
      this.worker.once('exit', () => resolve());
      setTimeout(() => void this.worker.terminate().then(() => resolve()), 5000).unref();
    });
  }

  /** The oids a query's parsers keep as text; a parser that changes a value can't be honoured in the worker. */
  private typesOf(options?: QueryOptions): { rowMode?: 'array' | 'object'; textOids: number[] } {
    const parsers = options?.parsers;
    let textOids: number[] = [];
    if (parsers) {
      const known = this.checkedParsers.get(parsers);
      if (known) textOids = known;
      else {
        for (const [oid, parse] of Object.entries(parsers)) {
          if (parse('2026-01-01 00:00:00+00', Number(oid)) !== '2026-01-01 00:00:00+00') throw new Error(`a query parser for type ${oid} that changes values is not supported with the database in a worker`);
          textOids.push(Number(oid));
        }
        this.checkedParsers.set(parsers, textOids);
      }
    }
    return { ...(options?.rowMode ? { rowMode: options.rowMode } : {}), textOids };
  }

  private call(request: DistributiveOmit<WorkerRequest, 'id'>): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  private settle(message: WorkerReply): void {
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id);
    if (message.ok) waiting.resolve(message.result);
    else waiting.reject(asError(message.error));
  }

  /** The worker is gone: every waiting and later call fails, and the owner is told (the server exits to be restarted). */
  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    if (!this.closing) this.onLost?.(err);
    for (const waiting of this.pending.values()) waiting.reject(this.failure);
    this.pending.clear();
  }
}

export interface RemoteTransaction {
  query<R = Record<string, unknown>>(text: string, params?: unknown[], options?: QueryOptions): Promise<Results<R>>;
  exec(text: string): Promise<Results[]>;
}

/** A database error rebuilt on this side with PostgreSQL's fields (code, constraint, detail …) as PGlite gives them. */
function asError(fields: Record<string, unknown>): Error {
  const err = new Error(String(fields.message ?? 'database error'));
  for (const [key, value] of Object.entries(fields)) if (key !== 'message' && key !== 'stack') (err as unknown as Record<string, unknown>)[key] = value;
  return err;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

type Types = { rowMode?: 'array' | 'object'; textOids: number[] };
export type WorkerRequest =
  | ({ id: number; op: 'query'; tx?: number; text: string; params: unknown[] } & Types)
  | ({ id: number; op: 'named'; name: string; text: string; params: unknown[] } & Types)
  | { id: number; op: 'exec'; tx?: number; text: string }
  | { id: number; op: 'begin' }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'close' };

export type WorkerReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: Record<string, unknown> };
