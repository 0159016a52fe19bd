import type { DeleteQueryBuilder, InsertQueryBuilder, Kysely, Transaction, UpdateQueryBuilder } from 'kysely';
import { InsertQueryNode, sql, ValuesNode } from 'kysely';
import { validateChanges } from './change-input.js';
import { executePrepared, prefersPrepared } from './queries/prepared-statement.js';
import { toRecordedChange } from './queries/to-recorded-change.js';
import { asOutboxDb, type OutboxDatabase } from './schema.js';
import type { ChangeType, RecordedChange, RecordOptions } from './types.js';

/**
 * A write that returns the rows it touched: `insertInto(…)`, `updateTable(…)` or `deleteFrom(…)`
 * with `.returning(…)` (or `.returningAll()`), built on any Kysely instance.
 */
export type ReturningWrite<O> =
  // biome-ignore lint/suspicious/noExplicitAny: any database and table; only the returned row matters
  InsertQueryBuilder<any, any, O> | UpdateQueryBuilder<any, any, any, O> | DeleteQueryBuilder<any, any, O>;

/** A column of the rows the write returns. */
type ReturnedColumn<O> = keyof O & string;

/**
 * The change to record for each row the write touched. Columns are read from the write's returned
 * row in the same statement, so the object id and the version the database assigned need no extra read.
 */
export interface WriteChange<O> {
  /** Kind of object, e.g. `trainee` (as `ChangeInput.objectType`). */
  objectType: string;
  /** The returned column holding the object's id (recorded as text). */
  objectId: ReturnedColumn<O>;
  /** The returned column holding the object's version after the write, or the version itself. */
  objectVersion: ReturnedColumn<O> | number;
  /**
   * What happened, or, for an upsert, `{ createdColumn }`: a boolean column the write returns (e.g.
   * `sql<boolean>\`xmax = 0\`.as('created')`), true when the row was inserted (`CREATE`), false when
   * it was updated (`UPDATE`).
   */
  changeType: ChangeType | { createdColumn: ReturnedColumn<O> };
  /** Who made the write; optional. */
  userId?: string | null;
  /** W3C `traceparent` of the request that made the write; optional. */
  traceparent?: string | null;
}

/** What {@link recordWrite} returns: the write's rows and one recorded change per row. */
export interface RecordedWrite<O> {
  rows: O[];
  changes: RecordedChange[];
}

/**
 * Whether the write inserts (or upserts) a list of values: prepared, such a statement has one plan
 * whatever the data. An UPDATE or DELETE is sent unnamed: Postgres may settle a prepared statement on
 * a generic plan chosen while its table was small, and keep it as the table grows.
 */
function insertsValues<O>(write: ReturningWrite<O>): boolean {
  const node = write.toOperationNode();
  return InsertQueryNode.is(node) && node.values !== undefined && ValuesNode.is(node.values);
}

/** The column of the result row that carries the recorded changes; removed before rows are returned. */
const CHANGES_COLUMN = 'changeflow:changes';

interface ChangeJson {
  change_number: string;
  object_type: string;
  object_id: string;
  object_version: string;
  change_type: ChangeType;
  user_id: string | null;
  trace_context: string | null;
  created_at: number;
}

/**
 * Runs a write and records its changes in **one statement**, so in one round trip: a data-modifying
 * CTE, `with w as (<write> returning …) insert into changes … select … from w`. One statement is
 * atomic, so on the pool (`db`) it needs no BEGIN/COMMIT: the write and its change rows commit
 * together or not at all (G1), and a write that touches no row records no change. On a transaction
 * it joins it, as `recordChanges` does. An insert or upsert of values is sent as a named prepared
 * statement (one per distinct write text and connection; `options.preparedStatements` turns that
 * off). Nothing is published here: after the commit hand `changes` to `outbox.afterCommit(…)`, or use
 * `outbox.write(…)`, which does both.
 *
 * @example
 * const { rows, changes } = await recordWrite(
 *   db,
 *   db.updateTable('trainee').set({ last_name, version: sql`version + 1` }).where('id', '=', id).returning(['id', 'version']),
 *   { objectType: 'trainee', objectId: 'id', objectVersion: 'version', changeType: 'UPDATE' },
 * );
 * await outbox.afterCommit(changes);
 */
export async function recordWrite<DB extends OutboxDatabase, O>(
  db: Kysely<DB> | Transaction<DB>,
  write: ReturningWrite<O>,
  change: WriteChange<O>,
  options: RecordOptions = {},
): Promise<RecordedWrite<O>> {
  const version = typeof change.objectVersion === 'number' ? change.objectVersion : 0;
  const changeType =
    typeof change.changeType === 'string'
      ? sql`${change.changeType}`
      : sql`case when w.${sql.ref(change.changeType.createdColumn)} then 'CREATE' else 'UPDATE' end`;
  // The same checks as recordChanges, on what is known before the statement runs; the database checks the rest.
  validateChanges([
    {
      ...change,
      objectId: 'checked-by-the-database',
      objectVersion: version,
      changeType: typeof change.changeType === 'string' ? change.changeType : 'UPDATE',
    },
  ]);
  const objectVersion =
    typeof change.objectVersion === 'number'
      ? sql`${change.objectVersion}::bigint`
      : sql`w.${sql.ref(change.objectVersion)}::bigint`;
  // created_at is sent as epoch milliseconds: a Date's precision, without parsing a timestamp text.
  const outboxDb = asOutboxDb(db as Kysely<DB>);
  const query = sql<O & { [CHANGES_COLUMN]: ChangeJson[] | null }>`
    with w as (${write}),
    c as (
      insert into changes (object_type, object_id, object_version, change_type, user_id, trace_context)
      select ${change.objectType}, w.${sql.ref(change.objectId)}::text, ${objectVersion}, ${changeType},
             ${change.userId ?? null}, ${change.traceparent ?? null}
      from w
      returning *
    )
    select w.*, case when row_number() over () = 1 then (
      select json_agg(json_build_object(
        'change_number', c.change_number::text, 'object_type', c.object_type, 'object_id', c.object_id,
        'object_version', c.object_version::text, 'change_type', c.change_type, 'user_id', c.user_id,
        'trace_context', c.trace_context, 'created_at', extract(epoch from c.created_at) * 1000
      ) order by c.change_number)
      from c
    ) end as ${sql.ref(CHANGES_COLUMN)}
    from w`.compile(outboxDb);
  const prepared = prefersPrepared(options) && insertsValues(write);
  const { rows } = await executePrepared(outboxDb, query, prepared);
  // Only the first row carries the changes: repeated on every row, they would cost rows² on the wire.
  const changes = (rows.find((row) => row[CHANGES_COLUMN] !== null)?.[CHANGES_COLUMN] ?? []).map((row) =>
    toRecordedChange({ ...row, tx_id: '', created_at: new Date(Number(row.created_at)), published_at: null }),
  );
  return { rows: rows.map(({ [CHANGES_COLUMN]: _, ...row }) => row as O), changes };
}
