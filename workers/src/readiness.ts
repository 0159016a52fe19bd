import { ListQueuesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { toError } from '@changeflow/errors';
import { type Kysely, sql } from 'kysely';

/** How long one dependency may take to answer `/ready`; a probe must not hang on a stuck connection. */
export const READY_CHECK_TIMEOUT_MS = 3_000;

/** What one dependency answered. */
export interface DependencyCheck {
  ok: boolean;
  durationMs: number;
  /** Why it failed; absent when `ok`. */
  error?: string;
}

/** The body of `/ready`. */
export interface ReadinessReport {
  status: 'ready' | 'not ready';
  /** The dependencies that failed (`postgres`, `sqs`), or `stopping` while the app drains. */
  failed: string[];
  checks: { postgres: DependencyCheck; sqs: DependencyCheck };
}

/**
 * Checks that Postgres answers a query and that SQS answers a `ListQueues` for the deployment's
 * prefix, both at once and each within {@link READY_CHECK_TIMEOUT_MS}.
 */
export async function checkReadiness<DB>(deps: {
  db: Kysely<DB>;
  sqs: SQSClient;
  prefix: string;
  isStopping: () => boolean;
}): Promise<ReadinessReport> {
  const [postgres, sqs] = await Promise.all([
    timed((signal) => withTimeout(sql`select 1`.execute(deps.db), signal)),
    timed((signal) =>
      deps.sqs.send(new ListQueuesCommand({ QueueNamePrefix: deps.prefix, MaxResults: 1 }), { abortSignal: signal }),
    ),
  ]);
  const failed = [...(postgres.ok ? [] : ['postgres']), ...(sqs.ok ? [] : ['sqs'])];
  if (deps.isStopping()) failed.push('stopping');
  return { status: failed.length === 0 ? 'ready' : 'not ready', failed, checks: { postgres, sqs } };
}

async function timed(check: (signal: AbortSignal) => Promise<unknown>): Promise<DependencyCheck> {
  const started = performance.now();
  const signal = AbortSignal.timeout(READY_CHECK_TIMEOUT_MS);
  try {
    await check(signal);
    return { ok: true, durationMs: Math.round(performance.now() - started) };
  } catch (err) {
    const error = signal.aborted ? `no answer within ${READY_CHECK_TIMEOUT_MS} ms` : describe(err);
    return { ok: false, durationMs: Math.round(performance.now() - started), error };
  }
}

/** Rejects when `signal` aborts; for calls (Kysely queries) that take no signal of their own. */
export function withTimeout<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function describe(err: unknown): string {
  const error = toError(err);
  // AggregateError (a connection refused on every address) carries the useful messages inside.
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map((inner) => toError(inner).message).join('; ');
  }
  const code = (error as NodeJS.ErrnoException).code;
  return `${error.name}: ${error.message || code || 'no message'}`;
}
