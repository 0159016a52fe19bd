import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  type CloudFormationTemplate,
  cloudFormationTemplate,
  type ProvisionedWorker,
  provision,
  type WorkerDeclaration,
  type WorkerTopology,
  workerTopology,
} from '@changeflow/consumer';
import { explainAwsError, UsageError } from '@changeflow/errors';
import { type Command, Option } from 'commander';
import type { CommandRunner } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';
import { formatTable } from '../output.js';

/** The result of `changeflow topology`: the names derived from the worker definitions. */
export interface TopologyResult {
  prefix: string;
  /** Queues, DLQs, topics and delivery settings per worker. */
  workers: WorkerTopology[];
  /** Distinct topics, sorted. */
  topics: string[];
}

/** The result of `changeflow topology --apply`: what exists now, with URLs and ARNs. */
export interface AppliedTopologyResult {
  prefix: string;
  applied: true;
  workers: ProvisionedWorker[];
}

/** The derived topology of `workers` under `prefix`; reads nothing, creates nothing. */
export function describeTopology(workers: readonly WorkerDeclaration[], prefix: string): TopologyResult {
  const topologies = workers.map((worker) => workerTopology(worker, prefix));
  return { prefix, workers: topologies, topics: [...new Set(topologies.flatMap((t) => t.topicNames))].sort() };
}

/** The same topology as a CloudFormation template, for production. */
export function topologyTemplate(workers: readonly WorkerDeclaration[], prefix: string): CloudFormationTemplate {
  return cloudFormationTemplate(workers, prefix);
}

/**
 * Creates (idempotently) every topic, queue, DLQ, policy and subscription the workers need, via
 * `provision` from `@changeflow/consumer`; attributes that drifted are set back.
 */
export async function applyTopology(
  clients: { sns: SNSClient; sqs: SQSClient; endpoint: string | undefined },
  workers: readonly WorkerDeclaration[],
  prefix: string,
): Promise<AppliedTopologyResult> {
  try {
    return { prefix, applied: true, workers: await provision(clients, workers, prefix) };
  } catch (err) {
    throw explainAwsError(err, clients.endpoint, `provision the topology of prefix ${prefix}`);
  }
}

/** `topology` for people. */
export function renderTopology(result: TopologyResult): string {
  return [
    `Topology for prefix ${result.prefix} (derived from the worker definitions)`,
    '',
    formatTable(
      ['WORKER', 'QUEUE', 'DLQ', 'VISIBILITY', 'MAX RECEIVES', 'TOPICS'],
      result.workers.map((worker) => [
        worker.worker,
        worker.queueName,
        worker.deadLetterQueueName,
        `${worker.visibilityTimeoutSeconds} s`,
        String(worker.maxReceiveCount),
        worker.topicNames.join(', '),
      ]),
    ),
    '',
    'Create it with `changeflow topology --apply`, or as CloudFormation with `--format cloudformation`.',
  ].join('\n');
}

/** `topology --apply` for people. */
export function renderAppliedTopology(result: AppliedTopologyResult): string {
  return [
    `Provisioned prefix ${result.prefix} (idempotent: running it again changes nothing)`,
    '',
    formatTable(
      ['WORKER', 'QUEUE URL', 'DLQ URL', 'TOPICS'],
      result.workers.map((worker) => [
        worker.worker,
        worker.queueUrl,
        worker.deadLetterQueueUrl,
        String(worker.topicNames.length),
      ]),
    ),
  ].join('\n');
}

/** `changeflow topology [--apply | --format text|json|cloudformation]`. */
export function registerTopologyCommand(program: Command, run: CommandRunner): void {
  program
    .command('topology')
    .description('the SNS/SQS topology derived from the worker definitions: print it, or --apply it')
    .option('--apply', 'create topics, queues, DLQs and subscriptions (idempotent)')
    .addOption(
      new Option('--format <format>', 'how to print it').choices(['text', 'json', 'cloudformation']).default('text'),
    )
    .action(
      run(async (context, options: { apply?: boolean; format: 'text' | 'json' | 'cloudformation' }) => {
        const { prefix } = context.config;
        const isJson = context.output.isJson || options.format === 'json';
        if (options.apply) {
          if (options.format === 'cloudformation') {
            throw new UsageError('--apply provisions directly; print the template without it: --format cloudformation');
          }
          const result = await applyTopology(context.aws(), context.workers, prefix);
          context.output.write(isJson ? JSON.stringify(result) : renderAppliedTopology(result));
          return EXIT_CODES.ok;
        }
        if (options.format === 'cloudformation') {
          context.output.write(JSON.stringify(topologyTemplate(context.workers, prefix), null, 2));
          return EXIT_CODES.ok;
        }
        const result = describeTopology(context.workers, prefix);
        context.output.write(isJson ? JSON.stringify(result) : renderTopology(result));
        return EXIT_CODES.ok;
      }),
    );
}
