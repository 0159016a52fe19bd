/**
 * `npm run soak -- --minutes M`: the chaos soak. Runs the whole deployment as separate processes
 * (local SNS/SQS, repository-service and workers instances) on a schema of its own, writes through
 * the API from concurrent clients while it injects faults at random (SIGKILL of services, the
 * SNS/SQS endpoint going away, the SNS/SQS process itself SIGKILLed and restarted on its data
 * directory, Postgres backends terminated) and poisons one doctor so that it fails
 * in the worker until fixed. Then it waits for quiescence and verifies: every committed change was
 * published (seen by an audit queue of its own), every acknowledged write is recorded, every index
 * equals a fresh projection of the primary data, the DLQ holds only the poisoned doctor's messages,
 * and after the fix `changeflow dlq replay` empties it. Exit 0 passed, 1 failed, 2 bad usage.
 *
 * @example
 * npm run soak -- --minutes 1 --seed 42
 */
import { randomInt } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { londonToday } from '@changeflow/reval';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type Cluster, startCluster } from '../support/cluster.js';
import { withDeadline } from '../support/deadline.js';
import { progress, showProgress } from '../support/progress.js';
import { compareWithFreshProjection, lostAcknowledgedWrites, runCli, unpublishedChanges } from './checks.js';
import { DEFAULT_FAULT_TIMING, emptyFaultStats, injectFaults } from './fault-injector.js';
import { curePoison, POISON_MESSAGE, poisonDoctor, poisonedWrite } from './poison.js';
import { startPublishAudit } from './publish-audit.js';
import { peekDeadLetters, readBacklog, waitForQuiescence } from './quiescence.js';
import { formatSoakReport, type SoakOutcome, soakFailures } from './soak-report.js';
import { emptyStats, runWriteLoad, seededRandom, sendWrite } from './write-load.js';

/** Children's logs: `.soak/<run>/<service>.log`, deleted when the run passes (kept when it fails). */
const LOG_DIR = fileURLToPath(new URL('../../../.soak/', import.meta.url));

function number(name: string, min: number, max: number, integer: boolean) {
  return (value: string) => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed) || (integer && !Number.isInteger(parsed))) {
      throw new InvalidArgumentError(
        `expected ${integer ? 'a whole number' : 'a number'} of ${name} from ${min} to ${max}`,
      );
    }
    if (parsed < min || parsed > max) throw new InvalidArgumentError(`expected ${name} from ${min} to ${max}`);
    return parsed;
  };
}

const program = new Command('soak')
  .description('chaos soak: writes and random faults, then proof that nothing was lost and every index converged')
  .addOption(
    new Option('--minutes <m>', 'minutes of writes and faults')
      .argParser(number('minutes', 0.25, 120, false))
      .default(5),
  )
  .addOption(
    new Option('--writes-per-second <n>', 'API writes per second, in all')
      .argParser(number('writes per second', 1, 5_000, true))
      .default(150),
  )
  .addOption(
    new Option('--doctors <n>', 'doctors the writes spread over')
      .argParser(number('doctors', 10, 1_000_000, true))
      .default(400),
  )
  .addOption(
    new Option('--repository-services <n>', 'repository-service instances')
      .argParser(number('instances', 1, 8, true))
      .default(2),
  )
  .addOption(new Option('--workers <n>', 'workers instances').argParser(number('instances', 1, 8, true)).default(2))
  .addOption(
    new Option('--converge-seconds <n>', 'longest wait for quiescence, in seconds, each time')
      .argParser(number('seconds', 10, 3_600, true))
      .default(300),
  )
  .addOption(
    new Option('--seed <n>', 'seed of the writes and faults (default: random, printed)').argParser(
      number('seed', 0, 2 ** 31, true),
    ),
  )
  .option('--keep', 'keep the schemas and the logs even when the soak passes')
  .showHelpAfterError();

interface SoakOptions {
  minutes: number;
  writesPerSecond: number;
  doctors: number;
  repositoryServices: number;
  workers: number;
  convergeSeconds: number;
  seed?: number;
  keep?: boolean;
}

async function soak(options: SoakOptions, signal: AbortSignal): Promise<boolean> {
  const seed = options.seed ?? randomInt(2 ** 31);
  const random = seededRandom(seed);
  const today = londonToday(new Date());
  const unexpectedExits: string[] = [];
  progress(
    `soak: seed ${seed}; starting ${options.workers} workers and ${options.repositoryServices} repository-service instances`,
  );
  const cluster: Cluster = await startCluster({
    kind: 'soak',
    repositoryServices: options.repositoryServices,
    workers: options.workers,
    logDir: LOG_DIR,
    // The faults include SNS/SQS outages, played by taking this proxy down.
    outageProxy: true,
    onUnexpectedExit: (name, code, exitSignal) => {
      unexpectedExits.push(`${name} (${exitSignal ?? `code ${code}`})`);
      progress(`soak: ${name} exited by itself (${exitSignal ?? `code ${code}`}); restarting it`);
    },
  });
  let passed = false;
  try {
    progress(`soak: cluster ${cluster.id} up; logs in ${cluster.logFolder}`);
    const audit = await startPublishAudit(cluster);
    await poisonDoctor(cluster.database.db, cluster.indexSchema);

    const writes = emptyStats();
    const faults = emptyFaultStats();
    const target = { urls: cluster.repositoryUrls, writeToken: cluster.writeToken };
    const durationMs = options.minutes * 60_000;
    const deadline = withDeadline(signal, durationMs);
    const load = deadline.signal;
    const started = performance.now();
    const stopProgress = showProgress(() => {
      const acknowledged = Object.values(writes.acknowledged).reduce((a, b) => a + b, 0);
      const injected = Object.values(faults.injected).reduce((a, b) => a + b, 0);
      return `soak: ${Math.round((performance.now() - started) / 1000)} of ${Math.round(durationMs / 1000)} s; ${acknowledged} writes acknowledged, ${writes.retriedAttempts} retried; ${injected} faults; ${audit.seen.size} changes seen published`;
    });
    // The poisoned doctor is written early and once more mid-run, so its dead letters land in time.
    const poisoning = (async () => {
      for (const [round, at] of [0.1, 0.4].entries()) {
        await sleep(durationMs * at - (performance.now() - started), undefined, { signal: load }).catch(() => {});
        if (load.aborted && round > 0) return;
        await sendWrite(target, poisonedWrite(round), writes, round);
      }
    })();
    try {
      await Promise.all([
        runWriteLoad(
          target,
          { writesPerSecond: options.writesPerSecond, doctors: options.doctors, today, seed },
          writes,
          load,
        ),
        injectFaults(cluster, random, DEFAULT_FAULT_TIMING, faults, load),
        poisoning,
      ]);
    } finally {
      deadline.clear();
      stopProgress();
    }
    if (signal.aborted) throw new Error('interrupted');
    await cluster.serviceEndpoint?.up();
    await cluster.emulator.start();
    await Promise.all([...cluster.workers, ...cluster.repositoryServices].map((service) => service.start()));

    progress('soak: writes and faults stopped; waiting for quiescence');
    const settled = await waitForQuiescence(cluster, options.convergeSeconds * 1000);
    const deadLetters = await peekDeadLetters(cluster);
    const listing = await runCli<{ messages: Array<{ error: string }> }>(cluster, ['dlq', 'list', 'reval-index']);

    progress('soak: fixing the poisoned doctor and replaying its dead letters with `changeflow dlq replay`');
    await curePoison(cluster.database.db, cluster.indexSchema);
    const replay = await runCli<{ moved?: number }>(cluster, ['dlq', 'replay', 'reval-index', '--all']);
    const replayed = await waitForQuiescence(cluster, options.convergeSeconds * 1000);
    const after = await readBacklog(cluster);

    await audit.finish();
    const published = await unpublishedChanges(cluster.database.db, audit.seen);
    const outcome: SoakOutcome = {
      seed,
      minutes: options.minutes,
      writes,
      faults,
      unexpectedExits,
      settled,
      committedChanges: published.committed,
      auditMessages: audit.messages,
      unpublished: published.missing,
      publishedUncommitted: published.uncommitted,
      lostAcknowledged: await lostAcknowledgedWrites(cluster.database.db, writes.acknowledgedChangeNumbers),
      deadLetters,
      poisonReason: listing.result.messages.find((message) => message.error.includes(POISON_MESSAGE))?.error ?? null,
      replay: { code: replay.code, moved: replay.result.moved ?? 0 },
      replayed,
      deadLettersAfterReplay: Object.values(after.deadLettered).reduce((a, b) => a + b, 0),
      divergence: await compareWithFreshProjection(cluster.database.db, cluster.indexSchema, `${cluster.id}_fresh`),
    };
    await audit.delete();
    const failures = soakFailures(outcome);
    for (const line of formatSoakReport(outcome, failures)) process.stdout.write(`${line}\n`);
    passed = failures.length === 0;
    if (!passed) {
      progress(`soak: FAILED; kept schema ${cluster.id}* and logs in ${cluster.logFolder} to inspect`);
      printServiceErrors(cluster.logFolder);
    }
    return passed;
  } finally {
    const keep = options.keep === true || !passed;
    await cluster.stop({ keep });
    if (!keep) rmSync(cluster.logFolder, { recursive: true, force: true });
  }
}

/** Error lines the services logged (pino level 50 and up) shown at most per service on a failure. */
const ERROR_LINES_SHOWN = 10;

/** The last error lines of each service's log, on stderr, so a CI log alone explains a failure. */
function printServiceErrors(logFolder: string): void {
  // Logs only: the folder also holds the emulator's state directory.
  for (const file of readdirSync(logFolder)
    .filter((name) => name.endsWith('.log'))
    .sort()) {
    const errors = readFileSync(join(logFolder, file), 'utf8')
      .split('\n')
      .filter((line) => /"level":[56]0/.test(line) || /^\w*Error\b/.test(line));
    if (errors.length === 0) continue;
    progress(`soak: the last errors ${file} logged (${errors.length} in all):`);
    for (const line of errors.slice(-ERROR_LINES_SHOWN)) progress(`  ${line.slice(0, 500)}`);
  }
}

program.parse();
const interrupt = new AbortController();
let signals = 0;
for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.on(name, () => {
    signals += 1;
    if (signals > 1) process.exit(130);
    progress(`${name}: stopping the soak and cleaning up; again to exit at once`);
    interrupt.abort();
  });
}
try {
  const passed = await soak(program.opts<SoakOptions>(), interrupt.signal);
  process.exitCode = passed ? 0 : 1;
} catch (err) {
  progress(`soak could not run: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
setTimeout(() => process.exit(), 5_000).unref();
