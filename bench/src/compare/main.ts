/**
 * `npm run bench -- compare`: Changeflow beside pg-transactional-outbox (issue 17), both on one
 * PostgreSQL cluster of the benchmark's own (`wal_level = logical`, which the peer's replication
 * listener needs) and one local SNS, publishing the same write's change:
 * 1. Recording: tx/s of the write with its record (no publisher running) ÷ without.
 * 2. Live: the same with each system's publisher running in this process, until every change is acknowledged.
 * 3. Commit -> SNS acknowledgement latency, open loop at `--low-rate` and `--high-rate` per second.
 * 4. Drain: a backlog of `--backlog` committed changes published by each system's recovery path.
 * Then every queue is drained, to check that what each system said SNS acknowledged arrived.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { awsOptionsFromEnv, createAwsClients } from '@changeflow/aws';
import {
  createOutbox,
  decodeChangeMessageBody,
  migrateOutbox,
  type OutboxDatabase,
  recordChanges,
  recordWrite,
} from '@changeflow/outbox';
import { createSemaphore } from '@changeflow/semaphore';
import { createSubscribedQueue } from '@changeflow/test-support/queues';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import {
  countStatements,
  createWriteTable,
  insertWrite,
  measureWriteForms,
  type WriteForm,
  type WriteTables,
} from '../outbox/write-overhead.js';
import { openBenchAwsEndpoint } from '../support/aws-endpoint.js';
import { defineBenchmark } from '../support/benchmark.js';
import { progress } from '../support/progress.js';
import { report } from '../support/report.js';
import { withCleanup } from '../support/with-cleanup.js';
import { deleteTopology } from '../sync/delete-topology.js';
import { drainArrivals } from './arrivals.js';
import { type LatencyFigures, measureCommitToAck, type TimedWrite } from './latency.js';
import { openPeerOutbox } from './peer-outbox.js';
import { startPostgresCluster } from './postgres-cluster.js';

interface BenchTables extends OutboxDatabase, WriteTables {}

const recorded = { objectType: 'trainee', objectId: 'id', objectVersion: 'version', changeType: 'CREATE' } as const;

/** Waits until `done()` or `timeoutMs`; says whether it got there. */
async function waitUntil(done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!(await done())) {
    if (performance.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

export const benchmark = defineBenchmark({
  description:
    'Changeflow beside pg-transactional-outbox on a Postgres cluster of its own: recording ratio, live rate, commit->ack latency, drain',
  options: {
    transactions: {
      description: 'transactions per write run (each form, each round)',
      default: 3_000,
      min: 100,
      max: 1_000_000,
    },
    writers: { description: 'concurrent writers (connections)', default: 8, min: 1, max: 64 },
    rounds: { description: 'rounds of the write runs (median reported)', default: 3, min: 1, max: 20 },
    lowRate: { description: 'first latency rate, writes per second', default: 250, min: 10, max: 20_000 },
    highRate: { description: 'second latency rate, writes per second', default: 1_000, min: 10, max: 20_000 },
    seconds: { description: 'length of each latency run, in seconds', default: 10, min: 1, max: 600 },
    backlog: { description: 'committed changes each system drains', default: 50_000, min: 100, max: 2_000_000 },
    maxSeconds: {
      description: 'longest wait for a system to publish what it recorded (each phase), in seconds',
      default: 180,
      min: 5,
      max: 3_600,
    },
  },
  run: (options, { name, signal }) =>
    withCleanup(async (defer) => {
      const waitMs = options.maxSeconds * 1000;
      progress('compare: starting a PostgreSQL cluster of its own (wal_level = logical)');
      const cluster = await startPostgresCluster();
      defer(() => cluster.stop());
      const local = await openBenchAwsEndpoint();
      defer(() => local.stop());
      const aws = createAwsClients({ ...awsOptionsFromEnv(), endpoint: local.endpoint, maxSockets: 128 });
      defer(() => aws.destroy());

      const pool = new pg.Pool({ connectionString: cluster.url, max: options.writers + 8 });
      const statements = countStatements(pool);
      const db = new Kysely<BenchTables>({ dialect: new PostgresDialect({ pool }) });
      defer(() => db.destroy());
      await migrateOutbox(db);
      await createWriteTable(db);

      const prefix = `cf-bench-${randomBytes(4).toString('hex')}`;
      defer(() => deleteTopology(aws, prefix));
      const outbox = createOutbox({ db, sns: aws.sns }, { topicPrefix: prefix });
      const changeflowTopic = await outbox.publisher.topicArn('trainee');
      const { TopicArn: peerTopic } = await aws.sns.send(new CreateTopicCommand({ Name: `${prefix}-peer` }));
      if (!peerTopic) throw new Error('CreateTopic answered no ARN for the peer topic');
      const changeflowQueue = await createSubscribedQueue(aws, `${prefix}-changeflow-audit`, [changeflowTopic]);
      const peerQueue = await createSubscribedQueue(aws, `${prefix}-peer-audit`, [peerTopic]);
      const peer = await openPeerOutbox(cluster.url, {
        sns: aws.sns,
        topicArn: peerTopic,
        poolSize: options.writers + 2,
      });
      defer(() => peer.close());
      const load = loadavg()[0] ?? Number.NaN;

      // 1. Recording, no publisher running: the same write plain, and with each system's record.
      const measure = { ...options, signal, statements };
      const recordingForms: WriteForm[] = [
        { name: 'plainStatement', write: (id) => insertWrite(db, id).execute() },
        { name: 'plainTransaction', write: (id) => db.transaction().execute((trx) => insertWrite(trx, id).execute()) },
        { name: 'changeflowRecordWrite', write: (id) => recordWrite(db, insertWrite(db, id), recorded) },
        {
          name: 'changeflowRecordChanges',
          write: (id) =>
            db.transaction().execute(async (trx) => {
              await insertWrite(trx, id).execute();
              await recordChanges(trx, {
                objectType: 'trainee',
                objectId: String(id),
                objectVersion: 1,
                changeType: 'CREATE',
              });
            }),
        },
        { name: 'peerRecord', write: (id) => peer.write(id) },
      ];
      await measureWriteForms(recordingForms.slice(0, 2), { ...measure, rounds: 1 }, 1_000_000_000); // warm-up
      const recording = await measureWriteForms(recordingForms, measure, 1);
      // What was recorded unpublished so far is not part of what follows.
      await sql`update changes set published_at = now() where published_at is null`.execute(db);
      await peer.reset();
      const { max: firstChangeNumber } = await db
        .selectFrom('changes')
        .select((eb) => eb.fn.max('change_number').as('max'))
        .executeTakeFirstOrThrow();

      // 2. Live: each system's publisher running in this process, the clock stopped when all is acknowledged.
      peer.startListener();
      let peerLiveWritten = 0;
      let peerLiveCompleted = true;
      let peerLivePendingAtWritersEnd = 0;
      let changeflowLiveCompleted = true;
      const liveForms: WriteForm[] = [
        {
          name: 'changeflowLive',
          write: (id) => outbox.write(insertWrite(db, id), recorded),
          async settle() {
            changeflowLiveCompleted &&= await Promise.race([
              outbox.flush().then(() => true),
              sleep(waitMs, false, { ref: false }),
            ]);
          },
        },
        {
          name: 'peerLive',
          async write(id) {
            await peer.write(id);
            peerLiveWritten += 1;
          },
          async settle() {
            peerLivePendingAtWritersEnd = Math.max(peerLivePendingAtWritersEnd, peerLiveWritten - peer.acked());
            peerLiveCompleted &&= await waitUntil(() => peer.acked() >= peerLiveWritten, waitMs);
          },
        },
      ];
      const live = await measureWriteForms(liveForms, measure, 100_000_000);

      // 3. Commit -> SNS acknowledgement at two steady rates, the systems alternating.
      const changeflowTimed: TimedWrite = async (id) => {
        const { changes } = await recordWrite(db, insertWrite(db, id), recorded);
        const committedAt = performance.now();
        const acked = outbox
          .afterCommit(changes)
          .then((result) => (result.failed.length === 0 ? performance.now() : Number.NaN));
        return { committedAt, acked };
      };
      const latency: Record<string, LatencyFigures> = {};
      let nextId = 200_000_000;
      for (const [rateName, rate] of [
        ['LowRate', options.lowRate],
        ['HighRate', options.highRate],
      ] as const) {
        for (const [system, write] of [
          ['changeflow', changeflowTimed],
          ['peer', peer.timedWrite],
        ] as const) {
          latency[`${system}${rateName}`] = await measureCommitToAck(write, {
            rate,
            seconds: options.seconds,
            waitMs,
            firstId: nextId,
            signal,
          });
          nextId += Math.round(rate * options.seconds) + 1;
          const figures = latency[`${system}${rateName}`];
          progress(
            `compare: ${system} at ${rate}/s: commit -> ack p50 ${figures?.p50Ms.toFixed(1)} ms, p99 ${figures?.p99Ms.toFixed(1)} ms`,
          );
        }
      }

      // 4. Drain: a committed backlog, published by each system's recovery path from a standing start.
      for (let start = 0; start < options.backlog; start += 5_000) {
        const count = Math.min(5_000, options.backlog - start);
        await recordChanges(
          db,
          Array.from({ length: count }, (_, i) => ({
            objectType: 'trainee',
            objectId: `backlog-${start + i}`,
            objectVersion: 1,
            changeType: 'CREATE' as const,
          })),
        );
      }
      const sweeper = outbox.createSweeper(createSemaphore(db), {
        graceMs: 0,
        batchSize: 10_000,
        maxBatchesPerRun: 1_000,
      });
      const changeflowDrainStarted = performance.now();
      await sweeper.runOnce();
      const changeflowDrainSeconds = (performance.now() - changeflowDrainStarted) / 1000;
      const { count: changeflowLeft } = await db
        .selectFrom('changes')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('published_at', 'is', null)
        .executeTakeFirstOrThrow();
      progress(`compare: changeflow drained ${options.backlog} in ${changeflowDrainSeconds.toFixed(2)} s`);

      await peer.stopListener();
      // What an earlier phase left unpublished (the peer fell behind) must not pass for the backlog.
      await peer.reset();
      await peer.insertBacklog(options.backlog);
      const peerDrainStarted = performance.now();
      peer.startListener();
      const peerDrainCompleted = await waitUntil(() => peer.ackedBacklog() >= options.backlog, waitMs);
      const peerDrainSeconds = (performance.now() - peerDrainStarted) / 1000;
      const peerDrained = peer.ackedBacklog();
      progress(`compare: peer drained ${peerDrained} of ${options.backlog} in ${peerDrainSeconds.toFixed(2)} s`);
      await peer.stopListener();

      // 5. Did what each system said SNS acknowledged arrive?
      progress('compare: receiving everything both topics delivered');
      const changeflowArrived = await drainArrivals(
        changeflowQueue,
        (body) => decodeChangeMessageBody(body).changes.map((change) => change.changeNumber),
        signal,
      );
      const changeflowPublished = await db
        .selectFrom('changes')
        .select('change_number')
        .where('change_number', '>', String(firstChangeNumber ?? 0))
        .where('published_at', 'is not', null)
        .execute();
      const peerArrived = await drainArrivals(peerQueue, (body) => [(JSON.parse(body) as { id: string }).id], signal);

      const rate = (figures: typeof recording, form: string) => figures[form]?.txPerSecond ?? Number.NaN;
      const plainStatement = rate(recording, 'plainStatement');
      const plainTransaction = rate(recording, 'plainTransaction');
      const latencyFigures: Record<string, number> = {};
      for (const [key, figures] of Object.entries(latency)) {
        for (const [figure, value] of Object.entries(figures)) {
          latencyFigures[`${key}${figure[0]?.toUpperCase()}${figure.slice(1)}`] = value;
        }
      }
      report(name, {
        cpus: availableParallelism(),
        loadAverage1m: load,
        loadAverage1mAfter: loadavg()[0] ?? Number.NaN,
        postgresVersion: cluster.version,
        peer: 'pg-transactional-outbox 0.5.x (logical replication)',
        writers: options.writers,
        rounds: options.rounds,
        plainStatementTxPerSecond: plainStatement,
        plainTransactionTxPerSecond: plainTransaction,
        changeflowRecordWriteTxPerSecond: rate(recording, 'changeflowRecordWrite'),
        changeflowRecordChangesTxPerSecond: rate(recording, 'changeflowRecordChanges'),
        peerRecordTxPerSecond: rate(recording, 'peerRecord'),
        changeflowRecordingRatio: rate(recording, 'changeflowRecordWrite') / plainStatement,
        changeflowRecordChangesRatio: rate(recording, 'changeflowRecordChanges') / plainTransaction,
        peerRecordingRatio: rate(recording, 'peerRecord') / plainTransaction,
        peerRecordingRatioToStatement: rate(recording, 'peerRecord') / plainStatement,
        changeflowLiveWritersTxPerSecond: live.changeflowLive?.writersTxPerSecond ?? Number.NaN,
        changeflowLiveEndToEndPerSecond: changeflowLiveCompleted ? rate(live, 'changeflowLive') : Number.NaN,
        changeflowLiveRatio: changeflowLiveCompleted ? rate(live, 'changeflowLive') / plainStatement : Number.NaN,
        changeflowLiveCompleted,
        peerLiveWritersTxPerSecond: live.peerLive?.writersTxPerSecond ?? Number.NaN,
        peerLiveEndToEndPerSecond: peerLiveCompleted ? rate(live, 'peerLive') : Number.NaN,
        peerLiveRatio: peerLiveCompleted ? rate(live, 'peerLive') / plainTransaction : Number.NaN,
        peerLiveCompleted,
        peerLivePendingAtWritersEnd,
        ...latencyFigures,
        backlog: options.backlog,
        changeflowDrainPerSecond: (options.backlog - Number(changeflowLeft)) / changeflowDrainSeconds,
        changeflowDrainLeft: Number(changeflowLeft),
        peerDrainPerSecond: peerDrained / peerDrainSeconds,
        peerDrainCompleted,
        peerDrainLeft: options.backlog - peerDrained,
        changeflowAcknowledged: changeflowPublished.length,
        changeflowArrived: changeflowArrived.size,
        changeflowAcknowledgedNotArrived: changeflowPublished.filter((row) => !changeflowArrived.has(row.change_number))
          .length,
        peerAcknowledged: peer.ackedIds.size,
        peerArrived: peerArrived.size,
        peerAcknowledgedNotArrived: [...peer.ackedIds].filter((id) => !peerArrived.has(id)).length,
      });
    }),
});
