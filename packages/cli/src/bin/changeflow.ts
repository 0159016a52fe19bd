#!/usr/bin/env node
/**
 * The `changeflow` command. `npm run changeflow -- <command>` from the repository root, or
 * `npx changeflow <command>` in the workspace. See `changeflow --help` and packages/cli/README.md.
 */
import { runCli } from '../program.js';

// `changeflow dlq list … | head`: a reader that goes away is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const controller = new AbortController();
let signals = 0;
const onSignal = (signal: NodeJS.Signals) => {
  signals += 1;
  // A second signal exits at once; the first lets the command stop after the batch in hand.
  if (signals > 1) process.exit(130);
  process.stderr.write(`changeflow: ${signal}: stopping after the batch in hand (again to exit at once)\n`);
  controller.abort(new Error(`interrupted by ${signal}`));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
});
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
