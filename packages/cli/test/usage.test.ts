import { type ConsumerDatabase, migrateConsumer } from '@changeflow/consumer';
import { migrateOutbox, type OutboxDatabase } from '@changeflow/outbox';
import { startTcpProxy, uniquePrefix, useTestDatabase } from '@changeflow/test-support';
import { describe, expect, inject, it } from 'vitest';
import { cliEnv, runBinary, runInProcess } from './cli-harness.js';

const testDb = useTestDatabase<OutboxDatabase & ConsumerDatabase>('cli_usage', async (db) => {
  await migrateOutbox(db);
  await migrateConsumer(db);
});
const bareDb = useTestDatabase<OutboxDatabase>('cli_usage_bare');
const env = () => cliEnv(testDb().url, uniquePrefix('cli-usage'));

describe('changeflow --help', () => {
  it('lists every command, the exit codes and the environment (through the real binary)', async () => {
    const run = await runBinary(['--help'], env());
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: changeflow [options] [command]');
    for (const command of ['status', 'dlq', 'republish', 'migrate', 'topology', 'sync']) {
      expect(run.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    for (const option of ['--prefix <prefix>', '--database-url <url>', '--json']) expect(run.stdout).toContain(option);
    expect(run.stdout).toContain('0  ok: everything asked was done');
    expect(run.stdout).toContain('2  bad usage');
    expect(run.stdout).toContain('3  partial');
    for (const variable of [
      'DATABASE_URL',
      'INDEX_DATABASE_URL',
      'INDEX_SCHEMA',
      'CHANGEFLOW_PREFIX',
      'AWS_ENDPOINT_URL',
    ]) {
      expect(run.stdout).toContain(variable);
    }
  }, 120_000);

  it.each([
    [
      ['status', '--help'],
      ['Usage: changeflow status [options]', '--watch [seconds]'],
    ],
    [
      ['dlq', '--help'],
      [
        'Usage: changeflow dlq [options] [command]',
        'list [options] <worker>',
        'show <worker> <messageId>',
        'replay [options] <worker>',
        'purge [options] <worker>',
      ],
    ],
    [
      ['dlq', 'list', '--help'],
      ['Usage: changeflow dlq list [options] <worker>', '--limit <n>'],
    ],
    [['dlq', 'show', '--help'], ['Usage: changeflow dlq show [options] <worker> <messageId>']],
    [
      ['dlq', 'replay', '--help'],
      [
        '--all',
        '--id <messageId...>',
        '--reason <text>',
        '--dry-run',
        '--rate <n>',
        '"move-task"',
        'duplicatesPossible',
      ],
    ],
    [
      ['dlq', 'purge', '--help'],
      ['--yes', 'refuses without --yes'],
    ],
    [
      ['republish', '--help'],
      [
        '--from <n>',
        '--to <n>',
        '--type <objectType>',
        '--object <objectId>',
        '--since <time>',
        '--dry-run',
        '--rate <n>',
      ],
    ],
    [
      ['migrate', '--help'],
      ['Usage: changeflow migrate [options]', 'INDEX_DATABASE_URL'],
    ],
    [
      ['topology', '--help'],
      ['--apply', '--format <format>', 'choices: "text", "json", "cloudformation"'],
    ],
    [['sync', '--help'], ['--wait']],
  ])('%j shows its options', async (args, expected) => {
    const run = await runInProcess(args, env());
    expect(run.code).toBe(0);
    for (const text of expected) expect(run.stdout).toContain(text);
  });
});

describe('bad usage exits 2 saying what is accepted', () => {
  it.each([
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['status', '--bogus'], "unknown option '--bogus'"],
    [['status', '--watch', '0'], 'must be a number of seconds above 0'],
    [['topology', '--format', 'yaml'], 'Allowed choices are text, json, cloudformation'],
    [['dlq', 'list'], "missing required argument 'worker'"],
    [['dlq', 'list', 'reval-index', '--limit', '0'], 'must be a whole number of rows, 1 or more'],
    [['dlq', 'replay', 'reval-index', '--all', '--rate', '-1'], "option '--rate <n>' argument '-1' is invalid"],
    [
      ['dlq', 'replay', 'reval-index', '--all', '--method', 'teleport'],
      'Allowed choices are auto, move-task, receive-send',
    ],
    [['dlq', 'list', 'no-such-worker'], 'unknown worker "no-such-worker": the workers are reval-index, reval-sync'],
    [['topology', '--apply', '--format', 'cloudformation'], 'print the template without it'],
    [['republish', '--from', '9223372036854775808'], '--from must be a change number from 0 to 9223372036854775807'],
    [['republish', '--from', '1', '--to', '99999999999999999999'], '--to must be a change number from 0 to'],
    [
      ['republish', '--from', '1', '--type', 'doctor'],
      'unknown object type "doctor": the object types are trainee, gmc-doctor, recommendation',
    ],
  ])('%j', async (args, message) => {
    const run = await runInProcess(args, env());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('shows the help on stderr when no command is given', async () => {
    const run = await runInProcess([], env());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage: changeflow [options] [command]');
  });

  it('names a bad variable or flag of the configuration', async () => {
    const badEnv = await runInProcess(['status'], { ...env(), CHANGEFLOW_PREFIX: 'no spaces allowed' });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toContain('CHANGEFLOW_PREFIX = "no spaces allowed"');
    const badFlag = await runInProcess(['--prefix', 'bad/prefix', 'status'], env());
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain('CHANGEFLOW_PREFIX came from --prefix');
    const badUrl = await runInProcess(['status'], { ...env(), DATABASE_URL: 'mysql://x' });
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('must be a postgres:// or postgresql:// URL');
  });

  it('with --json, an error is also one JSON document on stdout', async () => {
    const run = await runInProcess(['dlq', 'list', 'nope', '--json'], env());
    expect(run.code).toBe(2);
    expect(run.json()).toEqual({
      error: { code: 'USAGE', message: 'unknown worker "nope": the workers are reval-index, reval-sync' },
    });
  });
});

describe('failures say what to do', () => {
  it('Postgres unreachable: exit 1, how to start it or set DATABASE_URL (through the real binary)', async () => {
    const run = await runBinary(['--database-url', 'postgres://postgres@127.0.0.1:9/nowhere', 'status'], env());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot reach Postgres at 127.0.0.1:9/nowhere');
    expect(run.stderr).toContain('or point DATABASE_URL (or --database-url) at a running one');
  }, 120_000);

  it('tables missing: exit 1, run changeflow migrate', async () => {
    const run = await runInProcess(['status'], cliEnv(bareDb().url, uniquePrefix('cli-usage')));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('relation "changes" does not exist');
    expect(run.stderr).toContain('`changeflow migrate`');
  });

  it('SNS/SQS unreachable: exit 1, names the endpoint and how to start it', async () => {
    const run = await runInProcess(['dlq', 'list', 'reval-index'], {
      ...env(),
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('SNS/SQS at http://127.0.0.1:9 is unreachable');
    expect(run.stderr).toContain('set AWS_ENDPOINT_URL');
  });

  it('SNS/SQS frozen: exit 1 at the time limit, naming it; the same command works once it answers', async () => {
    const proxy = await startTcpProxy(inject('awsEndpoint'));
    try {
      const frozenEnv = {
        ...env(),
        AWS_ENDPOINT_URL: proxy.endpoint,
        AWS_REQUEST_TIMEOUT_MS: '500',
        AWS_TOTAL_TIMEOUT_MS: '1500',
      };
      proxy.freeze();
      // Without a time limit this command never ends.
      const frozen = await runInProcess(['dlq', 'list', 'reval-index'], frozenEnv);
      expect(frozen.code).toBe(1);
      expect(frozen.stderr).toContain(`SNS/SQS at ${proxy.endpoint} does not answer within its time limit`);
      proxy.thaw();
      const thawed = await runInProcess(['dlq', 'list', 'reval-index'], frozenEnv);
      expect(thawed.stderr).not.toContain('does not answer');
    } finally {
      await proxy.close();
    }
  });
});
