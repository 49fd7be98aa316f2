import { PGlite, parse as pgliteParse, protocol, type QueryOptions, type Results } from '@electric-sql/pglite';
import { RemotePGlite } from './pglite-remote.js';

const { serialize } = protocol;
type Messages = Awaited<ReturnType<PGlite['execProtocolStream']>>;
type ParserMap = PGlite['parsers'];

/**
 * Named prepared statements on the embedded database. PGlite's `query` parses, plans and describes every statement
 * anew (an unnamed statement); for the multi-table reads of a signed-in page, planning cost more than executing
 * (10–20 ms of planning for a 1 ms list on this machine). This client parses each statement once under its name and
 * then only binds and executes it, as node-postgres does with a named statement on the server — PostgreSQL's plan
 * cache keeps the plan. Used by `runPrepared` for queries outside transactions only.
 */
export class PgliteNamedStatements {
  /**
   * Each statement already parsed on this instance: its parameters' type oids, and the description of its result
   * columns (none for a statement without rows) — the same for every execution, so it is not asked for again.
   */
  private readonly parsed = new Map<string, { types: number[]; columns: Messages[number] | undefined }>();

  /** The client's parsers with a query's own on top, merged once per query (see parsersFor). */
  private readonly mergedParsers = new WeakMap<object, ParserMap>();

  constructor(private readonly client: PGlite) {}

  /**
   * PGlite's result parser spreads the client's parsers (a hundred-odd types with the array types) and the query's
   * into a new object on every call when a query brings its own — Drizzle's always does (dates kept as text). On a
   * page of small results that spread was the parser's main cost (~12 % of a signed-in page's CPU in a profile).
   * Drizzle's prepared query keeps one parsers object for its life, so the merge is kept per that object.
   */
  private parsersFor(options?: QueryOptions): ParserMap {
    const own = options?.parsers;
    if (!own) return this.client.parsers;
    let merged = this.mergedParsers.get(own);
    if (!merged) {
      merged = { ...this.client.parsers, ...own };
      this.mergedParsers.set(own, merged);
    }
    return merged;
  }

  /** A stand-in for the PGlite client that Drizzle's prepared query calls: `query` runs the named statement. */
  clientFor(name: string): { query(text: string, params: unknown[], options?: QueryOptions): Promise<Results> } {
    return { query: (text, params, options) => this.query(name, text, params, options) };
  }

  private async run(message: Uint8Array): Promise<Messages> {
    return this.client.execProtocolStream(message, { syncToFs: false });
  }

  query(name: string, text: string, params: unknown[], options?: QueryOptions): Promise<Results> {
    // The same locks PGlite's own query takes: not inside another caller's transaction, one statement at a time.
    return this.client._runExclusiveTransaction(() =>
      this.client._runExclusiveQuery(async () => {
        const messages: Messages = [];
        // A statement is recorded only once parsed and described. A refused bind or execute (a NUL byte, a bad value)
        // leaves it intact and known: forgetting it made every later call fail with "prepared statement already
        // exists" — for every user, until a restart.
        let statement = this.parsed.get(name);
        let synced = false;
        try {
          if (!statement) {
            // A statement an earlier attempt parsed but could not describe would make this parse fail for good:
            // close it first (closing an unknown name is no error).
            messages.push(...(await this.run(serialize.close({ type: 'S', name }))));
            messages.push(...(await this.run(serialize.parse({ name, text }))));
            const described = await this.run(serialize.describe({ type: 'S', name }));
            statement = { types: pgliteParse.parseDescribeStatementResults(described), columns: described.find((m) => m.name === 'rowDescription') };
            this.parsed.set(name, statement);
          }
          const oids = statement.types;
          const values = params.map((value, i) => {
            if (value === null || value === undefined) return null;
            const serializer = options?.serializers?.[oids[i]!] ?? this.client.serializers[oids[i]!];
            return serializer ? serializer(value) : String(value as string);
          });
          // Bind, execute and sync go to the backend as one buffer: PGlite runs every message in it in one call into
          // PostgreSQL (after an error the backend skips to the sync, as over a socket), where separate calls each
          // paid the entry, the ready-for-query check and a flush. The result's columns are the statement's, described
          // once when it was parsed: describing them on every execution made PostgreSQL write and PGlite decode every
          // column's name again (a tenth of the database thread's time on a booking page in a profile).
          if (statement.columns) messages.push(statement.columns);
          messages.push(...(await this.run(concatBytes([serialize.bind({ statement: name, values }), serialize.execute({}), serialize.sync()]))));
          synced = true;
        } finally {
          if (!synced) messages.push(...(await this.run(serialize.sync())));
        }
        return pgliteParse.parseResults(messages, this.parsersFor(options), options?.rowMode ? { rowMode: options.rowMode } : undefined)[0]!;
      }),
    );
  }
}

const byClient = new WeakMap<PGlite, PgliteNamedStatements>();

export function namedStatementsOf(client: unknown): Pick<PgliteNamedStatements, 'clientFor'> | undefined {
  // In a worker the statements are named there, by this same class.
  if (client instanceof RemotePGlite) return { clientFor: (name) => ({ query: (text, params, options) => client.named(name, text, params, options) }) };
  if (!(client instanceof PGlite)) return undefined;
  let named = byClient.get(client);
  if (!named) {
    named = new PgliteNamedStatements(client);
    byClient.set(client, named);
  }
  return named;
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
