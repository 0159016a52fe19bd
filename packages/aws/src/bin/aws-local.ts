#!/usr/bin/env node
/**
 * `npm run aws-local -- --port 4566 [--data-dir <dir> [--fresh]]`: the local SNS/SQS in the
 * foreground until Ctrl-C. Prints one JSON log line with the endpoint when it is ready (the
 * benchmarks read it). With `--data-dir`, queues, topics, subscriptions and messages survive a
 * restart on the same directory, even after SIGKILL.
 */
import { Command, InvalidArgumentError } from 'commander';
import { pino } from 'pino';
import { startLocalAws } from '../local-aws.js';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('expected a whole number from 0 to 65535 (0 picks a free port)');
  }
  return port;
}

const program = new Command('aws-local')
  .description('Run the local SNS/SQS emulator (fauxqs) for development and tests')
  .option('-p, --port <port>', 'TCP port; 0 picks a free one', parsePort, 4566)
  .option(
    '--host <host>',
    'interface to listen on; anything but the loopback exposes an API that checks no credentials',
    '127.0.0.1',
  )
  .option('--data-dir <dir>', 'keep the state in this directory (SQLite), so it survives a restart; default: in memory')
  .option('--fresh', 'with --data-dir: delete the state kept there first')
  .showHelpAfterError();
program.parse();
const { port, host, dataDir, fresh } = program.opts<{
  port: number;
  host: string;
  dataDir?: string;
  fresh?: boolean;
}>();

const log = pino({ base: { component: 'aws-local' } });
try {
  const local = await startLocalAws({ port, host, dataDir, fresh });
  log.info(
    { endpoint: local.endpoint, dataDir, try: `AWS_ENDPOINT_URL=${local.endpoint} aws sqs list-queues` },
    'local SNS/SQS listening; Ctrl-C stops it',
  );
  let signals = 0;
  const stop = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(130);
    log.info(
      { signal, dataDir },
      dataDir === undefined
        ? 'stopping local SNS/SQS; every queue and message it held is gone'
        : 'stopping local SNS/SQS; its queues and messages stay in the data directory',
    );
    void local.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (err) {
  const code = (err as NodeJS.ErrnoException).code;
  const hint = code === 'EADDRINUSE' ? `: port ${port} is taken; stop what holds it or pass --port 0` : '';
  log.error({ err }, `cannot start the local SNS/SQS on ${host}:${port}${hint}`);
  process.exit(1);
}
