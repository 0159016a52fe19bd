import { setTimeout as sleep } from 'node:timers/promises';
import { ChangeflowError, ConfigError, toError } from '@changeflow/errors';
import { SYNC_STEPS } from '@changeflow/reval';
import type { Command } from 'commander';
import { z } from 'zod';
import type { CommandRunner } from '../context.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { formatDuration } from '../output.js';
import type { Progress } from '../progress.js';

/** A sync job as the repository-service answers it (`GET /api/sync/{id}`). */
export const syncJobAnswerSchema = z.object({
  id: z.string(),
  state: z.enum(['pending', 'running', 'succeeded', 'failed']),
  step: z.string(),
  counts: z.record(z.string(), z.number()),
  stepTimingsMs: z.record(z.string(), z.number()),
  error: z.string().nullable(),
  attempts: z.number(),
  requestedBy: z.string().nullable(),
  requestedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export type SyncJobAnswer = z.output<typeof syncJobAnswerSchema>;

const conflictSchema = z.object({ runningId: z.string() });

/** The repository-service could not be reached, or answered something the CLI cannot use. */
export class RepositoryServiceError extends ChangeflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('REPOSITORY_SERVICE_FAILED', message, options);
  }
}

/** What `sync` works with. */
export interface SyncDependencies {
  /** `REPOSITORY_URL`, without a trailing slash. */
  repositoryUrl: string;
  /** `WRITE_TOKEN`: starting a sync is a write. */
  writeToken: string | undefined;
  progress: Progress;
  /** Aborting stops the waiting (the sync goes on in the workers). */
  signal?: AbortSignal;
  /**
   * How often `--wait` asks for the job's state, in ms.
   * @defaultValue 2000
   */
  pollIntervalMs?: number;
}

export interface SyncOptions {
  /** Wait for the sync to finish, showing its steps. @defaultValue false */
  wait?: boolean;
}

/** The result of `changeflow sync`. */
export interface SyncResult {
  /** `false` when a sync was already pending or running: that one is shown (and followed) instead. */
  started: boolean;
  /** The job as last seen. */
  job: SyncJobAnswer;
  waited: boolean;
  /** Stopped waiting on a signal; the sync itself goes on. */
  interrupted: boolean;
}

/**
 * Asks the repository-service for a full sync of the reval indexes (`POST /api/sync`; DESIGN.md G7).
 * If one is already pending or running, that one is reported instead of starting another. With
 * `wait`, follows it (`GET /api/sync/{id}`) until it succeeds or fails.
 */
export async function requestSync(deps: SyncDependencies, options: SyncOptions = {}): Promise<SyncResult> {
  if (!deps.writeToken) {
    throw new ConfigError(
      "WRITE_TOKEN is not set: starting a sync needs the repository-service's write token; set WRITE_TOKEN",
    );
  }
  const client = repositoryClient(deps.repositoryUrl, deps.writeToken);
  const answer = await client.call('POST', '/api/sync');
  let started: boolean;
  let job: SyncJobAnswer;
  if (answer.status === 409) {
    const { runningId } = client.parse(conflictSchema, answer, 'POST /api/sync');
    started = false;
    job = await client.getJob(runningId);
  } else {
    started = true;
    job = client.parse(syncJobAnswerSchema, client.expect(answer, 202, 'POST /api/sync'), 'POST /api/sync');
  }
  const result: SyncResult = { started, job, waited: options.wait === true, interrupted: false };
  if (!options.wait) return result;
  const task = deps.progress.start(`sync #${job.id}`, SYNC_STEPS.length);
  let stepsDone = 0;
  try {
    while (result.job.state === 'pending' || result.job.state === 'running') {
      await sleep(deps.pollIntervalMs ?? 2000, undefined, { signal: deps.signal }).catch(() => {});
      if (deps.signal?.aborted) {
        result.interrupted = true;
        break;
      }
      result.job = await client.getJob(job.id);
      const done = stepIndex(result.job);
      task.increment(done - stepsDone, `${result.job.state}, step ${result.job.step}`);
      stepsDone = done;
    }
  } finally {
    task.stop();
  }
  return result;
}

/** Steps finished so far: the position of the current step, or all of them once it ended. */
function stepIndex(job: SyncJobAnswer): number {
  if (job.state === 'succeeded') return SYNC_STEPS.length;
  const index = SYNC_STEPS.indexOf(job.step as (typeof SYNC_STEPS)[number]);
  return index < 0 ? 0 : index;
}

/** 0 when the sync was started (or followed to success), 1 when it failed, 3 when waiting was interrupted. */
export function syncExitCode(result: SyncResult): ExitCode {
  if (result.interrupted) return EXIT_CODES.partial;
  return result.job.state === 'failed' ? EXIT_CODES.failure : EXIT_CODES.ok;
}

/** `sync` for people. */
export function renderSync(result: SyncResult): string {
  const { job } = result;
  const lines = [
    result.started
      ? `Started sync #${job.id} (${job.state}, step ${job.step}).`
      : `Sync #${job.id} was already ${job.state} (step ${job.step}); no other was started.`,
  ];
  if (result.waited && !result.interrupted) {
    const took = Object.values(job.stepTimingsMs).reduce((sum, ms) => sum + ms, 0);
    lines.push(
      job.state === 'succeeded'
        ? `Sync #${job.id} succeeded (${formatDuration(took)} in steps): ${JSON.stringify(job.counts)}`
        : `Sync #${job.id} failed at step ${job.step}: ${job.error ?? 'no reason given'}`,
    );
  } else if (job.state === 'pending' || job.state === 'running') {
    lines.push(`Follow it with \`changeflow sync --wait\` or \`changeflow status\`.`);
  }
  return lines.join('\n');
}

interface HttpAnswer {
  status: number;
  body: unknown;
  text: string;
}

/** The two calls of the sync API, with errors that say what to do. */
function repositoryClient(baseUrl: string, token: string) {
  const call = async (method: 'GET' | 'POST', path: string): Promise<HttpAnswer> => {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      const cause = toError(err);
      throw new RepositoryServiceError(
        `cannot reach the repository-service at ${baseUrl} (${(cause.cause instanceof Error ? cause.cause : cause).message}): ` +
          'start it (`npm run repository-service`) or set REPOSITORY_URL',
        { cause },
      );
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: keep the text for the message.
    }
    if (response.status === 401 || response.status === 403) {
      throw new ConfigError(
        `the repository-service at ${baseUrl} refused the token (${response.status} on ${method} ${path}): ` +
          'set WRITE_TOKEN to its write token',
      );
    }
    if (response.status === 404 && method === 'POST') {
      throw new RepositoryServiceError(
        `the repository-service at ${baseUrl} has no ${path} (404): it is older than the sync API, or ` +
          'REPOSITORY_URL points elsewhere',
      );
    }
    return { status: response.status, body, text };
  };
  const expect = (answer: HttpAnswer, status: number, what: string): HttpAnswer => {
    if (answer.status === status) return answer;
    const message = (answer.body as { message?: unknown } | null)?.message;
    throw new RepositoryServiceError(
      `${what} answered ${answer.status}: ${typeof message === 'string' ? message : answer.text.slice(0, 300)}`,
    );
  };
  const parse = <S extends z.ZodType>(schema: S, answer: HttpAnswer, what: string): z.output<S> => {
    const parsed = schema.safeParse(answer.body);
    if (parsed.success) return parsed.data;
    throw new RepositoryServiceError(
      `${what} answered a body the CLI does not understand (${parsed.error.issues[0]?.message ?? 'invalid'}); ` +
        'are the CLI and the repository-service the same version?',
      { cause: parsed.error },
    );
  };
  return {
    call,
    expect,
    parse,
    async getJob(id: string): Promise<SyncJobAnswer> {
      const what = `GET /api/sync/${id}`;
      return parse(syncJobAnswerSchema, expect(await call('GET', `/api/sync/${id}`), 200, what), what);
    },
  };
}

/** `changeflow sync [--wait]`. */
export function registerSyncCommand(program: Command, run: CommandRunner): void {
  program
    .command('sync')
    .description('ask the repository-service for a full sync of the reval indexes (REPOSITORY_URL, WRITE_TOKEN)')
    .option('--wait', 'wait until the sync finishes, showing its steps')
    .addHelpText(
      'after',
      '\nIf a sync is already pending or running, no other is started: that one is shown (and followed with --wait).\n' +
        'Exit 1 when the sync failed; 3 when waiting was interrupted (the sync goes on in the workers).',
    )
    .action(
      run(async (context, options: { wait?: boolean }) => {
        const result = await requestSync(
          {
            repositoryUrl: context.config.repositoryUrl,
            writeToken: context.config.writeToken,
            progress: context.progress,
            signal: context.signal,
          },
          { wait: options.wait === true },
        );
        context.output.result(result, renderSync);
        return syncExitCode(result);
      }),
    );
}
