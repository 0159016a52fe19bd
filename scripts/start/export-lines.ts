/**
 * The `export …` lines `npm start` prints for a second terminal: everything the README tour, the
 * `changeflow` command and the AWS CLI need to reach what `npm start` runs, quoted for pasting.
 */

/** Where the running apps are, as `npm start` learnt once they listened. */
export interface RunningUrls {
  repositoryUrl: string;
  adminUrl: string;
  region: string;
}

/** Dummy credentials: the local SNS/SQS checks none, but the AWS CLI refuses to sign without some. */
const LOCAL_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'changeflow-local', AWS_SECRET_ACCESS_KEY: 'changeflow-local' };
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Three `export` lines: SNS/SQS (endpoint, region, credentials), the database and prefix, and the
 * service URLs with their tokens. Only variables with a value are exported; each value is quoted for
 * a POSIX shell.
 */
export function exportLines(env: NodeJS.ProcessEnv, urls: RunningUrls): string[] {
  const credentials = env.AWS_ACCESS_KEY_ID
    ? {} // the user's own: never print a secret they set
    : LOCAL_CREDENTIALS;
  const groups: Array<Record<string, string | undefined>> = [
    // AWS_DEFAULT_REGION too: the AWS CLI v1 reads only that one.
    {
      AWS_ENDPOINT_URL: env.AWS_ENDPOINT_URL,
      AWS_REGION: urls.region,
      AWS_DEFAULT_REGION: urls.region,
      ...credentials,
    },
    {
      DATABASE_URL: env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
      INDEX_DATABASE_URL: env.INDEX_DATABASE_URL,
      INDEX_SCHEMA: env.INDEX_SCHEMA,
      CHANGEFLOW_PREFIX: env.CHANGEFLOW_PREFIX,
    },
    {
      REPOSITORY_URL: urls.repositoryUrl,
      ADMIN_URL: urls.adminUrl,
      READ_TOKEN: env.READ_TOKEN,
      WRITE_TOKEN: env.WRITE_TOKEN,
    },
  ];
  return groups.map(
    (group) =>
      `export ${Object.entries(group)
        .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
        .map(([name, value]) => `${name}=${shellQuote(value)}`)
        .join(' ')}`,
  );
}

/** `value` as one word for a POSIX shell: bare when it is safe, else single-quoted. */
function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
