/**
 * The embedded database in its own thread (see pglite-remote.ts for why). This file is the worker's entry: it opens
 * PGlite on the data folder the main thread names, then answers the main thread's messages — a query, a named
 * statement, a script, a transaction begun, a query inside it, its end, close. Every answer carries the request's id.
 * PGlite's own locks order the work as they do in one thread: a transaction holds the database until it ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type QueryOptions, type Transaction } from '@electric-sql/pglite';
import { PGLITE_OPTIONS } from './pglite-options.js';
import { PgliteNamedStatements } from './pglite-named.js';
import type { WorkerReply, WorkerRequest } from './pglite-remote.js';

const port = parentPort!;
const { dataDir } = workerData as { dataDir: string };

/** Thrown inside PGlite's transaction callback to make it roll back; not an error to report. */
const ROLLBACK = Symbol('rollback');

const identity = (value: unknown) => value;
/** Parsers that keep the listed types as text, one object per list (the named statements merge per object). */
const textParsers = new Map<string, Record<number, (value: string) => unknown>>();
function optionsFor(rowMode: 'array' | 'object' | undefined, textOids: number[]): QueryOptions {
  const key = textOids.join(',');
  let parsers = textParsers.get(key);
  if (!parsers) {
    parsers = Object.fromEntries(textOids.map((oid) => [oid, identity]));
    textParsers.set(key, parsers);
  }
  return { ...(rowMode ? { rowMode } : {}), parsers };
}

/** What of a database error crosses to the main thread: its message and every field PostgreSQL reported. */
function errorFields(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const out: Record<string, unknown> = { message: err.message, name: err.name };
  for (const [key, value] of Object.entries(err)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
  }
  return out;
}

function reply(message: WorkerReply): void {
  port.postMessage(message);
}

async function main(): Promise<void> {
  const client = await PGlite.create({ dataDir, ...PGLITE_OPTIONS });
  const named = new PgliteNamedStatements(client);
  const transactions = new Map<number, Transaction>();
  /** For each open transaction: how to end it, and which request is waiting for the end. */
  const endings = new Map<number, (commit: boolean) => void>();
  const endRequests = new Map<number, number>();
  let nextTx = 1;

  const executorOf = (tx: number | undefined): Pick<PGlite, 'query' | 'exec'> => {
    if (tx === undefined) return client;
    const transaction = transactions.get(tx);
    if (!transaction) throw new Error(`transaction ${tx} is not open`);
    return transaction;
  };

  async function handle(request: WorkerRequest): Promise<void> {
    const { id } = request;
    try {
      switch (request.op) {
        case 'query':
          reply({ id, ok: true, result: await executorOf(request.tx).query(request.text, request.params, optionsFor(request.rowMode, request.textOids)) });
          return;
        case 'named':
          reply({ id, ok: true, result: await named.query(request.name, request.text, request.params, optionsFor(request.rowMode, request.textOids)) });
          return;
        case 'exec':
          reply({ id, ok: true, result: await executorOf(request.tx).exec(request.text) });
          return;
        case 'begin': {
          const tx = nextTx++;
          let begun = false;
          client
            .transaction(async (transaction) => {
              begun = true;
              transactions.set(tx, transaction);
              reply({ id, ok: true, result: tx });
              const commit = await new Promise<boolean>((resolve) => endings.set(tx, resolve));
              if (!commit) throw ROLLBACK;
            })
            .then(
              () => reply({ id: endRequests.get(tx)!, ok: true, result: null }),
              (err: unknown) => {
                if (!begun) reply({ id, ok: false, error: errorFields(err) });
                else reply(err === ROLLBACK ? { id: endRequests.get(tx)!, ok: true, result: null } : { id: endRequests.get(tx)!, ok: false, error: errorFields(err) });
              },
            )
            .finally(() => {
              transactions.delete(tx);
              endings.delete(tx);
              endRequests.delete(tx);
            });
          return;
        }
        case 'end': {
          const end = endings.get(request.tx);
          if (!end) throw new Error(`transaction ${request.tx} is not open`);
          endRequests.set(request.tx, id);
          end(request.commit);
          return;
        }
        case 'close':
          await client.close();
          reply({ id, ok: true, result: null });
          port.close();
          return;
      }
    } catch (err) {
      reply({ id, ok: false, error: errorFields(err) });
    }
  }

  port.on('message', (request: WorkerRequest) => void handle(request));
  reply({ id: 0, ok: true, result: 'ready' });
}

main().catch((err: unknown) => reply({ id: 0, ok: false, error: errorFields(err) }));
