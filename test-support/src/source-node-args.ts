/**
 * The Node arguments that run a TypeScript entry of this repository from its sources, as the npm
 * scripts do: the workspace packages resolve to `src/` through their `@changeflow/source` export
 * condition (instead of the compiled `dist/`), and tsx compiles on the fly. No build step needed.
 *
 * @example
 * spawn(process.execPath, [...SOURCE_NODE_ARGS, 'workers/src/main.ts'])
 */
export const SOURCE_NODE_ARGS: readonly string[] = ['--conditions=@changeflow/source', '--import', 'tsx'];
