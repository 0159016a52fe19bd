import { workerTopology } from '@changeflow/consumer';
import type { Outbox } from '@changeflow/outbox';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createRevalWorkers, DEFAULT_DESIGNATED_BODIES, REVAL_WORKERS, type RevalDatabase } from '../src/index.js';

describe('the reval workers', () => {
  it('are plain data: names, topics and tuning with no handler and no connection', () => {
    expect(REVAL_WORKERS.map((worker) => worker.name)).toEqual(['reval-index', 'reval-sync']);
    for (const worker of REVAL_WORKERS) {
      expect(worker).not.toHaveProperty('handle');
      expect(JSON.parse(JSON.stringify(worker))).toEqual(worker);
    }
    expect(REVAL_WORKERS.map((worker) => workerTopology(worker, 'p').queueName)).toEqual([
      'p-reval-index',
      'p-reval-sync',
    ]);
  });

  it('get their handlers bound at start, one per declaration, tuning unchanged', () => {
    // Nothing connects until a handler runs: collaborators are only held.
    const held = {} as Kysely<RevalDatabase>;
    const workers = createRevalWorkers({
      primaryDb: held,
      indexDb: held as Kysely<unknown>,
      indexSchema: 'reval_index',
      designatedBodies: DEFAULT_DESIGNATED_BODIES,
      outbox: {} as Outbox<RevalDatabase>,
    });
    expect(workers.map(({ handle: _handle, ...declaration }) => declaration)).toEqual(REVAL_WORKERS);
    for (const worker of workers) expect(typeof worker.handle).toBe('function');
  });
});
