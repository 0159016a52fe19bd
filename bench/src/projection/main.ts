/**
 * `npm run bench -- projection`: the reval index worker's handler alone, on real Postgres, without
 * HTTP or SNS/SQS in the way: `--doctors` fresh GMC doctors are written (no outbox), then their
 * changes are handed to the worker's handler as the runtime would, `--changes-per-message` per
 * message and `--messages-per-receive` messages started in the same tick, `--receives` receives at
 * once. Each pass reports documents per second and, steadier on a shared machine, the CPU the
 * Postgres backends of the projection spent per document (read from /proc): the work a projection
 * costs the database, whatever else runs (each pass ends by merging the GIN pending lists it left,
 * so it pays for its own deferred index work). Pass one creates every document; pass two hands the same
 * changes again (duplicate deliveries: nothing changed).
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import type { ChangeMessage } from '@changeflow/outbox';
import {
  createRevalIndexWorker,
  DEFAULT_DESIGNATED_BODIES,
  migrateRevalIndex,
  migrateRevalPrimary,
  REVAL_OBJECT_TYPES,
  type RevalDatabase,
  saveGmcDoctors,
  untypedDb,
} from '@changeflow/reval';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { gmcDoctorInput, gmcNumberOf } from '../pipeline/gmc-records.js';
import { type BackendCpu, backendCpuSecondsBetween, readBackendCpu } from '../support/backend-cpu.js';
import { defineBenchmark } from '../support/benchmark.js';
import { processCpuSeconds } from '../support/cpu-usage.js';
import { NO_CHANGES } from '../support/no-changes.js';
import { progress } from '../support/progress.js';
import { report } from '../support/report.js';
import { openRunDatabase } from '../support/run-database.js';
import { runTogether } from '../support/run-together.js';
import { withCleanup } from '../support/with-cleanup.js';

/** Primary records per write transaction. */
const WRITE_BATCH = 1_000;

export const benchmark = defineBenchmark({
  description: "the reval index worker's handler alone: documents/s and Postgres CPU per document",
  options: {
    doctors: { description: 'GMC doctors projected per pass', default: 5_000, min: 10, max: 1_000_000 },
    changesPerMessage: { description: 'changes in each message', default: 1, min: 1, max: 1_000 },
    messagesPerReceive: { description: 'messages whose handlers start in the same tick', default: 10, min: 1, max: 10 },
    receives: { description: 'receives handled at once', default: 2, min: 1, max: 16 },
    keep: { description: '1 keeps the schemas', default: 0, min: 0, max: 1 },
  },
  run: (options, { name, signal }) =>
    withCleanup(async (defer) => {
      const loadAverage1m = loadavg()[0] ?? Number.NaN;
      const schema = `projection_${randomBytes(4).toString('hex')}`;
      const database = await openRunDatabase(schema);
      defer(() => database.close());
      if (options.keep !== 1) defer(() => database.dropSchemas());
      const application = `${schema}-projection`;
      const db = new Kysely<RevalDatabase>({
        dialect: new PostgresDialect({
          // Idle connections stay open, so every backend's CPU is read at both ends of a pass.
          pool: new pg.Pool({
            connectionString: database.urlFor(application),
            max: options.receives + 2,
            idleTimeoutMillis: 0,
          }),
        }),
      });
      defer(() => db.destroy());
      await migrateRevalPrimary(db);
      const indexSchema = `${schema}_index`;
      await migrateRevalIndex(db, indexSchema);

      const gmcNumbers = Array.from({ length: options.doctors }, (_, i) => gmcNumberOf('bulk', i));
      for (let start = 0; start < gmcNumbers.length; start += WRITE_BATCH) {
        const records = gmcNumbers.slice(start, start + WRITE_BATCH).map(gmcDoctorInput);
        await db.transaction().execute((trx) => saveGmcDoctors({ trx, changes: NO_CHANGES }, records));
      }
      await sql`analyze`.execute(db);
      const messages: ChangeMessage[][] = [];
      for (let start = 0; start < gmcNumbers.length; start += options.changesPerMessage) {
        messages.push(
          gmcNumbers.slice(start, start + options.changesPerMessage).map((gmc, i) => ({
            changeNumber: String(start + i + 1),
            objectType: REVAL_OBJECT_TYPES.gmcDoctor,
            objectId: gmc,
            objectVersion: 1,
            changeType: 'CREATE' as const,
            timestamp: new Date().toISOString(),
            userId: null,
            traceparent: null,
          })),
        );
      }
      const worker = createRevalIndexWorker({
        primaryDb: db,
        indexDb: untypedDb(db),
        indexSchema,
        designatedBodies: DEFAULT_DESIGNATED_BODIES,
      });
      const context = {
        logger: pino({ level: 'silent' }),
        signal,
        attempt: 1,
        messageId: 'bench',
        worker: worker.name,
      };
      const cpuSecondsSince = async (before: Map<number, BackendCpu>) =>
        backendCpuSecondsBetween(before, await readBackendCpu(db), (name) => name === application);

      const pass = async (label: string) => {
        const queue = [...messages];
        const cpuBefore = await readBackendCpu(db);
        const processCpuBefore = processCpuSeconds();
        const started = performance.now();
        await runTogether(options.receives, signal, async () => {
          for (;;) {
            const receive = queue.splice(0, options.messagesPerReceive);
            if (receive.length === 0) return;
            await Promise.all(receive.map((changes) => worker.handle(changes, context)));
          }
        });
        // GIN indexes (fastupdate) defer their inserts to a pending list that a later insert or a
        // vacuum merges; merge it now, on the projection's pool, so each pass pays for its own.
        await sql`
          select gin_clean_pending_list(i.indexrelid)
          from pg_index i join pg_class c on c.oid = i.indexrelid join pg_am a on a.oid = c.relam
          join pg_namespace n on n.oid = c.relnamespace
          where a.amname = 'gin' and n.nspname = ${indexSchema}`.execute(db);
        const seconds = (performance.now() - started) / 1000;
        const processCpuMs = (processCpuSeconds() - processCpuBefore) * 1000;
        const cpuMs = (await cpuSecondsSince(cpuBefore)) * 1000;
        progress(`projection: ${label}: ${(options.doctors / seconds).toFixed(0)} documents/s`);
        return {
          documentsPerSecond: options.doctors / seconds,
          backendCpuMsPerThousand: (cpuMs / options.doctors) * 1000,
          handlerCpuMsPerThousand: (processCpuMs / options.doctors) * 1000,
        };
      };
      // Every connection of the pool opened (and so counted) before the first pass.
      await Promise.all(Array.from({ length: options.receives + 2 }, () => sql`select pg_sleep(0.05)`.execute(db)));
      const created = await pass('pass one (new documents)');
      const repeated = await pass('pass two (the same changes again)');
      const { rows } = await sql<{ count: string }>`
        select count(*) as count from ${sql.id(indexSchema, 'master')}`.execute(db);
      report(name, {
        cpus: availableParallelism(),
        loadAverage1m,
        loadAverage1mAfter: loadavg()[0] ?? Number.NaN,
        doctors: options.doctors,
        changesPerMessage: options.changesPerMessage,
        messagesPerReceive: options.messagesPerReceive,
        receives: options.receives,
        masterRows: Number(rows[0]?.count ?? 0),
        createDocumentsPerSecond: created.documentsPerSecond,
        createBackendCpuMsPerThousandDocuments: created.backendCpuMsPerThousand,
        createHandlerCpuMsPerThousandDocuments: created.handlerCpuMsPerThousand,
        repeatDocumentsPerSecond: repeated.documentsPerSecond,
        repeatBackendCpuMsPerThousandDocuments: repeated.backendCpuMsPerThousand,
        repeatHandlerCpuMsPerThousandDocuments: repeated.handlerCpuMsPerThousand,
      });
    }),
});
