import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** What one command printed, and how it exited. */
export interface ShellResult {
  exitCode: number;
  output: string;
}

/**
 * One bash session fed on its standard input, as a terminal is by a user pasting: variables set by
 * one command are there for the next. Each command's output (stdout and stderr) ends at a marker
 * line carrying its exit code.
 */
export class InteractiveShell {
  readonly #bash: ChildProcessWithoutNullStreams;
  readonly #marker = `__changeflow_done_${randomBytes(6).toString('hex')}`;
  #buffer = '';
  #waiting: (() => void) | undefined;

  constructor(options: { cwd: string; env: NodeJS.ProcessEnv }) {
    this.#bash = spawn('bash', ['--noprofile', '--norc'], { cwd: options.cwd, env: options.env });
    const collect = (chunk: Buffer) => {
      this.#buffer += chunk.toString('utf8');
      this.#waiting?.();
    };
    this.#bash.stdout.on('data', collect);
    this.#bash.stderr.on('data', collect);
    // One stream, so a command's output and the marker after it arrive in order.
    this.#bash.stdin.write('exec 2>&1\n');
  }

  /** Runs `command` and resolves with its output once it has finished; rejects after `timeoutMs`. */
  async run(command: string, timeoutMs = 120_000): Promise<ShellResult> {
    const deadline = Date.now() + timeoutMs;
    this.#buffer = '';
    this.#bash.stdin.write(`${command}\necho "${this.#marker} $?"\n`);
    const pattern = new RegExp(`${this.#marker} (\\d+)\\n`);
    for (;;) {
      const match = this.#buffer.match(pattern);
      if (match) {
        return { exitCode: Number(match[1]), output: this.#buffer.slice(0, match.index) };
      }
      if (this.#bash.exitCode !== null) throw new Error(`bash exited (${this.#bash.exitCode}) during: ${command}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`still running after ${timeoutMs} ms: ${command}\n${this.#buffer}`);
      await new Promise<void>((resolve) => {
        this.#waiting = resolve;
        setTimeout(resolve, left).unref();
      });
    }
  }

  close(): void {
    this.#bash.stdin.end();
    this.#bash.kill();
  }
}
