import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createAwsClients } from '@changeflow/aws';
import { waitFor } from '@changeflow/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { type RestartableAwsLocal, startRestartableAwsLocal } from '../src/support/aws-endpoint.js';

// The soak's kill-sns-sqs fault: the emulator's process is SIGKILLed and comes back on the same
// endpoint with what it held.
let dataDir: string | undefined;
let emulator: RestartableAwsLocal | undefined;
afterAll(async () => {
  await emulator?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the soak emulator', () => {
  it('comes back on the same endpoint with its queues and messages after a SIGKILL', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'changeflow-soak-emulator-'));
    emulator = await startRestartableAwsLocal(dataDir);
    const before = createAwsClients({ endpoint: emulator.endpoint, region: 'us-east-1' });
    const { QueueUrl } = await before.sqs.send(new CreateQueueCommand({ QueueName: 'cf-soak-emulator-work' }));
    await before.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'kept' }));
    before.destroy();
    const killed = emulator.pid;

    await emulator.kill();
    expect(emulator.pid).toBeUndefined();
    await emulator.start();
    expect(emulator.pid).not.toBe(killed);
    const restarted = emulator.pid;
    await emulator.start();
    expect(emulator.pid, 'a start while running starts nothing').toBe(restarted);

    const after = createAwsClients({ endpoint: emulator.endpoint, region: 'us-east-1' });
    try {
      const message = await waitFor(async () => {
        const { Messages = [] } = await after.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
        return Messages[0];
      });
      expect(message.Body).toBe('kept');
    } finally {
      after.destroy();
    }
  });
});
