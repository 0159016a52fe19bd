import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SOURCE_NODE_ARGS } from './source-node-args.js';

/** The repository root, from this file's place in it (`test-support/src/`), never from the cwd. */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The local SNS/SQS command, `npm run aws-local`'s script. */
const AWS_LOCAL_BIN = fileURLToPath(new URL('../../packages/aws/src/bin/aws-local.ts', import.meta.url));
/** Starting it loads tsx, the SDK and fastify: a few hundred ms here, so 30 s means something is wrong. */
const START_TIMEOUT_MS = 30_000;
/** How long `stop()` waits after SIGTERM before SIGKILL. */
const STOP_TIMEOUT_MS = 5_000;
/** Characters of the child's stderr kept to explain a failed start. */
const STDERR_TAIL_CHARS = 4_000;

/** Where the child listens and keeps its state. */
export interface AwsLocalProcessOptions {
  /**
   * TCP port on the loopback; `0` picks a free one. A restart on a data directory passes the port
   * the first start got, so queue URLs and every client stay valid.
   * @defaultValue 0
   */
  readonly port?: number;
  /**
   * Directory the emulator keeps its state in (`--data-dir`), so a restart on it, even after
   * SIGKILL, finds every queue, topic, subscription and message. Unset: in memory.
   * @defaultValue undefined
   */
  readonly dataDir?: string;
}

/** The local SNS/SQS running in a child process. */
export interface AwsLocalProcess {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number | undefined;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the child has exited. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash or an OOM kill would end it, with no chance to close its database; resolves once it has exited. */
  kill(): Promise<void>;
}

/**
 * Spawns `node --import tsx packages/aws/src/bin/aws-local.ts --port <port> --host 127.0.0.1
 * [--data-dir <dir>]` from the repository root and resolves with the endpoint from its first stdout
 * line, the pino line that announces it. If this process exits first, the child is killed with it.
 *
 * @example
 * const first = await startAwsLocalProcess({ dataDir });
 * await first.kill();
 * const again = await startAwsLocalProcess({ port: first.port, dataDir }); // the same queues and messages
 */
export async function startAwsLocalProcess(options: AwsLocalProcessOptions = {}): Promise<AwsLocalProcess> {
  const args = [AWS_LOCAL_BIN, '--port', String(options.port ?? 0), '--host', '127.0.0.1'];
  if (options.dataDir !== undefined) args.push('--data-dir', options.dataDir);
  const child = spawn(process.execPath, [...SOURCE_NODE_ARGS, ...args], {
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
    stopping ??= stopChild(child, 'SIGTERM').finally(() => process.removeListener('exit', killWithUs));
    return stopping;
  };
  const kill = () => {
    stopping ??= stopChild(child, 'SIGKILL').finally(() => process.removeListener('exit', killWithUs));
    return stopping;
  };

  try {
    const endpoint = await readEndpoint(child, () => stderrTail);
    return { endpoint, port: Number(new URL(endpoint).port), pid: child.pid, stop, kill };
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

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const escalate = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  try {
    await exited;
  } finally {
    clearTimeout(escalate);
  }
}
