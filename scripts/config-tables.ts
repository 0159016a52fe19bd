/**
 * `npm run config-tables`: writes each app's configuration table into its README, generated from
 * the variables' one declaration (`@changeflow/app-kit`) and the list each app reads, between
 * `<!-- config-table:start -->` and `<!-- config-table:end -->`.
 * `npm run config-tables -- --check` changes nothing and exits 1 when a README is out of date (CI).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configTable, type VariableUses } from '@changeflow/app-kit';
import { CLI_VARIABLES } from '@changeflow/cli';
import { REPOSITORY_SERVICE_VARIABLES } from '@changeflow/repository-service';
import { WORKERS_VARIABLES } from '@changeflow/workers';

const START = '<!-- config-table:start -->';
const END = '<!-- config-table:end -->';

const READMES: ReadonlyArray<{ readme: string; uses: VariableUses }> = [
  { readme: 'workers/README.md', uses: WORKERS_VARIABLES },
  { readme: 'repository-service/README.md', uses: REPOSITORY_SERVICE_VARIABLES },
  { readme: 'packages/cli/README.md', uses: CLI_VARIABLES },
];

const isCheck = process.argv.includes('--check');
const stale: string[] = [];
for (const { readme, uses } of READMES) {
  const path = fileURLToPath(new URL(`../${readme}`, import.meta.url));
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) {
    throw new Error(`${readme} has no ${START} … ${END} block: add one under "## Configuration"`);
  }
  const updated = `${text.slice(0, start + START.length)}\n${configTable(uses)}\n${text.slice(end)}`;
  if (updated === text) continue;
  stale.push(readme);
  if (!isCheck) writeFileSync(path, updated);
}
if (isCheck && stale.length > 0) {
  process.stderr.write(
    `configuration tables out of date in ${stale.join(', ')}: run \`npm run config-tables\` and commit the READMEs\n`,
  );
  process.exit(1);
}
process.stdout.write(
  stale.length === 0 ? 'configuration tables up to date\n' : `configuration tables written: ${stale.join(', ')}\n`,
);
