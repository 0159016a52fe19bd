import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SOURCE_NODE_ARGS } from '@changeflow/test-support';

/** The repository root, from this file's place in it (`bench/src/support/`), never from the cwd. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The local SNS/SQS command, `npm run aws-local`'s script. */
const AWS_LOCAL_BIN = fileURLToPath(new URL('../../../packages/aws/src/bin/aws-local.ts', import.meta.url));
/** Starting it loads tsx, the SDK and fastify: a few hundred ms here, so 30 s means something is wrong. */
const START_TIMEOUT_MS = 30_000;
/** How long `stop()` waits after SIGTERM before SIGKILL. */
const STOP_TIMEOUT_MS = 5_000;
/** Characters of the child's stderr kept to explain a failed start. */
const STDERR_TAIL_CHARS = 4_000;

/** An SNS/SQS endpoint for a benchmark to use. */
export interface BenchAwsEndpoint {
  /** `http://127.0.0.1:<port>` for the spawned emulator, or `AWS_ENDPOINT_URL` as given. */
  readonly endpoint: string;
  /** Where the endpoint came from, for the report. */
  readonly source: 'spawned' | 'AWS_ENDPOINT_URL';
  /** Stops the emulator if this process spawned it (waiting for it to exit); otherwise does nothing. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The endpoint a benchmark measures: `AWS_ENDPOINT_URL` when set (LocalStack, a running
 * `npm run aws-local`, AWS), otherwise a fresh local SNS/SQS in its own child process, so the
 * emulator's CPU is not the benchmark's.
 *
 * @example
 * const local = await openBenchAwsEndpoint();
 * try {
 *   const aws = createAwsClients({ endpoint: local.endpoint });
 * } finally {
 *   await local.stop();
 * }
 */
export async function openBenchAwsEndpoint(env: NodeJS.ProcessEnv = process.env): Promise<BenchAwsEndpoint> {
  const configured = env.AWS_ENDPOINT_URL?.trim();
  if (configured) return { endpoint: configured, source: 'AWS_ENDPOINT_URL', stop: async () => {} };
  return { ...(await startAwsLocalProcess()), source: 'spawned' };
}

/** The local SNS/SQS running in a child process. */
export interface AwsLocalProcess {
  readonly endpoint: string;
  readonly pid: number | undefined;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the child has exited. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Spawns `node --import tsx packages/aws/src/bin/aws-local.ts --port 0 --host 127.0.0.1` from the
 * repository root and resolves with the endpoint from its first stdout line, the pino line that
 * announces it. If this process exits first, the child is killed with it.
 */
export async function startAwsLocalProcess(): Promise<AwsLocalProcess> {
  const child = spawn(process.execPath, [...SOURCE_NODE_ARGS, AWS_LOCAL_BIN, '--port', '0', '--host', '127.0.0.1'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a terminal's Ctrl-C reaches only the benchmark, which then deletes its
    // topics and queues while the emulator is still up and stops it last.
    detached: true,
  });
  const killWithUs = () => child.kill('SIGKILL');
  process.once('exit', killWithUs);
  let stderrTail = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
  });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= stopChild(child).finally(() => process.removeListener('exit', killWithUs));
    return stopping;
  };

  try {
    const endpoint = await readEndpoint(child, () => stderrTail);
    return { endpoint, pid: child.pid, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function readEndpoint(child: ChildProcess, stderrTail: () => string): Promise<string> {
  if (!child.stdout) throw new Error('the local SNS/SQS child has no stdout pipe');
  // The reader keeps consuming stdout after the first line, so the child never blocks on a full pipe.
  const lines = createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY });
  const explain = () => (stderrTail().trim() ? `; its stderr ends with:\n${stderrTail().trim()}` : '');
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new Error(
          `the local SNS/SQS (${AWS_LOCAL_BIN}) announced no endpoint within ${START_TIMEOUT_MS} ms${explain()}`,
        ),
      );
    }, START_TIMEOUT_MS);
    const settle = () => {
      clearTimeout(timer);
      child.removeListener('exit', onExit);
      child.removeListener('error', onError);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      settle();
      reject(
        new Error(
          `the local SNS/SQS exited (${signal ?? `code ${code}`}) before announcing its endpoint: ` +
            `run \`npm run aws-local -- --port 0\` to see why${explain()}`,
        ),
      );
    };
    const onError = (err: Error) => {
      settle();
      reject(new Error(`cannot start the local SNS/SQS with ${process.execPath}: ${err.message}`, { cause: err }));
    };
    child.once('exit', onExit);
    child.once('error', onError);
    lines.once('line', (line) => {
      settle();
      const endpoint = endpointOf(line);
      if (endpoint) resolve(endpoint);
      else reject(new Error(`the local SNS/SQS's first line has no endpoint: ${line}${explain()}`));
    });
  });
}

/** The `endpoint` field of a pino JSON line, if it is one and has it. */
function endpointOf(line: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || !('endpoint' in parsed)) return undefined;
  return typeof parsed.endpoint === 'string' ? parsed.endpoint : undefined;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const escalate = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  try {
    await exited;
  } finally {
    clearTimeout(escalate);
  }
}
