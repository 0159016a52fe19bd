import { ConfigError } from '@changeflow/errors';
import { describe, expect, it } from 'vitest';
import { backoffSeconds, cloudFormationTemplate, defineWorker, workerTopology } from '../src/index.js';

const handle = async () => {};

describe('defineWorker', () => {
  it('fills the defaults', () => {
    const worker = defineWorker({ name: 'doctor-index', subscribesTo: ['trainee'], handle });
    expect(worker).toMatchObject({
      maxLocks: 1,
      concurrency: 10,
      visibilityTimeoutSeconds: 30,
      maxReceiveCount: 5,
      schedule: '* * * * * *',
    });
  });

  it('names every bad field with its value and the reason', () => {
    const attempt = () =>
      defineWorker({
        name: 'Doctor Index',
        subscribesTo: [],
        handle,
        maxLocks: 0,
        schedule: 'every minute',
        backoffBaseSeconds: 600,
        maxBackoffSeconds: 60,
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/name = "Doctor Index": must be 1-63 lower-case/);
    expect(attempt).toThrow(/subscribesTo = \[\]/);
    expect(attempt).toThrow(/maxLocks = 0/);
    expect(attempt).toThrow(/schedule = "every minute": must be a cron expression/);
  });

  it('rejects a backoff base above its cap', () => {
    expect(() =>
      defineWorker({ name: 'w', subscribesTo: ['t'], handle, backoffBaseSeconds: 600, maxBackoffSeconds: 60 }),
    ).toThrow(/backoffBaseSeconds = 600: must not exceed maxBackoffSeconds/);
  });
});

describe('backoffSeconds', () => {
  it('grows with every delivery, within its jitter band, up to the cap', () => {
    for (let round = 0; round < 200; round += 1) {
      const delays = [1, 2, 3, 4, 5, 6].map((attempt) => backoffSeconds(attempt, 2, 40));
      delays.forEach((delay, index) => {
        const full = 2 * 2 ** index;
        expect(delay).toBeGreaterThanOrEqual(Math.min(40, full / 2));
        expect(delay).toBeLessThanOrEqual(Math.min(40, full));
      });
      for (let i = 1; i < delays.length; i += 1) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1] ?? 0);
    }
  });
});

describe('topology', () => {
  it('derives queue, dead-letter queue and topic names from the worker', () => {
    const worker = defineWorker({
      name: 'doctor-index',
      subscribesTo: ['trainee', 'gmc-doctor'],
      handle,
      maxReceiveCount: 7,
    });
    expect(workerTopology(worker, 'cf')).toEqual({
      worker: 'doctor-index',
      queueName: 'cf-doctor-index',
      deadLetterQueueName: 'cf-doctor-index-dlq',
      topicNames: ['cf-trainee', 'cf-gmc-doctor'],
      visibilityTimeoutSeconds: 30,
      maxReceiveCount: 7,
    });
  });

  it('exports the same topology as a CloudFormation template', () => {
    const a = defineWorker({ name: 'doctor-index', subscribesTo: ['trainee', 'gmc-doctor'], handle });
    const b = defineWorker({ name: 'recommendation-index', subscribesTo: ['trainee'], handle, maxReceiveCount: 3 });
    const template = cloudFormationTemplate([a, b], 'cf');
    const byType = (type: string) => Object.values(template.Resources).filter((resource) => resource.Type === type);
    expect(byType('AWS::SNS::Topic').map((topic) => topic.Properties.TopicName)).toEqual([
      'cf-trainee',
      'cf-gmc-doctor',
    ]);
    expect(
      byType('AWS::SQS::Queue')
        .map((queue) => queue.Properties.QueueName)
        .sort(),
    ).toEqual(['cf-doctor-index', 'cf-doctor-index-dlq', 'cf-recommendation-index', 'cf-recommendation-index-dlq']);
    expect(byType('AWS::SNS::Subscription')).toHaveLength(3);
    expect(byType('AWS::SNS::Subscription').every((s) => s.Properties.RawMessageDelivery === true)).toBe(true);
    expect(template.Resources.QueueRecommendationIndex?.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['DeadLetterQueueRecommendationIndex', 'Arn'] },
      maxReceiveCount: 3,
    });
  });
});
