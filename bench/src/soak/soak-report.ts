import type { Divergence } from './checks.js';
import type { FaultStats } from './fault-injector.js';
import { POISONED_GMC_NUMBER } from './poison.js';
import type { Backlog, DeadLetter } from './quiescence.js';
import type { WriteLoadStats } from './write-load.js';

/** How long a wait for quiescence took, and whether it gave up. */
interface Settling {
  readonly backlog: Backlog;
  readonly timedOut: boolean;
  readonly waitedMs: number;
}

/** Everything one soak found, passed or not; {@link soakFailures} judges it. */
export interface SoakOutcome {
  seed: number;
  minutes: number;
  writes: WriteLoadStats;
  faults: FaultStats;
  /** Services that exited by themselves (a crash the soak did not cause). */
  unexpectedExits: string[];
  /** The wait for quiescence after the writes and faults stopped. */
  settled: Settling;
  committedChanges: number;
  auditMessages: number;
  /** Committed changes the audit queue never saw published. */
  unpublished: string[];
  /** Change numbers the audit queue saw published that no committed change has. */
  publishedUncommitted: string[];
  /** Acknowledged writes missing from the change log. */
  lostAcknowledged: string[];
  /** What the DLQs held after the writes stopped, before the fix. */
  deadLetters: DeadLetter[];
  /** The reason the DLQ records for the poisoned doctor (from `changeflow dlq list`). */
  poisonReason: string | null;
  /** `changeflow dlq replay reval-index --all`: its exit code and the messages it moved. */
  replay: { code: number; moved: number };
  /** The wait for quiescence after the replay. */
  replayed: Settling;
  deadLettersAfterReplay: number;
  divergence: Divergence;
}

/** The poisoned doctor's object, as its dead letters name it. */
const POISONED_OBJECT = `gmc-doctor/${POISONED_GMC_NUMBER}`;
/** Characters of one failure line at most: a divergence lists rows, and a report must stay readable. */
const FAILURE_CHARS = 4_000;

/** Dead letters that hold anything but the poisoned doctor's changes. */
function unexpectedDeadLetters(letters: readonly DeadLetter[]): DeadLetter[] {
  return letters.filter((letter) => letter.objects.some((object) => object !== POISONED_OBJECT));
}

/**
 * Why the soak failed, one line each, naming the objects involved; empty when it passed. Every
 * guarantee the soak checks is here, so a report cannot say PASSED over a finding.
 */
export function soakFailures(outcome: SoakOutcome): string[] {
  const failures: string[] = [];
  const fail = (line: string) => failures.push(line.length > FAILURE_CHARS ? `${line.slice(0, FAILURE_CHARS)}…` : line);
  if (outcome.settled.timedOut)
    fail(`no quiescence after the writes: still moving ${JSON.stringify(outcome.settled.backlog)}`);
  if (outcome.unpublished.length > 0) {
    fail(
      `${outcome.unpublished.length} committed changes were never published: ${outcome.unpublished.slice(0, 20).join(', ')}`,
    );
  }
  if (outcome.publishedUncommitted.length > 0) {
    fail(
      `${outcome.publishedUncommitted.length} changes were published but never committed: ${outcome.publishedUncommitted.slice(0, 20).join(', ')}`,
    );
  }
  if (outcome.lostAcknowledged.length > 0) {
    fail(
      `acknowledged writes missing from the change log: changes ${outcome.lostAcknowledged.slice(0, 20).join(', ')}`,
    );
  }
  if (outcome.divergence.gmcNumbers.length > 0) {
    fail(
      `indexes diverge from a fresh projection for GMC numbers ${outcome.divergence.gmcNumbers.join(', ')}: ` +
        JSON.stringify(outcome.divergence.differences),
    );
  }
  if (outcome.deadLetters.length === 0) fail(`the poisoned doctor ${POISONED_GMC_NUMBER} was never dead-lettered`);
  const unexpected = unexpectedDeadLetters(outcome.deadLetters);
  if (unexpected.length > 0)
    fail(`dead letters other than the poisoned doctor's: ${JSON.stringify(unexpected.slice(0, 10))}`);
  if (outcome.poisonReason === null)
    fail('`changeflow dlq list reval-index` shows no failure with the poison as its reason');
  if (outcome.replay.code !== 0) fail(`\`changeflow dlq replay\` exited ${outcome.replay.code}`);
  if (outcome.replayed.timedOut) fail(`no quiescence after the replay: ${JSON.stringify(outcome.replayed.backlog)}`);
  if (outcome.deadLettersAfterReplay > 0)
    fail(`the DLQs still hold ${outcome.deadLettersAfterReplay} messages after the replay`);
  if (outcome.writes.rejected.length > 0)
    fail(`the API rejected writes: ${outcome.writes.rejected.slice(0, 5).join(' | ')}`);
  if (outcome.unexpectedExits.length > 0) fail(`services crashed by themselves: ${outcome.unexpectedExits.join(', ')}`);
  return failures;
}

const count = (n: number) => n.toLocaleString('en-US');
const sum = (values: Record<string, number>) => Object.values(values).reduce((total, n) => total + n, 0);
const listed = (values: Record<string, number>) =>
  Object.entries(values)
    .map(([key, n]) => `${key} ${count(n)}`)
    .join(', ') || 'none';

/** The readable report, then one JSON line of its figures (as every benchmark ends). */
export function formatSoakReport(outcome: SoakOutcome, failures: readonly string[]): string[] {
  const passed = failures.length === 0;
  const lost = outcome.unpublished.length + outcome.lostAcknowledged.length;
  const divergent = outcome.divergence.gmcNumbers.length;
  const unexpected = unexpectedDeadLetters(outcome.deadLetters).length;
  const { writes, faults } = outcome;
  const lines = [
    `soak ${passed ? 'PASSED' : 'FAILED'} (seed ${outcome.seed}, ${outcome.minutes} min of writes and faults)`,
    `  writes acknowledged   ${count(sum(writes.acknowledged))} (${listed(writes.acknowledged)})`,
    `  failed attempts       ${count(sum(writes.failures))}, each retried (${listed(writes.failures)}); given up ${writes.givenUp}, rejected ${writes.rejected.length}`,
    `  faults                ${count(sum(faults.injected))} (${listed(faults.injected)}); ${count(faults.backendsTerminated)} backends terminated; ${faults.restartRetries} restarts retried; ${faults.errors.length} the soak could not inject${faults.errors.length > 0 ? ` (${faults.errors.slice(0, 3).join(' | ')})` : ''}`,
    `  crashes               ${outcome.unexpectedExits.length === 0 ? 'none' : outcome.unexpectedExits.join(', ')}`,
    `  changes committed     ${count(outcome.committedChanges)}; seen published by the audit queue ${count(outcome.committedChanges - outcome.unpublished.length)} (in ${count(outcome.auditMessages)} messages)`,
    `  lost                  ${count(lost)} (${outcome.unpublished.length} never published, ${outcome.lostAcknowledged.length} acknowledged but not recorded); published uncommitted ${outcome.publishedUncommitted.length}`,
    `  divergent             ${count(divergent)} GMC numbers against a fresh projection of ${count(outcome.divergence.freshDocuments)} documents`,
    `  dead letters          ${outcome.deadLetters.length} (${unexpected} not the poisoned doctor's); reason: ${outcome.poisonReason ?? 'n/a'}`,
    `  after the fix         ${outcome.replay.moved} replayed by \`changeflow dlq replay\`; ${outcome.deadLettersAfterReplay} left in the DLQs`,
    `  time to converge      ${(outcome.settled.waitedMs / 1000).toFixed(1)} s after the writes stopped; ${(outcome.replayed.waitedMs / 1000).toFixed(1)} s after the replay`,
  ];
  for (const failure of failures) lines.push(`  FAILURE: ${failure}`);
  lines.push(
    JSON.stringify({
      soak: passed ? 'passed' : 'failed',
      seed: outcome.seed,
      minutes: outcome.minutes,
      writesAcknowledged: sum(writes.acknowledged),
      failedAttempts: sum(writes.failures),
      writesGivenUp: writes.givenUp,
      faults: sum(faults.injected),
      ...Object.fromEntries(Object.entries(faults.injected).map(([kind, n]) => [`fault:${kind}`, n])),
      backendsTerminated: faults.backendsTerminated,
      faultErrors: faults.errors.length,
      crashes: outcome.unexpectedExits.length,
      changesCommitted: outcome.committedChanges,
      lost,
      publishedUncommitted: outcome.publishedUncommitted.length,
      divergent,
      deadLetters: outcome.deadLetters.length,
      unexpectedDeadLetters: unexpected,
      deadLettersAfterReplay: outcome.deadLettersAfterReplay,
      convergeMs: Math.round(outcome.settled.waitedMs),
      replayConvergeMs: Math.round(outcome.replayed.waitedMs),
    }),
  );
  return lines;
}
