import type { z } from 'zod';
import { ConfigError } from './changeflow-error.js';

/**
 * Validates `input` against a zod schema that also fills defaults, so check and default cannot drift.
 * On failure raises a `ConfigError` that names every bad field with its value and the reason.
 *
 * @example
 * const resolved = parseOptions(consumerOptionsSchema, options, 'consumer options');
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ConfigError(`invalid ${what}: ${describeIssues(parsed.error.issues, input)}`, { cause: parsed.error });
}

/** `path = value: reason` for each issue, joined with `; `. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string {
  return issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
      const value = issue.path.reduce<unknown>(
        (node, key) =>
          node !== null && typeof node === 'object'
            ? (node as Record<PropertyKey, unknown>)[key as PropertyKey]
            : undefined,
        input,
      );
      return `${path} = ${JSON.stringify(value) ?? 'undefined'}: ${issue.message}`;
    })
    .join('; ');
}
