/**
 * `npm start`: the whole flow on one machine. Starts the local SNS/SQS in process (unless
 * `AWS_ENDPOINT_URL` is set) on the state it kept in `.changeflow/aws` (`AWS_LOCAL_DATA_DIR`; `--fresh`
 * or `AWS_LOCAL_FRESH=true` starts clean), the workers deployment (provisioning its queues), the
 * repository-service, loads the demo doctors (`DEMO_DOCTORS`, default 2000; 0 skips), and prints
 * where everything is. Ctrl-C stops it all; a second Ctrl-C exits at once.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stopOnSignals } from '@changeflow/app-kit';
import {
  awsOptionsFromEnv,
  createAwsClients,
  type LocalAws,
  localAwsOptionsFromEnv,
  startLocalAws,
} from '@changeflow/aws';
import { createProgress, formatSummary, loadDemoData, londonToday } from '@changeflow/demo-data';
import {
  loadConfig as loadServiceConfig,
  type RepositoryService,
  startRepositoryService,
} from '@changeflow/repository-service';
import {
  loadConfig as loadWorkersConfig,
  registeredJobs,
  registeredMigrations,
  registeredWorkers,
  startWorkersApp,
  type WorkersApp,
} from '@changeflow/workers';
import { pino } from 'pino';
import { exportLines } from './start/export-lines.js';

/** The local SNS/SQS keeps its state here between runs (git-ignored) unless AWS_LOCAL_DATA_DIR names another. */
const DEFAULT_AWS_DATA_DIR = fileURLToPath(new URL('../.changeflow/aws', import.meta.url));
const say = (line = '') => process.stdout.write(`${line}\n`);
const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn', base: { app: 'changeflow-start' } });
const demoDoctors = Number(process.env.DEMO_DOCTORS ?? 2000);
if (!Number.isInteger(demoDoctors) || demoDoctors < 0) {
  process.stderr.write(
    `DEMO_DOCTORS=${process.env.DEMO_DOCTORS} is not a whole number of doctors (0 skips the demo data)\n`,
  );
  process.exit(2);
}

let local: LocalAws | undefined;
let workers: WorkersApp | undefined;
let service: RepositoryService | undefined;
const loading = new AbortController();
let stopping: Promise<void> | undefined;
const stop = () => {
  stopping ??= (async () => {
    loading.abort();
    await service?.stop();
    await workers?.stop();
    await local?.close();
  })();
  return stopping;
};
// One signal drains and stops everything; a second exits at once with 130.
// At info level whatever LOG_LEVEL says, so Ctrl-C answers at once.
stopOnSignals({
  logger: logger.child({}, { level: 'info' }),
  draining: 'the workers, then the service and the local SNS/SQS',
  stop,
});

try {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // `npm start -- --fresh` (or AWS_LOCAL_FRESH=true) starts the local SNS/SQS without the state it kept.
  const { fresh } = parseArgs({ options: { fresh: { type: 'boolean', default: false } } }).values;
  if (!env.AWS_ENDPOINT_URL) {
    const options = localAwsOptionsFromEnv(env, { port: 4566, dataDir: DEFAULT_AWS_DATA_DIR });
    local = await startLocalAws({ ...options, fresh: fresh || options.fresh });
    env.AWS_ENDPOINT_URL = local.endpoint;
  }
  env.CHANGEFLOW_PROVISION ??= 'true';
  env.LOG_LEVEL ??= 'warn';
  env.READ_TOKEN ??= `read-${randomBytes(12).toString('hex')}`;
  env.WRITE_TOKEN ??= `write-${randomBytes(12).toString('hex')}`;

  // Workers first: provisioning subscribes the queues before the first change is published.
  workers = await startWorkersApp({
    config: loadWorkersConfig(env),
    workers: registeredWorkers,
    jobs: registeredJobs,
    migrate: registeredMigrations,
    logger,
  });
  env.WORKERS_METRICS_URL ??= `${workers.adminUrl}/metrics`;
  service = await startRepositoryService(loadServiceConfig(env), { logger });

  const region = await workersAwsRegion(env);
  say('Changeflow is running.');
  say(`  repository-service  ${service.url}   (OpenAPI: ${service.url}/docs/json)`);
  say(`  console             ${service.url}/console   (sign in with a token below)`);
  say(`  workers admin       ${workers.adminUrl}   (/health /ready /metrics)`);
  say(`  SNS/SQS             ${env.AWS_ENDPOINT_URL}${local ? '   (local, in this process)' : ''}`);
  if (local?.dataDir) say(`                      state kept in ${local.dataDir} (npm start -- --fresh starts clean)`);
  say();
  say('In a second terminal, paste these lines; then every command of the README tour works as printed:');
  for (const line of exportLines(env, { repositoryUrl: service.url, adminUrl: workers.adminUrl, region })) {
    say(`  ${line}`);
  }
  say();
  say('Try:');
  say(
    `  curl -s -H "Authorization: Bearer $READ_TOKEN" "$REPOSITORY_URL/api/v1/doctors?sortColumn=doctorLastName&sortOrder=asc"`,
  );
  say('  npm run changeflow -- status');
  say('  curl -s "$ADMIN_URL/metrics" | grep changeflow_worker_messages_total');
  say();
  if (demoDoctors > 0) {
    say(`Loading ${demoDoctors} demo doctors through the bulk import API…`);
    const summary = await loadDemoData(
      { doctors: demoDoctors, seed: 'demo', today: londonToday(new Date()), url: service.url, token: env.WRITE_TOKEN },
      { progress: createProgress(), signal: loading.signal },
    );
    say(formatSummary(summary));
    say('The workers project them into the indexes within seconds. Ctrl-C stops everything.');
  } else {
    say('DEMO_DOCTORS=0: no demo data loaded. Ctrl-C stops everything.');
  }
} catch (err) {
  if (!loading.signal.aborted) {
    process.stderr.write(`cannot start Changeflow: ${(err as Error).message}\n`);
    await stop().catch(() => {});
    process.exit(1);
  }
}

/** The region the apps sign for: the configured one, or the SDK's fallback for a local endpoint. */
async function workersAwsRegion(env: NodeJS.ProcessEnv): Promise<string> {
  const aws = createAwsClients(awsOptionsFromEnv(env));
  try {
    return await aws.region();
  } finally {
    aws.destroy();
  }
}
