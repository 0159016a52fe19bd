import type { WorkerDeclaration } from './define-worker.js';
import { workerTopology } from './topology.js';

/** A CloudFormation template, as a plain object ready for `JSON.stringify`. */
export interface CloudFormationTemplate {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  Outputs: Record<string, { Value: unknown }>;
}

/**
 * The same topology as {@link provision}, as a CloudFormation template for production: topics,
 * queues with their DLQs and RedrivePolicy, queue policies and raw-delivery subscriptions. Derived
 * from the same worker definitions, so code and infrastructure cannot drift apart.
 */
export function cloudFormationTemplate(workers: readonly WorkerDeclaration[], prefix: string): CloudFormationTemplate {
  const resources: CloudFormationTemplate['Resources'] = {};
  const outputs: CloudFormationTemplate['Outputs'] = {};
  const topicIds = new Map<string, string>();
  for (const worker of workers) {
    for (const [index, name] of workerTopology(worker, prefix).topicNames.entries()) {
      const objectType = worker.subscribesTo[index] ?? name;
      if (topicIds.has(name)) continue;
      const id = `Topic${logicalId(objectType)}`;
      topicIds.set(name, id);
      resources[id] = { Type: 'AWS::SNS::Topic', Properties: { TopicName: name } };
      outputs[`${id}Arn`] = { Value: { Ref: id } };
    }
  }
  for (const worker of workers) {
    const names = workerTopology(worker, prefix);
    const base = logicalId(worker.name);
    const queueId = `Queue${base}`;
    const dlqId = `DeadLetterQueue${base}`;
    const topicRefs = names.topicNames.map((name) => ({ Ref: topicIds.get(name) }));
    resources[dlqId] = {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: names.deadLetterQueueName, MessageRetentionPeriod: 1_209_600 },
    };
    resources[queueId] = {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: names.queueName,
        VisibilityTimeout: names.visibilityTimeoutSeconds,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
          maxReceiveCount: names.maxReceiveCount,
        },
      },
    };
    resources[`QueuePolicy${base}`] = {
      Type: 'AWS::SQS::QueuePolicy',
      Properties: {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'sns.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
              Condition: { ArnEquals: { 'aws:SourceArn': topicRefs } },
            },
          ],
        },
      },
    };
    for (const [index, topicRef] of topicRefs.entries()) {
      resources[`Subscription${base}${logicalId(worker.subscribesTo[index] ?? String(index))}`] = {
        Type: 'AWS::SNS::Subscription',
        Properties: {
          TopicArn: topicRef,
          Protocol: 'sqs',
          Endpoint: { 'Fn::GetAtt': [queueId, 'Arn'] },
          RawMessageDelivery: true,
        },
      };
    }
    outputs[`${queueId}Url`] = { Value: { Ref: queueId } };
    outputs[`${dlqId}Url`] = { Value: { Ref: dlqId } };
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Changeflow topology for prefix ${prefix}: topics, worker queues, dead-letter queues, subscriptions`,
    Resources: resources,
    Outputs: outputs,
  };
}

/** `doctor-index` → `DoctorIndex`: CloudFormation logical ids are alphanumeric. */
function logicalId(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
}
