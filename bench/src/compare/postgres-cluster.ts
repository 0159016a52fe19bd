/**
 * A PostgreSQL cluster of the benchmark's own (initdb into a temporary directory, a free port,
 * `wal_level = logical`), stopped and removed at the end. The shared server on 5432 runs
 * `wal_level = replica` and serves other work, so it is neither reconfigured nor restarted.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian/Ubuntu packages put the server binaries; `POSTGRES_BIN_DIR` overrides. */
const DEBIAN_BIN_ROOT = '/usr/lib/postgresql';

export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth, loopback only). */
  readonly url: string;
  readonly port: number;
  /** The server's major version, e.g. `15`. */
  readonly version: string;
  /** Stops the server (fast) and removes its directory. */
  stop(): Promise<void>;
}

/** Finds `initdb` and `pg_ctl`: `POSTGRES_BIN_DIR`, or the newest of /usr/lib/postgresql/<n>/bin. */
function findBinDir(env: NodeJS.ProcessEnv): string {
  const candidates = env.POSTGRES_BIN_DIR
    ? [env.POSTGRES_BIN_DIR]
    : existsSync(DEBIAN_BIN_ROOT)
      ? readdirSync(DEBIAN_BIN_ROOT)
          .filter((name) => /^\d+$/.test(name))
          .sort((a, b) => Number(b) - Number(a))
          .map((name) => join(DEBIAN_BIN_ROOT, name, 'bin'))
      : [];
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (!found) {
    throw new Error(
      `the comparison needs a PostgreSQL cluster of its own with wal_level = logical, but initdb and pg_ctl are not in ${
        candidates.join(', ') || `${DEBIAN_BIN_ROOT}/<version>/bin`
      }: install the server package (apt-get install postgresql) or set POSTGRES_BIN_DIR`,
    );
  }
  return found;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

/**
 * Starts a fresh cluster. As root it runs the server as the `postgres` user (`runuser`), since
 * PostgreSQL refuses to run as root. Server settings other than the WAL ones are the defaults.
 */
export async function startPostgresCluster(env: NodeJS.ProcessEnv = process.env): Promise<PostgresCluster> {
  const bin = findBinDir(env);
  const asRoot = process.getuid?.() === 0;
  const as = async (command: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
    try {
      return await run(file, argv);
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? '';
      throw new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || String(err)}`, { cause: err });
    }
  };
  const dir = await mkdtemp(join(tmpdir(), 'changeflow-compare-pg-'));
  if (asRoot) await run('chown', ['postgres:postgres', dir]);
  const data = join(dir, 'data');
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    await as(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    const port = await freePort();
    const settings = [
      `-p ${port}`,
      "-c listen_addresses='127.0.0.1'",
      `-c unix_socket_directories='${dir}'`,
      '-c wal_level=logical',
      '-c max_wal_senders=4',
      '-c max_replication_slots=4',
      '-c max_connections=100',
    ].join(' ');
    await as(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-o', settings, '-w', 'start']);
    const { stdout } = await as(join(bin, 'pg_ctl'), ['--version']);
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      port,
      version: /(\d+)(\.\d+)?/.exec(stdout)?.[1] ?? 'unknown',
      async stop() {
        try {
          await as(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
        } finally {
          await remove();
        }
      },
    };
  } catch (err) {
    await remove();
    throw err;
  }
}
