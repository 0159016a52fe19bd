/**
 * The dependency picture (README "Layout"), enforced by `npm run lint`. Each package's `src` may
 * import only the packages listed for it, and only through their front door (`src/index.ts`); no
 * package imports an app. `scripts/dependency-rules.test.ts` plants imports against the arrows.
 */
const ARROWS = {
  errors: [],
  aws: ['errors'],
  migrator: ['errors'],
  semaphore: ['migrator', 'errors'],
  outbox: ['semaphore', 'migrator', 'errors'],
  consumer: ['outbox', 'semaphore', 'migrator', 'aws', 'errors'],
  reval: ['consumer', 'outbox', 'semaphore', 'migrator', 'errors'],
  'app-kit': ['reval', 'consumer', 'outbox', 'aws', 'errors'],
  cli: ['app-kit', 'reval', 'consumer', 'outbox', 'semaphore', 'aws', 'errors'],
};
const APPS = ['workers', 'repository-service', 'bench', 'demo-data', 'scripts'];

const arrowRules = Object.entries(ARROWS).map(([name, allowed]) => ({
  name: `arrow-from-${name}`,
  comment: `${name} may import ${allowed.length > 0 ? allowed.join(', ') : 'no package of ours'} (README "Layout")`,
  severity: 'error',
  from: { path: `^packages/${name}/src/` },
  to: { path: '^packages/([^/]+)/', pathNot: [`^packages/(${[name, ...allowed].join('|')})/`] },
}));

module.exports = {
  forbidden: [
    ...arrowRules,
    {
      name: 'package-imports-app',
      comment: 'packages ship on their own: none may import an app, the tests or the benchmarks',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/' },
      to: { path: `^(${APPS.join('|')}|test-support)/` },
    },
    {
      name: 'front-door-only',
      comment: "another package's code is reached through its src/index.ts only (STYLE: one front door)",
      severity: 'error',
      // Inside a package (its tests included) any file may import any other.
      from: { path: '^packages/([^/]+)/' },
      to: { path: '^packages/[^/]+/src/', pathNot: ['^packages/$1/', '^packages/[^/]+/src/index\\.ts$'] },
    },
    {
      name: 'front-door-only-from-apps',
      comment: 'apps, tests and benchmarks reach a package through its src/index.ts only',
      severity: 'error',
      // The query benchmark rebuilds the lists' statements a way reval deliberately does not offer
      // (its comment says so), so it alone reaches behind the front door.
      from: { path: `^(${APPS.join('|')}|test-support)/`, pathNot: '^bench/src/reval-queries/measure\\.ts$' },
      to: { path: '^packages/[^/]+/src/', pathNot: ['^packages/[^/]+/src/index\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|\\.tsbuild|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
    },
  },
};
