import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { SOURCE_NODE_ARGS } from '@changeflow/test-support';

/** The repository root, from this file's place in it (`bench/src/support/`), never from the cwd. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** How long a start may take before it counts as failed: tsx, the SDK, migrations, provisioning. */
const START_TIMEOUT_MS = 60_000;
/** How long `stop()` waits after SIGTERM (the services drain) before SIGKILL. */
const STOP_TIMEOUT_MS = 15_000;
/** Between two polls of the health URL while a start is awaited. */
const HEALTH_POLL_MS = 100;
/** After an exit nobody asked for, wait this long before starting again (a crash loop must not spin). */
const RESPAWN_DELAY_MS = 1_000;

/** A Node entry point of the repository, run as a child process the way an operator runs it. */
export interface ServiceProcessOptions {
  /** Name in logs and reports: `repository-service-1`, `workers-2`. */
  readonly name: string;
  /** The entry point, relative to the repository root: `repository-service/src/main.ts`. */
  readonly entry: string;
  /** The child's whole environment (nothing is inherited but what is given). */
  readonly env: NodeJS.ProcessEnv;
  /** A URL that answers 2xx once the service is up (`/health`, `/ready`). */
  readonly healthUrl: string;
  /** The child's stdout and stderr are appended here, so a failed run can be read afterwards. */
  readonly logFile: string;
  /** Called when the child exits without being asked to; the supervisor starts it again itself. */
  readonly onUnexpectedExit?: (name: string, code: number | null, signal: NodeJS.Signals | null) => void;
}

/** A supervised service: started, SIGKILLed and started again by a benchmark or the soak. */
export interface ServiceProcess {
  readonly name: string;
  /** The running child's pid, if one is running. */
  readonly pid: number | undefined;
  /** Times the child was started (the first start counts). */
  readonly starts: number;
  /** Starts the child and resolves once its health URL answers 2xx. */
  start(): Promise<void>;
  /** SIGKILL, as a crash or an OOM kill would end it; resolves once it has exited. */
  kill(): Promise<void>;
  /** SIGTERM (the service drains), then SIGKILL after 15 s; resolves once it has exited. No respawn. */
  stop(): Promise<void>;
}

/**
 * Runs `node --conditions=@changeflow/source --import tsx <entry>` from the repository root and keeps it running: if it exits
 * without `kill()` or `stop()` (a start that failed while SNS/SQS was down, say), it is started
 * again after a second. `kill()` does not restart it: the caller decides when it comes back.
 */
export function superviseService(options: ServiceProcessOptions): ServiceProcess {
  const log: WriteStream = createWriteStream(options.logFile, { flags: 'a' });
  let child: ChildProcess | undefined;
  let starts = 0;
  let wanted = false;
  let stopped = false;

  const spawnChild = () => {
    starts += 1;
    log.write(`--- ${new Date().toISOString()} start ${starts} of ${options.name}\n`);
    const next = spawn(process.execPath, [...SOURCE_NODE_ARGS, options.entry], {
      cwd: REPO_ROOT,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    next.stdout?.pipe(log, { end: false });
    next.stderr?.pipe(log, { end: false });
    next.once('exit', (code, signal) => {
      log.write(`--- ${new Date().toISOString()} ${options.name} exited (${signal ?? `code ${code}`})\n`);
      if (child === next) child = undefined;
      if (wanted && !stopped) {
        options.onUnexpectedExit?.(options.name, code, signal);
        setTimeout(() => {
          if (wanted && !stopped && child === undefined) child = spawnChild();
        }, RESPAWN_DELAY_MS).unref();
      }
    });
    return next;
  };

  const waitHealthy = async () => {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (stopped) throw new Error(`${options.name} was stopped while starting`);
      try {
        const answer = await fetch(options.healthUrl, { signal: AbortSignal.timeout(2_000) });
        if (answer.ok) return;
      } catch {
        // Not listening yet: poll again.
      }
      await sleep(HEALTH_POLL_MS);
    }
    throw new Error(
      `${options.name} did not answer ${options.healthUrl} within ${START_TIMEOUT_MS} ms: its log is ${options.logFile}`,
    );
  };

  const exit = async (signal: NodeJS.Signals) => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = once(current, 'exit');
    current.kill(signal);
    const escalate = setTimeout(() => current.kill('SIGKILL'), STOP_TIMEOUT_MS);
    try {
      await exited;
    } finally {
      clearTimeout(escalate);
    }
  };

  const killWithUs = () => child?.kill('SIGKILL');
  process.once('exit', killWithUs);

  return {
    name: options.name,
    get pid() {
      return child?.pid;
    },
    get starts() {
      return starts;
    },
    async start() {
      if (stopped) throw new Error(`${options.name} is stopped for good`);
      wanted = true;
      child ??= spawnChild();
      await waitHealthy();
    },
    async kill() {
      wanted = false;
      await exit('SIGKILL');
    },
    async stop() {
      stopped = true;
      wanted = false;
      await exit('SIGTERM');
      process.removeListener('exit', killWithUs);
      await new Promise<void>((resolve) => log.end(resolve));
    },
  };
}
