import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

/** Busy processes started by the benchmark itself, so a run "with one core taken" is repeatable. */
export interface BackgroundLoad {
  /** How many processes are spinning. */
  readonly processes: number;
  /** Kills them and resolves when every one has exited. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The spin: a loop that never yields keeps one core at 100 % for as long as the process lives. It
 * does nothing else (no memory, no I/O), so it competes with the services for the CPU alone, as a
 * neighbour batch job or a noisy VM would.
 */
const SPIN = 'for (;;) {}';

/**
 * Starts `count` processes that each keep one core busy until {@link BackgroundLoad.stop}. With
 * `count` 0 it starts nothing. They are killed with SIGKILL: a spinning loop never reaches a handler,
 * and there is nothing to clean up.
 */
export async function startBackgroundLoad(count: number): Promise<BackgroundLoad> {
  const children: ChildProcess[] = [];
  for (let i = 0; i < count; i += 1) {
    const child = spawn(process.execPath, ['-e', SPIN], { stdio: 'ignore' });
    children.push(child);
    await once(child, 'spawn');
  }
  let stopping: Promise<void> | undefined;
  return {
    processes: count,
    stop() {
      stopping ??= Promise.all(
        children.map(async (child) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = once(child, 'exit');
          child.kill('SIGKILL');
          await exited;
        }),
      ).then(() => undefined);
      return stopping;
    },
  };
}
