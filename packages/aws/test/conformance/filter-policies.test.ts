import { type MessageAttributeValue, PublishCommand } from '@aws-sdk/client-sns';
import { describe, it } from 'vitest';
import { receiveMessages, receiveNothing } from './conformance-helpers.js';
import { useConformanceAws } from './use-conformance-aws.js';

// Pins the filter-policy operators on message attributes that topology may use to route changes:
// each case subscribes one queue with one policy, publishes messages that should and should not pass,
// and checks the queue got exactly the ones that should.
const aws = useConformanceAws('filters');

/** A message to publish: its body (used as its name) and attributes. */
interface Candidate {
  body: string;
  attributes: Record<string, MessageAttributeValue>;
}

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
const number = (value: number): MessageAttributeValue => ({ DataType: 'Number', StringValue: String(value) });

/** One filter-policy case: what is published through the policy and which of it must arrive. */
interface FilterCase {
  name: string;
  /** Names the case's topic and queue. */
  label: string;
  filterPolicy: Record<string, unknown>;
  candidates: readonly Candidate[];
  /** Bodies of the candidates the policy lets through. */
  expected: readonly string[];
}

const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

const cases: readonly FilterCase[] = [
  {
    name: 'matches exact values, any of several',
    label: 'exact',
    filterPolicy: { objectType: ['trainee', 'doctor'] },
    candidates: [
      { body: 'trainee', attributes: { objectType: text('trainee') } },
      { body: 'doctor', attributes: { objectType: text('doctor') } },
      { body: 'trainees', attributes: { objectType: text('trainees') } },
      { body: 'other-attribute', attributes: { changeType: text('trainee') } },
      { body: 'none', attributes: {} },
    ],
    expected: ['doctor', 'trainee'],
  },
  {
    name: 'matches a prefix',
    label: 'prefix',
    filterPolicy: { objectType: [{ prefix: 'reval.' }] },
    candidates: [
      { body: 'reval.doctor', attributes: { objectType: text('reval.doctor') } },
      { body: 'reval.', attributes: { objectType: text('reval.') } },
      { body: 'revalidation', attributes: { objectType: text('revalidation') } },
      { body: 'other.reval.doctor', attributes: { objectType: text('other.reval.doctor') } },
    ],
    expected: ['reval.', 'reval.doctor'],
  },
  {
    name: 'matches anything but the listed values, and not a message without the attribute',
    label: 'anything-but',
    filterPolicy: { changeType: [{ 'anything-but': ['DELETE'] }] },
    candidates: [
      { body: 'CREATE', attributes: { changeType: text('CREATE') } },
      { body: 'UPDATE', attributes: { changeType: text('UPDATE') } },
      { body: 'DELETE', attributes: { changeType: text('DELETE') } },
      { body: 'absent', attributes: { objectType: text('trainee') } },
    ],
    expected: ['CREATE', 'UPDATE'],
  },
  {
    name: 'matches a numeric range, bounds as written (>= 10, < 20)',
    label: 'numeric',
    filterPolicy: { objectVersion: [{ numeric: ['>=', 10, '<', 20] }] },
    candidates: [
      { body: 'v9', attributes: { objectVersion: number(9) } },
      { body: 'v10', attributes: { objectVersion: number(10) } },
      { body: 'v19.5', attributes: { objectVersion: number(19.5) } },
      { body: 'v20', attributes: { objectVersion: number(20) } },
    ],
    expected: ['v10', 'v19.5'],
  },
  {
    name: 'matches on an attribute that exists',
    label: 'exists-true',
    filterPolicy: { traceparent: [{ exists: true }] },
    candidates: [
      {
        body: 'traced',
        attributes: { traceparent: text(traceparent) },
      },
      { body: 'untraced', attributes: { objectType: text('trainee') } },
    ],
    expected: ['traced'],
  },
  {
    name: 'matches on an attribute that does not exist',
    label: 'exists-false',
    filterPolicy: { traceparent: [{ exists: false }] },
    candidates: [
      {
        body: 'traced',
        attributes: { traceparent: text(traceparent) },
      },
      { body: 'untraced', attributes: { objectType: text('trainee') } },
      { body: 'bare', attributes: {} },
    ],
    // AWS: "exists": false matches only a message with at least one attribute; a message with none
    // passes no policy (SNS developer guide, "Key matching"). fauxqs 1.x let it through; 2.x does not.
    expected: ['untraced'],
  },
  {
    name: 'requires every key of the policy to match',
    label: 'and',
    filterPolicy: { objectType: ['trainee'], changeType: [{ 'anything-but': ['DELETE'] }] },
    candidates: [
      { body: 'both', attributes: { objectType: text('trainee'), changeType: text('UPDATE') } },
      { body: 'deleted', attributes: { objectType: text('trainee'), changeType: text('DELETE') } },
      { body: 'doctor', attributes: { objectType: text('doctor'), changeType: text('UPDATE') } },
      { body: 'half', attributes: { objectType: text('trainee') } },
    ],
    expected: ['both'],
  },
];

/**
 * Subscribes a fresh queue to a fresh topic with the case's policy, publishes every candidate, and
 * returns the bodies that arrived, sorted: it waits for as many as the case expects, then takes
 * whatever else follows within a second.
 */
async function deliveredThrough(filterCase: FilterCase): Promise<string[]> {
  const { sns, sqs } = aws();
  const topicArn = await aws().createTopic(filterCase.label);
  const queue = await aws().createQueue(filterCase.label);
  await aws().subscribeQueue(topicArn, queue, { filterPolicy: filterCase.filterPolicy });
  for (const candidate of filterCase.candidates) {
    await sns.send(
      new PublishCommand({ TopicArn: topicArn, Message: candidate.body, MessageAttributes: candidate.attributes }),
    );
  }
  const received = await receiveMessages(sqs, queue.url, { count: filterCase.expected.length });
  const extra = await receiveNothing(sqs, queue.url);
  return [...received, ...extra].map((message) => message.Body ?? '').sort();
}

// Each case has its own topic and queue, so they run concurrently.
describe.concurrent('filter policies on message attributes', () => {
  for (const filterCase of cases) {
    it(filterCase.name, async ({ expect }) => {
      expect(await deliveredThrough(filterCase)).toEqual([...filterCase.expected].sort());
    });
  }
});
