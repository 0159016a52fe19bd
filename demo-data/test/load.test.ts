import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { generateRecords, LoadError, type LoadOptions, loadDemoData } from '../src/index.js';
import { type ServiceDouble, startServiceDouble } from './service-double.js';

const WRITE_TOKEN = 'write-secret';
const READ_TOKEN = 'read-secret';
const GENERATE = { doctors: 300, seed: 'load-test', today: '2026-03-15' } as const;

let service: ServiceDouble | null = null;

afterEach(async () => {
  await service?.close();
  service = null;
});

async function start(rejectRecord?: (path: string, record: unknown) => string | null): Promise<ServiceDouble> {
  service = await startServiceDouble({ writeToken: WRITE_TOKEN, readToken: READ_TOKEN, rejectRecord });
  return service;
}

function options(url: string, extra: Partial<LoadOptions> = {}): LoadOptions {
  return { ...GENERATE, url, token: WRITE_TOKEN, ...extra };
}

function count(kind: Parameters<typeof generateRecords>[0]): number {
  let n = 0;
  for (const _ of generateRecords(kind, GENERATE)) n++;
  return n;
}

describe('loadDemoData', () => {
  it('streams every kind as chunked NDJSON and reports what the service accepted', async () => {
    const double = await start();
    const summary = await loadDemoData(options(double.url, { recordsPerRequest: 100 }));

    const expected = {
      trainees: count('trainees'),
      'gmc-doctors': count('gmc-doctors'),
      recommendations: count('recommendations'),
      'connection-failures': count('connection-failures'),
    };
    expect(summary.kinds.map((k) => [k.kind, k.sent, k.received, k.accepted, k.rejected])).toEqual([
      ['trainees', expected.trainees, expected.trainees, expected.trainees, 0],
      ['gmc-doctors', expected['gmc-doctors'], expected['gmc-doctors'], expected['gmc-doctors'], 0],
      ['recommendations', expected.recommendations, expected.recommendations, expected.recommendations, 0],
      [
        'connection-failures',
        expected['connection-failures'],
        expected['connection-failures'],
        expected['connection-failures'],
        0,
      ],
    ]);
    expect(double.lines.get('/api/tcs/trainees')).toEqual([...generateRecords('trainees', GENERATE)]);
    expect(double.lines.get('/api/gmc/doctors')).toEqual([...generateRecords('gmc-doctors', GENERATE)]);
    expect(double.lines.get('/api/recommendations')).toEqual([...generateRecords('recommendations', GENERATE)]);
    expect(double.connectionFailures).toHaveLength(expected['connection-failures']);
    expect(new Set(double.connectionFailures)).toEqual(new Set([...generateRecords('connection-failures', GENERATE)]));

    const traineeRequests = double.requests.get('/api/tcs/trainees') ?? [];
    expect(traineeRequests).toHaveLength(Math.ceil(expected.trainees / 100));
    expect(summary.kinds[0]?.requests).toBe(traineeRequests.length);
    for (const request of traineeRequests) {
      // A stream body goes out with chunked transfer encoding: no Content-Length, never one big string.
      expect(request).toMatchObject({ contentType: 'application/x-ndjson', transferEncoding: 'chunked' });
      expect(request.lines).toBeLessThanOrEqual(100);
    }
  });

  it('sends one request per kind when recordsPerRequest is 0', async () => {
    const double = await start();
    await loadDemoData(options(double.url, { recordsPerRequest: 0 }));
    expect(double.requests.get('/api/gmc/doctors')).toEqual([
      { contentType: 'application/x-ndjson', transferEncoding: 'chunked', lines: count('gmc-doctors') },
    ]);
  });

  it('numbers rejected lines within their kind across requests, and counts rejected PUTs', async () => {
    const gmcNumbers = [...generateRecords('gmc-doctors', GENERATE)].map((doctor) => doctor.gmcReferenceNumber);
    const rejectedGmcNumber = gmcNumbers[149];
    const failures = [...generateRecords('connection-failures', GENERATE)];
    const rejectedFailure = failures[0]?.gmcReferenceNumber;
    const double = await start((path, record) => {
      const gmc = (record as { gmcReferenceNumber: string }).gmcReferenceNumber;
      if (path === '/api/gmc/doctors' && gmc === rejectedGmcNumber) return 'designated body unknown';
      if (path.startsWith('/api/connection-failures/') && gmc === rejectedFailure) return 'not a doctor here';
      return null;
    });
    const summary = await loadDemoData(options(double.url, { recordsPerRequest: 40, concurrency: 3 }));
    const gmcDoctors = summary.kinds.find((k) => k.kind === 'gmc-doctors');
    expect(gmcDoctors).toMatchObject({ rejected: 1, accepted: gmcNumbers.length - 1 });
    expect(gmcDoctors?.errors).toEqual([{ line: 150, reason: 'designated body unknown' }]);
    const connectionFailures = summary.kinds.find((k) => k.kind === 'connection-failures');
    expect(connectionFailures).toMatchObject({ rejected: 1, accepted: failures.length - 1, requests: failures.length });
    expect(connectionFailures?.errors).toEqual([{ line: expect.any(Number), reason: 'not a doctor here' }]);
  });

  it('says which token to use when the service answers 401 or 403', async () => {
    const double = await start();
    const unauthorized = loadDemoData(options(double.url, { token: 'wrong' }));
    await expect(unauthorized).rejects.toBeInstanceOf(LoadError);
    await expect(unauthorized).rejects.toMatchObject({
      code: 'unauthorized',
      message: expect.stringMatching(/WRITE_TOKEN/),
    });
    const forbidden = loadDemoData(options(double.url, { token: READ_TOKEN }));
    await expect(forbidden).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/READ token.*WRITE_TOKEN/),
    });
    expect(double.lines.size).toBe(0);
  });

  it('says how to start the service when nothing listens', async () => {
    // A port that was just free: listen, note it, close.
    const probe = http.createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    probe.close();
    await once(probe, 'close');

    const load = loadDemoData(options(`http://127.0.0.1:${port}`));
    await expect(load).rejects.toMatchObject({
      code: 'unreachable',
      message: expect.stringMatching(/cannot reach the repository-service .*npm run repository-service/),
    });
  });

  it('stops when the signal is aborted', async () => {
    const double = await start();
    const abort = new AbortController();
    abort.abort();
    await expect(loadDemoData(options(double.url), { signal: abort.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});
