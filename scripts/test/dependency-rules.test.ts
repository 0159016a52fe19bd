import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

// The rules `npm run lint` runs, applied to a small tree of planted files, so a violation is shown
// failing without touching the real sources.
const config = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as {
  forbidden: unknown[];
  options: Record<string, unknown>;
};
const root = mkdtempSync(join(tmpdir(), 'dependency-rules-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function plant(files: Record<string, string>): string[] {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return Object.keys(files);
}

async function violations(files: Record<string, string>): Promise<string[]> {
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const { output } = await cruise(plant(files), {
      ruleSet: { forbidden: config.forbidden } as never,
      validate: true,
      tsPreCompilationDeps: true,
    });
    return (output as ICruiseResult).summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
  } finally {
    process.chdir(cwd);
  }
}

describe('the dependency rules of npm run lint', () => {
  it('fail an import against the arrows: aws may import only errors', async () => {
    const found = await violations({
      'packages/outbox/src/index.ts': 'export const outbox = 1;\n',
      'packages/aws/src/index.ts': "import { outbox } from '../../outbox/src/index.ts';\nexport const aws = outbox;\n",
    });
    expect(found).toEqual(['arrow-from-aws: packages/aws/src/index.ts -> packages/outbox/src/index.ts']);
  });

  it('fail an import against the arrows from the bottom: the migrator may import only errors', async () => {
    const found = await violations({
      'packages/errors/src/index.ts': 'export const errors = 1;\n',
      'packages/semaphore/src/index.ts': 'export const semaphore = 1;\n',
      'packages/migrator/src/index.ts':
        "import { errors } from '../../errors/src/index.ts';\nimport { semaphore } from '../../semaphore/src/index.ts';\nexport const migrator = [errors, semaphore];\n",
    });
    expect(found).toEqual(['arrow-from-migrator: packages/migrator/src/index.ts -> packages/semaphore/src/index.ts']);
  });

  it('fail an import behind a front door, and a package importing an app', async () => {
    const found = await violations({
      'packages/reval/src/queries/search.ts': 'export const search = 1;\n',
      'packages/semaphore/src/index.ts': 'export const semaphore = 1;\n',
      'workers/src/app.ts': 'export const app = 1;\n',
      'packages/consumer/src/index.ts':
        "import { app } from '../../../workers/src/app.ts';\nimport { semaphore } from '../../semaphore/src/index.ts';\nexport const consumer = [app, semaphore];\n",
      'repository-service/src/routes.ts':
        "import { search } from '../../packages/reval/src/queries/search.ts';\nexport const routes = search;\n",
    });
    expect(found.sort()).toEqual([
      'front-door-only-from-apps: repository-service/src/routes.ts -> packages/reval/src/queries/search.ts',
      'package-imports-app: packages/consumer/src/index.ts -> workers/src/app.ts',
    ]);
  });
});
