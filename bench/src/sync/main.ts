/**
 * `npm run bench -- sync`: one full reval sync (G7) of `--doctors` demo doctors through the real
 * path. The doctors are written into the primary tables as the repository-service writes them (save
 * functions, outbox transactions of 2,000 doctors); then a worker runtime in this process runs the
 * reval sync worker (provisioned on the local SNS/SQS), `startSync` records the job, and the
 * benchmark polls `getSyncJob` until the job succeeds or fails. Figures: the sync's wall time
 * (requested -> finished), each step's time, documents and rows per index, and this process's peak
 * memory while the sync ran (the worker runs here), with CPU per step to tell Node's share from
 * Postgres's.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { awsOptionsFromEnv, createAwsClients } from '@changeflow/aws';
import { createWorkerRuntime } from '@changeflow/consumer';
import { londonToday } from '@changeflow/demo-data';
import { createOutbox } from '@changeflow/outbox';
import {
  createRevalSyncWorker,
  DEFAULT_DESIGNATED_BODIES,
  getSyncJob,
  type RevalDatabase,
  SYNC_STEPS,
  type SyncJob,
  startSync,
  untypedDb,
} from '@changeflow/reval';
import { createSemaphore } from '@changeflow/semaphore';
import { type Kysely, sql } from 'kysely';
import { pino } from 'pino';
import { openBenchAwsEndpoint } from '../support/aws-endpoint.js';
import { defineBenchmark } from '../support/benchmark.js';
import { machineBusyCpuSeconds, processCpuSeconds } from '../support/cpu-usage.js';
import { progress, showProgress } from '../support/progress.js';
import { type Figures, report } from '../support/report.js';
import { withCleanup } from '../support/with-cleanup.js';
import { openSyncBenchDatabase } from './bench-database.js';
import { deleteTopology } from './delete-topology.js';
import { loadDemoDoctors } from './load-demo-doctors.js';
import { memoryNowMb, sampleMemory } from './memory-sampler.js';

/** How often the benchmark reads the job while the sync runs. */
const POLL_INTERVAL_MS = 100;

export const benchmark = defineBenchmark({
  description: 'one full reval sync (G7) of N demo doctors through the worker runtime: wall time, steps, peak memory',
  options: {
    doctors: {
      description: 'demo doctors loaded into the primary tables',
      default: 100_000,
      min: 100,
      max: 1_000_000,
    },
    seed: { description: 'seed of the demo data (same seed, same doctors)', default: 1, min: 0, max: 1_000_000_000 },
    maxSeconds: {
      description: 'longest wait for the sync to finish, in seconds; then the figures so far are reported',
      default: 900,
      min: 10,
      max: 7_200,
    },
    keep: {
      description: '1 keeps the schemas (primary and index) to inspect; their names are printed',
      default: 0,
      min: 0,
      max: 1,
    },
  },
  run: (options, { name, signal }) =>
    withCleanup(async (defer) => {
      const local = await openBenchAwsEndpoint();
      defer(() => local.stop());
      const aws = createAwsClients({ ...awsOptionsFromEnv(), endpoint: local.endpoint });
      defer(() => aws.destroy());
      const prefix = `cf-bench-${randomBytes(4).toString('hex')}`;
      defer(() => deleteTopology(aws, prefix));
      const database = await openSyncBenchDatabase();
      defer(() => database.close());
      if (options.keep === 1) {
        defer(() => progress(`sync: kept schemas ${database.runSchema} and ${database.indexSchema}`));
      } else {
        defer(() => database.dropSchemas());
      }
      const { db, indexSchema } = database;
      progress(
        `sync: endpoint ${local.endpoint} (${local.source}), Postgres ${database.where}, schema ${database.runSchema}, names ${prefix}-*`,
      );

      const logger = pino({ level: 'warn' }, process.stderr);
      const outbox = createOutbox({ db, sns: aws.sns, logger }, { topicPrefix: prefix });
      const today = londonToday();
      const load = await loadDemoDoctors(db, outbox, { doctors: options.doctors, seed: options.seed, today, signal });
      progress(
        `sync: loaded ${options.doctors} doctors in ${Math.round(load.writeMs)} ms (${load.changes} changes), published in ${Math.round(load.flushMs)} ms more`,
      );

      const runtime = createWorkerRuntime(
        { sqs: aws.sqs, sns: aws.sns, db, semaphore: createSemaphore(db), logger },
        [
          createRevalSyncWorker({
            primaryDb: db,
            indexDb: untypedDb(db),
            indexSchema,
            designatedBodies: DEFAULT_DESIGNATED_BODIES,
            outbox,
          }),
        ],
        { prefix, provision: true },
      );
      defer(() => runtime.stop());
      const provisionStarted = performance.now();
      await runtime.start();
      const provisionMs = performance.now() - provisionStarted;

      const loadAverage = loadavg()[0] ?? Number.NaN;
      const before = memoryNowMb();
      const sampler = sampleMemory();
      const cpu = new StepCpu();
      const requestedAt = performance.now();
      const answer = await startSync(outbox, db, 'bench');
      if (!('started' in answer)) throw new Error(`a sync is already running in a fresh schema: ${answer.running.id}`);
      const jobId = answer.started.id;
      let job: SyncJob | undefined = answer.started;
      const stopProgress = showProgress(
        () =>
          `sync: job ${jobId} ${job?.state ?? '?'} ${job?.step ?? '?'}` +
          (job?.step === 'build-master'
            ? ` (${job.counts.gmcNumbersDone ?? 0} of ${job.counts.gmcNumbersTotal ?? '?'} GMC numbers)`
            : ''),
      );
      const deadline = requestedAt + options.maxSeconds * 1000;
      let observedEndAt = Number.NaN;
      try {
        while (!signal.aborted && performance.now() < deadline) {
          job = await getSyncJob(db, jobId);
          cpu.observe(job?.state === 'pending' ? 'pending' : (job?.step ?? 'gone'));
          if (!job || job.state === 'succeeded' || job.state === 'failed') {
            observedEndAt = performance.now();
            break;
          }
          await sleep(POLL_INTERVAL_MS);
        }
      } finally {
        stopProgress();
      }
      const memory = sampler.stop();
      cpu.observe('end');
      if (signal.aborted) throw new Error('interrupted: the figures are incomplete, so none are reported');
      await outbox.flush();

      const steps = job?.stepTimingsMs ?? {};
      const stepsMs = SYNC_STEPS.reduce((sum, step) => sum + (steps[step] ?? 0), 0);
      const wallMs =
        job?.finishedAt && job.requestedAt ? job.finishedAt.getTime() - job.requestedAt.getTime() : Number.NaN;
      const pickupMs =
        job?.startedAt && job.requestedAt ? job.startedAt.getTime() - job.requestedAt.getTime() : Number.NaN;
      const liveMaster = await countRows(db, indexSchema, 'master');
      const figures: Figures = {
        endpoint: local.source,
        cpus: availableParallelism(),
        loadAverage1m: loadAverage,
        doctors: options.doctors,
        seed: options.seed,
        today,
        trainees: load.trainees,
        gmcDoctors: load.gmcDoctors,
        recommendations: load.recommendations,
        connectionFailures: load.connectionFailures,
        loadTransactions: load.transactions,
        loadChanges: load.changes,
        loadWriteMs: load.writeMs,
        loadDoctorsPerSecond: (options.doctors * 1000) / load.writeMs,
        loadFlushMs: load.flushMs,
        loadVacuumAnalyzeMs: load.analyzeMs,
        provisionMs,
        syncState: job?.state ?? 'gone',
        syncError: job?.error ?? null,
        completed: job?.state === 'succeeded',
        syncWallMs: wallMs,
        syncObservedMs: observedEndAt - requestedAt,
        pickupMs,
        buildMasterMs: steps['build-master'] ?? Number.NaN,
        buildIndexesMs: steps['build-indexes'] ?? Number.NaN,
        swapMs: steps.swap ?? Number.NaN,
        catchUpMs: steps['catch-up'] ?? Number.NaN,
        stepHandoffsMs: wallMs - pickupMs - stepsMs,
        gmcNumbers: job?.counts.gmcNumbers ?? Number.NaN,
        documents: job?.counts.documents ?? Number.NaN,
        documentsPerSecond: ((job?.counts.documents ?? Number.NaN) * 1000) / wallMs,
        ...indexRowFigures(job?.counts ?? {}),
        liveMasterRows: liveMaster,
        caughtUpGmcNumbers: job?.counts.caughtUpGmcNumbers ?? Number.NaN,
        attempts: job?.attempts ?? Number.NaN,
        rssBeforeSyncMb: before.rssMb,
        rssPeakMb: memory.rssPeakMb,
        heapUsedBeforeSyncMb: before.heapUsedMb,
        heapUsedPeakMb: memory.heapUsedPeakMb,
        memorySamples: memory.samples,
        ...cpu.figures(),
      };
      report(name, figures);
    }),
});

/** Rows each derived index got, from the job's counts (`recommendation` -> `recommendationRows`). */
function indexRowFigures(counts: Record<string, number>): Figures {
  const skip = new Set(['documents', 'gmcNumbers', 'gmcNumbersDone', 'gmcNumbersTotal', 'caughtUpGmcNumbers']);
  const figures: Record<string, number> = {};
  for (const [key, value] of Object.entries(counts)) {
    if (!skip.has(key)) figures[`${key.replace(/[-_](.)/g, (_, letter: string) => letter.toUpperCase())}Rows`] = value;
  }
  return figures;
}

async function countRows(db: Kysely<RevalDatabase>, schema: string, table: string): Promise<number> {
  try {
    const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.id(schema, table)}`.execute(db);
    return Number(rows[0]?.n ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU per step as the benchmark's polling sees the steps change (within 100 ms): this process's
 * (the worker's Node side) and the whole machine's (Node, Postgres and the emulator), each as % of
 * one core. A step whose Node share is near 100% is bound by JavaScript; one where the machine is
 * busy but Node is not is bound by Postgres.
 */
class StepCpu {
  #current: string | undefined;
  #since = 0;
  #nodeAt = 0;
  #machineAt = 0;
  readonly #totals = new Map<string, { ms: number; node: number; machine: number }>();

  observe(step: string): void {
    if (step === this.#current) return;
    const now = performance.now();
    const node = processCpuSeconds();
    const machine = machineBusyCpuSeconds();
    if (this.#current !== undefined) {
      const total = this.#totals.get(this.#current) ?? { ms: 0, node: 0, machine: 0 };
      total.ms += now - this.#since;
      total.node += node - this.#nodeAt;
      total.machine += machine - this.#machineAt;
      this.#totals.set(this.#current, total);
    }
    this.#current = step;
    this.#since = now;
    this.#nodeAt = node;
    this.#machineAt = machine;
  }

  figures(): Figures {
    const figures: Record<string, number> = {};
    let ms = 0;
    let node = 0;
    let machine = 0;
    for (const step of SYNC_STEPS) {
      const total = this.#totals.get(step);
      if (!total || total.ms <= 0) continue;
      const key = step.replace(/-(.)/g, (_, letter: string) => letter.toUpperCase());
      figures[`${key}NodeCpuPercent`] = (total.node * 100_000) / total.ms;
      figures[`${key}MachineCpuPercent`] = (total.machine * 100_000) / total.ms;
    }
    for (const total of this.#totals.values()) {
      ms += total.ms;
      node += total.node;
      machine += total.machine;
    }
    figures.syncNodeCpuPercent = ms > 0 ? (node * 100_000) / ms : Number.NaN;
    figures.syncMachineCpuPercent = ms > 0 ? (machine * 100_000) / ms : Number.NaN;
    return figures;
  }
}
