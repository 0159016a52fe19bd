import { setTimeout as sleep } from 'node:timers/promises';
import { type Cluster, terminateServiceBackends } from '../support/cluster.js';
import { progress } from '../support/progress.js';
import type { ServiceProcess } from '../support/service-process.js';

/**
 * The faults the soak injects at random, one at a time: SIGKILL of a service, the SNS/SQS endpoint
 * unreachable (proxy down, the emulator keeps running), the SNS/SQS process itself SIGKILLed and
 * restarted on its data directory, and Postgres backends terminated.
 */
const FAULT_KINDS = [
  'kill-repository-service',
  'kill-workers',
  'sns-sqs-outage',
  'kill-sns-sqs',
  'terminate-postgres-backends',
] as const;
type FaultKind = (typeof FAULT_KINDS)[number];

/** How the faults are spaced and how long each lasts. */
export interface FaultTiming {
  /** Quiet time between two faults, drawn uniformly from this range, in ms. */
  readonly betweenMs: readonly [number, number];
  /** A killed service stays down this long before it is started again, in ms. */
  readonly downMs: readonly [number, number];
  /** An SNS/SQS outage lasts this long, in ms. */
  readonly outageMs: readonly [number, number];
}

export const DEFAULT_FAULT_TIMING: FaultTiming = {
  betweenMs: [3_000, 9_000],
  downMs: [500, 3_000],
  outageMs: [2_000, 8_000],
};

/** What was injected, for the report. */
export interface FaultStats {
  injected: Record<FaultKind, number>;
  /** Postgres backends the terminations ended, in all. */
  backendsTerminated: number;
  /** Restarts that failed and were retried (a workers start while SNS/SQS is down fails, as it should). */
  restartRetries: number;
  /** Faults the soak itself could not inject or undo (its own query refused, say), with why. */
  errors: string[];
}

export function emptyFaultStats(): FaultStats {
  return {
    injected: {
      'kill-repository-service': 0,
      'kill-workers': 0,
      'sns-sqs-outage': 0,
      'kill-sns-sqs': 0,
      'terminate-postgres-backends': 0,
    },
    backendsTerminated: 0,
    restartRetries: 0,
    errors: [],
  };
}

const between = (random: () => number, [low, high]: readonly [number, number]) => low + random() * (high - low);

/**
 * Injects a fault of a random kind every few seconds until `signal` aborts, and returns once the last one is
 * over: every service running and healthy again, and the SNS/SQS endpoint up.
 */
export async function injectFaults(
  cluster: Cluster,
  random: () => number,
  timing: FaultTiming,
  stats: FaultStats,
  signal: AbortSignal,
): Promise<void> {
  // Drawn from a shuffled bag of every kind, so even a one-minute soak meets each kind at least once.
  let bag: FaultKind[] = [];
  while (!signal.aborted) {
    await sleep(between(random, timing.betweenMs), undefined, { signal }).catch(() => {});
    if (signal.aborted) break;
    if (bag.length === 0) bag = shuffled(FAULT_KINDS, random);
    const kind = bag.pop() as FaultKind;
    stats.injected[kind] += 1;
    try {
      await injectFault(cluster, kind, random, timing, stats);
    } catch (err) {
      // The soak's own trouble (Postgres refusing its connection, a restart that never came up) must
      // not end the run: note it, make sure the endpoint is back, and go on. The final checks start
      // every service again before they look.
      const reason = `${kind}: ${err instanceof Error ? err.message : String(err)}`;
      stats.errors.push(reason);
      progress(`soak: could not inject or undo a fault (${reason}); going on`);
      await cluster.serviceEndpoint?.up().catch(() => {});
      await cluster.emulator.start().catch(() => {});
    }
  }
}

/** One fault, from start to end: a killed service is healthy again and an outage is over on return. */
async function injectFault(
  cluster: Cluster,
  kind: FaultKind,
  random: () => number,
  timing: FaultTiming,
  stats: FaultStats,
): Promise<void> {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  switch (kind) {
    case 'kill-repository-service':
    case 'kill-workers': {
      const service = pick(kind === 'kill-workers' ? cluster.workers : cluster.repositoryServices);
      progress(`soak: fault ${kind}: SIGKILL ${service.name} (pid ${service.pid})`);
      await service.kill();
      await sleep(between(random, timing.downMs));
      await restart(service, stats);
      break;
    }
    case 'sns-sqs-outage': {
      const outageMs = between(random, timing.outageMs);
      progress(`soak: fault ${kind}: the SNS/SQS endpoint goes away for ${Math.round(outageMs)} ms`);
      const endpoint = cluster.serviceEndpoint;
      if (!endpoint) throw new Error('an SNS/SQS outage needs the cluster started with outageProxy');
      await endpoint.down();
      await sleep(outageMs);
      await endpoint.up();
      break;
    }
    case 'kill-sns-sqs': {
      // Unlike the outage, the emulator itself dies mid-request with no chance to close its database:
      // only what its data directory kept comes back (every queue, subscription and message, in
      // flight or not, with its receive count). G3 and G5 must hold across it.
      progress(
        `soak: fault ${kind}: SIGKILL the SNS/SQS process (pid ${cluster.emulator.pid}); restart on its data directory`,
      );
      await cluster.emulator.kill();
      await sleep(between(random, timing.downMs));
      await restart(cluster.emulator, stats);
      break;
    }
    case 'terminate-postgres-backends': {
      const ended = await terminateServiceBackends(cluster.database.db, cluster.applicationNamePrefix);
      stats.backendsTerminated += ended;
      progress(`soak: fault ${kind}: pg_terminate_backend on ${ended} backends of the services`);
      break;
    }
  }
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** Starts a killed service (or the emulator) again until it is up (a start can fail while another fault is on). */
async function restart(service: Pick<ServiceProcess, 'name' | 'start' | 'kill'>, stats: FaultStats): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await service.start();
      return;
    } catch (err) {
      if (attempt >= 5) throw err;
      stats.restartRetries += 1;
      progress(`soak: ${service.name} did not come back (${(err as Error).message}); starting it again`);
      await service.kill();
    }
  }
}
