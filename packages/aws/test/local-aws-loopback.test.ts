import { readFile } from 'node:fs/promises';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { createAwsClients, startLocalAws } from '../src/index.js';

/**
 * The local addresses of the listening TCP sockets on `port`, read from the kernel's tables
 * (/proc/net/tcp and tcp6), so nothing is sent anywhere: `127.0.0.1`, `0.0.0.0`, `::` …
 */
async function listeningAddresses(port: number): Promise<string[]> {
  const addresses: string[] = [];
  for (const [file, decode] of [
    ['/proc/net/tcp', decodeIpv4],
    ['/proc/net/tcp6', decodeIpv6],
  ] as const) {
    const table = await readFile(file, 'utf8').catch(() => '');
    for (const line of table.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      const [hexAddress, hexPort] = local?.split(':') ?? [];
      // State 0A is LISTEN.
      if (state === '0A' && hexAddress && Number.parseInt(hexPort ?? '', 16) === port)
        addresses.push(decode(hexAddress));
    }
  }
  return addresses;
}

function decodeIpv4(hex: string): string {
  // Little-endian on x86 and arm: 0100007F is 127.0.0.1.
  return [6, 4, 2, 0].map((at) => Number.parseInt(hex.slice(at, at + 2), 16)).join('.');
}

function decodeIpv6(hex: string): string {
  return /^0+$/.test(hex) ? '::' : hex;
}

describe('startLocalAws on the loopback', () => {
  it('listens on 127.0.0.1 only: an API that checks no credentials is not open to the network', async () => {
    await using local = await startLocalAws();
    const aws = createAwsClients({ endpoint: local.endpoint });
    try {
      await aws.sqs.send(new ListQueuesCommand({}));
    } finally {
      aws.destroy();
    }
    // fauxqs's own startFauxqs listens on 0.0.0.0 here, whatever host it is given.
    expect(await listeningAddresses(local.port)).toEqual(['127.0.0.1']);
  });
});
