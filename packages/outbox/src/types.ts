/**
 * Glossary (DESIGN.md §1, §4):
 * - **change**: one committed write to one object, recorded as a row of `changes` in the write's own
 *   transaction. Its `changeNumber` orders changes cluster-wide; it is not dense and not commit-ordered.
 * - **object**: what a change is about, named by `objectType` (`trainee`, `gmc-doctor`, …) and `objectId`.
 * - **object version**: the per-object counter the write service supplies; handlers guard on it.
 * - **change message**: the wire form of a change. One SNS message carries `{ "changes": [ … ] }`.
 * - **topic**: the SNS topic of one object type, `<topicPrefix>-<objectType>`.
 * - **fast path**: publishing a transaction's changes right after its commit, in the same process.
 * - **sweeper**: the timer that re-publishes changes still unpublished after a grace period.
 * - **retention**: the timer that deletes published changes older than a configured age.
 */

/** What happened to the object. */
export type ChangeType = 'CREATE' | 'UPDATE' | 'DELETE';

/** A change as the write service states it, inside its transaction. */
export interface ChangeInput {
  /** Kind of object, e.g. `trainee`. Lower-case letters, digits and `-`/`_`; it becomes part of a topic name. */
  objectType: string;
  /** The object's identity within its type. */
  objectId: string;
  /** The object's version after this write; increases per object (the caller owns it). */
  objectVersion: number;
  changeType: ChangeType;
  /** Who made the write, for audit; optional. */
  userId?: string | null;
  /** W3C `traceparent` of the request that made the write, carried to the workers; optional. */
  traceparent?: string | null;
}

/** How `recordChanges` and `recordWrite` send their statement. */
export interface RecordOptions {
  /**
   * Send the recording statement as a named prepared statement, parsed and planned once per
   * connection (node-postgres through Kysely's `PostgresDialect`; other drivers get the text). Turn it
   * off behind a pooler that cannot keep prepared statements: PgBouncer in transaction mode before
   * 1.21, or later without `max_prepared_statements`.
   * @defaultValue true
   */
  preparedStatements?: boolean;
}

/** A change as recorded: its input plus what the database assigned. */
export interface RecordedChange {
  /** Cluster-wide change number (a bigint, as a decimal string). */
  changeNumber: string;
  objectType: string;
  objectId: string;
  objectVersion: number;
  changeType: ChangeType;
  userId: string | null;
  traceparent: string | null;
  /** When the change was recorded (the transaction's start, by the database clock). */
  createdAt: Date;
  /** When SNS accepted it; `null` until then. */
  publishedAt: Date | null;
}

/** One change inside an SNS message body (`{ "changes": [ChangeMessage, …] }`). */
export interface ChangeMessage {
  changeNumber: string;
  objectType: string;
  objectId: string;
  objectVersion: number;
  changeType: ChangeType;
  /** ISO-8601 time the change was recorded. */
  timestamp: string;
  userId: string | null;
  traceparent: string | null;
}

/** The body of one SNS/SQS message. */
export interface ChangeMessageBody {
  changes: ChangeMessage[];
}
