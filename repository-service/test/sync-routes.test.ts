import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { READ, useTestService, WRITE } from './support.js';

const service = useTestService('syncroutes');

describe('the sync API', () => {
  it('starts a sync with 202, answers 409 with the running id while it runs, and shows it by id', async () => {
    const { app, db } = service();
    const started = await app.inject({ method: 'POST', url: '/api/sync', headers: WRITE });
    expect(started.statusCode).toBe(202);
    const job = started.json();
    expect(job).toMatchObject({ state: 'pending', step: 'build-master', counts: {}, finishedAt: null });
    expect(started.headers.location).toBe(`/api/sync/${job.id}`);
    // Its first step travels as a change message through the outbox.
    const changes = await db.selectFrom('changes').selectAll().where('object_type', '=', 'sync-job').execute();
    expect(changes.map((change) => change.object_id)).toEqual([job.id]);

    const again = await app.inject({ method: 'POST', url: '/api/sync', headers: WRITE });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: 'Conflict', runningId: job.id });

    const shown = await app.inject({ method: 'GET', url: `/api/sync/${job.id}`, headers: READ });
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toMatchObject({ id: job.id, state: 'pending' });
    await sql`update reval_sync_job set state = 'failed'`.execute(db);
  });

  it('answers 404 for an unknown sync, 400 for a bad id and 403 for the read token on POST', async () => {
    const { app } = service();
    expect((await app.inject({ method: 'GET', url: '/api/sync/999999', headers: READ })).statusCode).toBe(404);
    const bad = await app.inject({ method: 'GET', url: '/api/sync/abc', headers: READ });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0].path).toBe('params.id');
    expect((await app.inject({ method: 'POST', url: '/api/sync', headers: READ })).statusCode).toBe(403);
  });
});
