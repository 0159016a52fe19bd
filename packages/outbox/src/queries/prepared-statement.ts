import { createHash } from 'node:crypto';
import type { CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { RecordOptions } from '../types.js';

/**
 * Distinct statement texts this process prepares at most; past it, statements are sent unnamed. Each
 * prepared statement holds a plan on every pooled connection that ran it, and a write whose text
 * varies (an IN list of any length, say) must not grow that without bound.
 */
const MAX_PREPARED_STATEMENTS = 200;

/**
 * How node-postgres takes a named statement: `client.query({ text, name })` parses and plans it once
 * per connection, then only binds and executes it.
 */
interface NamedStatement {
  readonly text: string;
  readonly name: string;
  toString(): string;
}

/**
 * `query`, with its `sql` read as a {@link NamedStatement} the first time and as the plain text after.
 * Kysely's Postgres driver passes `CompiledQuery.sql` to `client.query` unchanged, and reads it before
 * anything else does; Kysely's `log` callback and error events read it after the query ran, and see
 * the string they expect.
 */
function withNamedSql<R>(query: CompiledQuery<R>, name: string): CompiledQuery<R> {
  let named: NamedStatement | undefined = { text: query.sql, name, toString: () => query.sql };
  return Object.defineProperty({ ...query }, 'sql', {
    enumerable: true,
    get() {
      const first = named;
      named = undefined;
      return first ?? query.sql;
    },
  });
}

/** Each text's name; a text whose plan went stale gets a new one (see {@link executePrepared}). */
const names = new Map<string, { name: string; generation: number }>();

function nameOf(text: string, generation: number): string {
  return `changeflow_${createHash('sha256').update(`${generation}:${text}`).digest('hex').slice(0, 40)}`;
}

/**
 * `query` as a named prepared statement, while fewer than {@link MAX_PREPARED_STATEMENTS} texts were
 * named. The name is a hash of the text, so two copies of this module in one process agree on it.
 */
function asPrepared<R>(query: CompiledQuery<R>): CompiledQuery<R> {
  let entry = names.get(query.sql);
  if (entry === undefined) {
    if (names.size >= MAX_PREPARED_STATEMENTS) return query;
    entry = { name: nameOf(query.sql, 0), generation: 0 };
    names.set(query.sql, entry);
  }
  return withNamedSql(query, entry.name);
}

/** Postgres refuses to run a prepared statement whose result columns changed since it was planned. */
function isStalePlan(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { code?: unknown }).code === '0A000' &&
    String((err as { message?: unknown }).message).includes('cached plan must not change result type')
  );
}

/** Whether `options` ask for prepared statements; the one home of the default. */
export function prefersPrepared(options: RecordOptions): boolean {
  return options.preparedStatements ?? true;
}

/**
 * Runs `query`, as a named prepared statement when `prepared`. The outbox's recording statements are
 * short and run thousands of times a second: parsing and planning them again each time costs the
 * database more than running them (the one-statement `recordWrite`, twice what the write alone costs).
 *
 * A migration that changes the columns a prepared statement returns (`returning *` of a table that
 * gained one) makes Postgres refuse it on every connection that prepared it. The text then gets a new
 * name, so each connection prepares it afresh; outside a transaction the statement is sent again at
 * once (it did nothing), inside one the error reaches the caller, whose transaction Postgres aborted,
 * and a retry succeeds.
 */
export async function executePrepared<DB, R>(
  db: Kysely<DB>,
  query: CompiledQuery<R>,
  prepared: boolean,
): Promise<QueryResult<R>> {
  if (!prepared) return db.executeQuery(query);
  try {
    return await db.executeQuery(asPrepared(query));
  } catch (err) {
    if (!isStalePlan(err)) throw err;
    const entry = names.get(query.sql);
    if (entry) {
      entry.generation += 1;
      entry.name = nameOf(query.sql, entry.generation);
    }
    if (db.isTransaction) throw err;
    return db.executeQuery(asPrepared(query));
  }
}
