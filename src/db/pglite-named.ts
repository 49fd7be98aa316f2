import { PGlite, parse as pgliteParse, protocol, type QueryOptions, type Results } from '@electric-sql/pglite';

const { serialize } = protocol;
type Messages = Awaited<ReturnType<PGlite['execProtocolStream']>>;

/**
 * Named prepared statements on the embedded database. PGlite's `query` parses, plans and describes every statement
 * anew (an unnamed statement); for the multi-table reads of a signed-in page, planning cost more than executing
 * (10–20 ms of planning for a 1 ms list on this machine). This client parses each statement once under its name and
 * then only binds and executes it, as node-postgres does with a named statement on the server — PostgreSQL's plan
 * cache keeps the plan. Used by `runPrepared` for queries outside transactions only.
 */
export class PgliteNamedStatements {
  /** Parameter type oids of each statement already parsed on this instance. */
  private readonly parsed = new Map<string, number[]>();

  constructor(private readonly client: PGlite) {}

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
        let types = this.parsed.get(name);
        try {
          if (!types) {
            // A statement an earlier attempt parsed but could not describe would make this parse fail for good:
            // close it first (closing an unknown name is no error).
            messages.push(...(await this.run(serialize.close({ type: 'S', name }))));
            messages.push(...(await this.run(serialize.parse({ name, text }))));
            types = pgliteParse.parseDescribeStatementResults(await this.run(serialize.describe({ type: 'S', name })));
            this.parsed.set(name, types);
          }
          const oids = types;
          const values = params.map((value, i) => {
            if (value === null || value === undefined) return null;
            const serializer = options?.serializers?.[oids[i]!] ?? this.client.serializers[oids[i]!];
            return serializer ? serializer(value) : String(value as string);
          });
          messages.push(...(await this.run(serialize.bind({ statement: name, values }))));
          messages.push(...(await this.run(serialize.describe({ type: 'P' }))));
          messages.push(...(await this.run(serialize.execute({}))));
        } finally {
          messages.push(...(await this.run(serialize.sync())));
        }
        return pgliteParse.parseResults(messages, this.client.parsers, options)[0]!;
      }),
    );
  }
}

const byClient = new WeakMap<PGlite, PgliteNamedStatements>();

export function namedStatementsOf(client: unknown): PgliteNamedStatements | undefined {
  if (!(client instanceof PGlite)) return undefined;
  let named = byClient.get(client);
  if (!named) {
    named = new PgliteNamedStatements(client);
    byClient.set(client, named);
  }
  return named;
}
