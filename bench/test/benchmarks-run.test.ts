import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { SOURCE_NODE_ARGS } from '@changeflow/test-support';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs `npm run bench -- <args>` as the README says, and returns its exit code and its JSON line. */
async function runBenchmark(
  args: readonly string[],
): Promise<{ code: number | null; figures: unknown; stderr: string }> {
  const child = spawn(process.execPath, [...SOURCE_NODE_ARGS, 'bench/src/run.ts', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((text) => text.startsWith('{"bench"'));
  return { code, figures: line === undefined ? undefined : JSON.parse(line), stderr };
}

// Smoke runs, not measurements: the figures' values mean nothing at these sizes, only that each
// benchmark the README names still runs to its JSON line (one broke silently before).
describe('the benchmarks run to their JSON line', () => {
  it('outbox: every recording form, a drain and one steady rate', { timeout: 120_000 }, async () => {
    const run = await runBenchmark([
      'outbox',
      ...['--transactions', '100', '--writers', '2', '--rounds', '1', '--backlog', '1000'],
      ...['--rates', '20', '--seconds', '1'],
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.figures).toMatchObject({
      bench: 'outbox',
      oneStatementRatio: expect.any(Number),
      oneStatementRatioWithFastPath: expect.any(Number),
      writeOverheadRatio: expect.any(Number),
      publishChanges: 1000,
      latency20Failed: 0,
    });
  });

  it('projection: new and repeated documents', { timeout: 120_000 }, async () => {
    const run = await runBenchmark(['projection', '--doctors', '50']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.figures).toMatchObject({
      bench: 'projection',
      masterRows: 50,
      createDocumentsPerSecond: expect.any(Number),
      repeatDocumentsPerSecond: expect.any(Number),
      createHandlerCpuMsPerThousandDocuments: expect.any(Number),
    });
  });
});
