/**
 * The write a recording overhead is measured on, and the loop that measures it: `writers` concurrent
 * writers each doing one write per transaction, every form in turn, `rounds` times (so a form and its
 * baseline alternate instead of running minutes apart on a shared machine), median per form.
 */
import { type Generated, type Kysely, sql, type Transaction } from 'kysely';
import type pg from 'pg';
import { percentiles } from '../support/percentiles.js';
import { progress } from '../support/progress.js';

/** The table of the measured write: one ~190-byte jsonb row per INSERT, a fresh id every time. */
export interface WriteTables {
  bench_write: { id: string; body: string; version: Generated<number> };
}

export async function createWriteTable<DB>(db: Kysely<DB>): Promise<void> {
  await sql`create table bench_write (id bigint primary key, body jsonb not null, version integer not null default 1)`.execute(
    db,
  );
}

/** A GMC-doctor-like document of about 190 bytes (as the measurements used). */
export function writeBody(id: number): string {
  return JSON.stringify({
    gmcReferenceNumber: String(7_000_000 + id),
    doctorFirstName: `First${id}`,
    doctorLastName: `Last${id}`,
    designatedBodyCode: '1-1RUZV1D',
    underNotice: 'YES',
    submissionDate: '2027-03-01',
    lastUpdatedDate: '2026-12-05',
  });
}

/** `insert into bench_write … returning id, version`, as a builder (to run, or to hand to `recordWrite`). */
export function insertWrite<DB extends WriteTables>(db: Kysely<DB> | Transaction<DB>, id: number) {
  return (db as unknown as Kysely<WriteTables>)
    .insertInto('bench_write')
    .values({ id: String(id), body: writeBody(id) })
    .returning(['id', 'version']);
}

/** One way of doing the write, recorded or not. */
export interface WriteForm {
  readonly name: string;
  /** One transaction (or statement) writing row `id`. */
  write(id: number): Promise<unknown>;
  /** Awaited before the clock stops: e.g. every fast-path publish finished. */
  settle?(): Promise<void>;
}

/** What one form reached: median transactions/s over the rounds, and statements sent per write. */
export interface FormRate {
  readonly txPerSecond: number;
  readonly txPerSecondRuns: readonly number[];
  /** Median transactions/s until the writers finished, before {@link WriteForm.settle}. */
  readonly writersTxPerSecond: number;
  /** Statements sent on the counted pool per write (BEGIN and COMMIT count; so do the publisher's marks). */
  readonly statementsPerWrite: number;
}

export interface MeasureOptions {
  transactions: number;
  writers: number;
  rounds: number;
  signal: AbortSignal;
  /** Statements sent on the writers' pool so far: see {@link countStatements}. */
  statements(): number;
}

/** Counts every query the pool's clients send (one round trip each with node-postgres). */
export function countStatements(pool: pg.Pool): () => number {
  let count = 0;
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: (...args: unknown[]) => unknown }).query = (...args) => {
      count += 1;
      return query(...args);
    };
  });
  return () => count;
}

/** Runs every form `rounds` times, alternating, with fresh ids; returns each form's median. */
export async function measureWriteForms(
  forms: readonly WriteForm[],
  options: MeasureOptions,
  firstId = 1,
): Promise<Record<string, FormRate>> {
  let nextId = firstId;
  const runs = new Map<string, { rates: number[]; writerRates: number[]; statements: number }>(
    forms.map((form) => [form.name, { rates: [], writerRates: [], statements: 0 }]),
  );
  for (let round = 0; round < options.rounds && !options.signal.aborted; round += 1) {
    for (const form of forms) {
      const base = nextId;
      nextId += options.transactions;
      let next = 0;
      const statementsBefore = options.statements();
      const started = performance.now();
      await Promise.all(
        Array.from({ length: options.writers }, async () => {
          for (let i = next++; i < options.transactions && !options.signal.aborted; i = next++) {
            await form.write(base + i);
          }
        }),
      );
      const writersRate = options.transactions / ((performance.now() - started) / 1000);
      await form.settle?.();
      const rate = options.transactions / ((performance.now() - started) / 1000);
      const run = runs.get(form.name);
      if (run) {
        run.rates.push(rate);
        run.writerRates.push(writersRate);
        run.statements += options.statements() - statementsBefore;
      }
      progress(`write overhead, round ${round + 1}/${options.rounds}: ${form.name}: ${rate.toFixed(0)} tx/s`);
    }
  }
  return Object.fromEntries(
    [...runs].map(([name, run]) => [
      name,
      {
        txPerSecond: percentiles(run.rates).p50,
        txPerSecondRuns: run.rates,
        writersTxPerSecond: percentiles(run.writerRates).p50,
        statementsPerWrite: run.statements / (run.rates.length * options.transactions),
      },
    ]),
  );
}
