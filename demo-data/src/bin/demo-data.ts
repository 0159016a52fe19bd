/**
 * `npm run demo-data -- --doctors 2000 --seed demo`: generates reval demo data and loads it into the
 * repository-service (`--out demo.ndjson` writes NDJSON files instead). Exit status: 0 done, 1 the load
 * failed or records were rejected, 2 bad arguments. Ctrl-C aborts the requests in flight.
 */
import { readCommandLine } from '../command-line.js';
import { createProgress, formatSummary, LoadError, loadDemoData, silentProgress, writeDemoFiles } from '../index.js';

const commandLine = readCommandLine(process.argv.slice(2), process.env, process.stderr);
if (commandLine.kind === 'exit') process.exit(commandLine.exitCode);
const { run } = commandLine;
const progress = run.quiet ? silentProgress : createProgress(process.stderr);

const abort = new AbortController();
process.once('SIGINT', () => {
  process.stderr.write('\nstopping (Ctrl-C again to exit at once)\n');
  abort.abort();
  process.once('SIGINT', () => process.exit(130));
});

try {
  if (run.mode === 'write') {
    const files = await writeDemoFiles({ ...run.generate, out: run.out }, progress);
    for (const file of files)
      process.stdout.write(`${file.kind.padEnd(20)}${String(file.records).padStart(10)}  ${file.path}\n`);
  } else {
    const summary = await loadDemoData(
      {
        ...run.generate,
        url: run.url,
        token: run.token,
        recordsPerRequest: run.recordsPerRequest,
        concurrency: run.concurrency,
      },
      { progress, signal: abort.signal },
    );
    process.stdout.write(`${formatSummary(summary)}\n`);
    if (summary.kinds.some((kind) => kind.rejected > 0)) process.exitCode = 1;
  }
} catch (err) {
  if (err instanceof LoadError) {
    process.stderr.write(`demo-data: ${err.message}\n`);
  } else if (abort.signal.aborted) {
    process.stderr.write(
      'demo-data: stopped before the load finished; what the service committed stays; run again with the same seed to complete it\n',
    );
  } else {
    process.stderr.write(`demo-data: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exitCode = 1;
}
